"""The instruction's services: scope and stale state guard every transition, complements reopen the dossier and
their answer files a new version, the manual checklist comes from the call, the exchanges notify the other side."""

import datetime as dt
import io
import json

import pytest
from django.core import mail

from pactes.dossiers.filing import FilingRefused, dossier_file
from pactes.dossiers.models import Dossier, DossierTransitionLog
from pactes.dossiers.services import TransitionRefused
from pactes.instruction.models import ChecklistCheck, ComplementRequest, Message, MessageKind
from pactes.instruction.selectors import messages_visible_to
from pactes.instruction.services import (
    InstructionRefused,
    checklist_record,
    complements_answer,
    complements_request,
    instruction_transition,
    message_post,
)
from pactes.rules.call_config import CallConfig, CallConfigError
from pactes.rules.lifecycle import DossierState
from tests.dossiers.test_attachments import EXE, PDF
from tests.factories import DossierFactory, instructor_of

TODAY = dt.date(2024, 10, 2)
DUE = dt.date(2024, 10, 8)


def codes(exc) -> set[str]:
    return {r.code for r in exc.value.reasons}


def ask_complements(dossier, by, capture, message="Merci de joindre le RIB et la délibération."):
    with capture(execute=True):
        return complements_request(dossier=dossier, by=by, message=message, due_on=DUE, today=TODAY)


# -- the call's checklist ------------------------------------------------------------------------------------------
def test_the_call_lists_its_manual_admissibility_checklist(real_call):
    items = {c.code for c in real_call.rules.admissibility_checklist}
    assert {"statuts", "rib", "lettres_engagement", "deliberation", "signatures", "coherence_budget_actions"} <= items


def test_a_call_without_checklist_has_an_empty_one_and_a_malformed_one_is_refused(real_call):
    text = real_call.yaml_text
    without = text.split("\ninstruction:\n")[0] + "\ncontacts:\n" + text.split("\ncontacts:\n")[1]
    assert CallConfig.from_yaml(without).admissibility_checklist == ()
    data = CallConfig.from_yaml(text)
    assert data.checklist_item("rib") is not None
    broken = text.replace("  admissibility_checklist:\n", "  admissibility_checklist: oui\n  ignored:\n", 1)
    with pytest.raises(CallConfigError, match="doit être une liste"):
        CallConfig.from_yaml(broken)


# -- transitions ---------------------------------------------------------------------------------------------------
def test_an_instructor_of_another_departement_cannot_fire_a_transition(filed, staff):
    with pytest.raises(TransitionRefused) as refused:
        instruction_transition(dossier=filed, transition="start_review", by=staff["i11"])
    assert codes(refused) == {"OUT_OF_SCOPE"}
    filed.refresh_from_db()
    assert filed.state == DossierState.SUBMITTED


def test_a_transition_under_the_state_the_page_was_loaded_with_is_refused_when_it_changed(under_review, staff):
    with pytest.raises(TransitionRefused) as refused:
        instruction_transition(
            dossier=under_review, transition="start_review", by=staff["i09"], loaded_state=DossierState.SUBMITTED
        )
    assert codes(refused) == {"STATE_CHANGED"}


def test_the_committee_transitions_are_not_fired_from_the_instruction_page(under_review, staff):
    with pytest.raises(TransitionRefused) as refused:
        instruction_transition(dossier=under_review, transition="transmit", by=staff["i09"])
    assert codes(refused) == {"TRANSITION_NOT_ON_PAGE"}


def test_inadmissible_needs_a_motivation_and_logs_it(under_review, staff):
    with pytest.raises(TransitionRefused) as refused:
        instruction_transition(dossier=under_review, transition="declare_inadmissible", by=staff["i09"], reason="  ")
    assert codes(refused) == {"TRANSITION_REASON_REQUIRED"}
    instruction_transition(
        dossier=under_review, transition="declare_inadmissible", by=staff["i09"], reason="Porteur non éligible."
    )
    log = DossierTransitionLog.objects.filter(dossier=under_review).last()
    assert (log.from_state, log.to_state, log.reason, log.by) == (
        "en_instruction",
        "irrecevable",
        "Porteur non éligible.",
        staff["i09"],
    )


# -- concurrency ---------------------------------------------------------------------------------------------------
def test_two_instructors_deciding_at_once_cannot_both_win(db):
    under_review = DossierFactory(under_review=True)
    instructor = instructor_of(under_review.departement.code)
    first = Dossier.objects.get(pk=under_review.pk)
    second = Dossier.objects.get(pk=under_review.pk)  # the same page, opened by a colleague
    instruction_transition(dossier=first, transition="declare_admissible", by=instructor)
    with pytest.raises(TransitionRefused) as refused:
        instruction_transition(
            dossier=second, transition="declare_inadmissible", by=instructor, reason="Pièces manquantes."
        )
    assert codes(refused) == {"STATE_CHANGED"}
    under_review.refresh_from_db()
    assert under_review.state == DossierState.ADMISSIBLE
    assert DossierTransitionLog.objects.filter(dossier=under_review, transition="declare_inadmissible").count() == 0


# -- complements ---------------------------------------------------------------------------------------------------
def test_requesting_complements_reopens_the_dossier_and_mails_its_applicants(
    under_review, staff, applicant, django_capture_on_commit_callbacks
):
    request = ask_complements(under_review, staff["i09"], django_capture_on_commit_callbacks)
    under_review.refresh_from_db()
    assert under_review.state == DossierState.COMPLEMENTS_REQUESTED and under_review.is_editable
    assert request.is_open and request.due_on == DUE
    log = DossierTransitionLog.objects.filter(dossier=under_review).last()
    assert (log.transition, log.reason) == ("request_complements", "Merci de joindre le RIB et la délibération.")
    [sent] = mail.outbox[-1:]
    assert sent.to == [applicant.email]
    assert sent.subject == f"[AMI 2024-PTS] Compléments demandés sur le dossier {under_review.reference}"
    assert "8 octobre 2024" in sent.body and "Merci de joindre le RIB" in sent.body


def test_a_due_date_already_past_is_refused(under_review, staff):
    with pytest.raises(TransitionRefused) as refused:
        complements_request(
            dossier=under_review, by=staff["i09"], message="RIB", due_on=TODAY - dt.timedelta(days=1), today=TODAY
        )
    assert codes(refused) == {"DUE_DATE_PAST"}
    assert not ComplementRequest.objects.exists()


def test_the_answer_files_version_2_after_the_deadline_and_returns_to_instruction(
    under_review, staff, applicant, django_capture_on_commit_callbacks
):
    ask_complements(under_review, staff["i09"], django_capture_on_commit_callbacks)
    Dossier.objects.filter(pk=under_review.pk).update(diagnostic="Diagnostic complété à la demande de la DDETS-PP.")
    under_review.refresh_from_db()
    first_filing = under_review.submitted_at
    mail.outbox.clear()
    answered_at = dt.datetime(2024, 10, 5, 11, 0, tzinfo=dt.UTC)  # after the filing deadline: complements are not late
    with django_capture_on_commit_callbacks(execute=True):
        version = complements_answer(dossier=under_review, by=applicant, now=answered_at)
    under_review.refresh_from_db()
    assert version.number == 2
    assert under_review.state == DossierState.UNDER_REVIEW
    assert under_review.submitted_at == first_filing
    assert json.loads(version.snapshot)["diagnostic"] == "Diagnostic complété à la demande de la DDETS-PP."
    first = under_review.versions.get(number=1)
    assert json.loads(first.snapshot)["diagnostic"] != json.loads(version.snapshot)["diagnostic"]
    request = ComplementRequest.objects.get(dossier=under_review)
    assert (request.answered_by, request.answer_version) == (applicant, version)
    assert DossierTransitionLog.objects.filter(dossier=under_review).last().transition == "answer_complements"
    subjects = [m.subject for m in mail.outbox]
    assert f"[AMI 2024-PTS] Compléments transmis sur le dossier {under_review.reference}" in subjects
    assert f"[AMI 2024-PTS] Accusé de réception du dossier {under_review.reference}" in subjects


def test_an_answer_that_breaks_a_rule_of_the_call_is_refused(
    under_review, staff, applicant, django_capture_on_commit_callbacks
):
    ask_complements(under_review, staff["i09"], django_capture_on_commit_callbacks)
    under_review.resources.filter(kind="state_pts").update(amount="90000.00")
    under_review.refresh_from_db()
    with pytest.raises(FilingRefused) as refused:
        complements_answer(dossier=under_review, by=applicant)
    assert "GRANT_OVER_CAP" in codes(refused)
    assert under_review.versions.count() == 1
    assert ComplementRequest.objects.get(dossier=under_review).is_open


def test_the_answer_to_complements_is_filed_only_through_the_instruction_which_closes_the_request(
    under_review, staff, applicant, django_capture_on_commit_callbacks
):
    with pytest.raises(FilingRefused) as refused:
        complements_answer(dossier=under_review, by=applicant)
    assert codes(refused) == {"NO_COMPLEMENTS_ASKED"}
    ask_complements(under_review, staff["i09"], django_capture_on_commit_callbacks)
    under_review.refresh_from_db()
    with pytest.raises(ValueError, match="complements_answer"):
        dossier_file(dossier=under_review, by=applicant)
    assert under_review.versions.count() == 1 and ComplementRequest.objects.get(dossier=under_review).is_open


# -- checklist -----------------------------------------------------------------------------------------------------
def test_the_checklist_records_who_ticked_what_with_a_comment(under_review, staff):
    changed = checklist_record(
        dossier=under_review,
        by=staff["i09"],
        answers={"statuts": (True, "Statuts de 2019."), "rib": (False, "RIB au nom du trésorier.")},
    )
    assert changed == 2
    rib = ChecklistCheck.objects.get(dossier=under_review, item="rib")
    assert (rib.is_checked, rib.comment, rib.checked_by) == (False, "RIB au nom du trésorier.", staff["i09"])
    assert (
        checklist_record(dossier=under_review, by=staff["dreets"], answers={"statuts": (True, "Statuts de 2019.")}) == 0
    )


def test_the_checklist_refuses_an_unknown_point_and_a_decided_dossier(under_review, staff):
    with pytest.raises(InstructionRefused, match="n'existe pas"):
        checklist_record(dossier=under_review, by=staff["i09"], answers={"horoscope": (True, "")})
    instruction_transition(dossier=under_review, transition="declare_admissible", by=staff["i09"])
    with pytest.raises(InstructionRefused, match="déjà été décidée"):
        checklist_record(dossier=under_review, by=staff["i09"], answers={"rib": (True, "")})


# -- messages ------------------------------------------------------------------------------------------------------
def test_an_applicant_message_mails_the_instructors_of_the_departement_only(
    filed, staff, applicant, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(dossier=filed, by=applicant, body="Le RIB est joint.", file_name="rib.pdf", stream=io.BytesIO(PDF))
    [sent] = mail.outbox
    assert sent.to == [staff["i09"].email]
    assert "Le porteur a écrit" in sent.body and "rib.pdf" in sent.body
    message = Message.objects.get()
    assert message.kind == MessageKind.EXCHANGE and message.content_type == "application/pdf"


def test_a_private_annotation_is_mailed_to_nobody_and_hidden_from_the_applicant(
    filed, staff, applicant, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        note = message_post(dossier=filed, by=staff["i09"], body="Porteur fragile financièrement.", private=True)
    assert mail.outbox == []
    assert note in messages_visible_to(staff["i09"], filed)
    assert note in messages_visible_to(staff["dreets"], filed)
    assert note not in messages_visible_to(applicant, filed)
    assert note not in messages_visible_to(staff["jury"], filed)


def test_an_applicant_cannot_write_an_annotation_nor_attach_a_disguised_file(filed, applicant):
    with pytest.raises(InstructionRefused, match="annotation privée"):
        message_post(dossier=filed, by=applicant, body="Note", private=True)
    with pytest.raises(InstructionRefused, match="pas un PDF valide"):
        message_post(dossier=filed, by=applicant, body="Pièce", file_name="rib.pdf", stream=io.BytesIO(EXE))
    assert not Message.objects.exists()
