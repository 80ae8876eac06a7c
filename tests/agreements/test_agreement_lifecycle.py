"""The convention's lifecycle through ``agreement_transition``: allowed and refused moves, dates set, log rows,
the database constraint tying dates to states, and the e-mail sent with the PDF."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from pactes.agreements.models import Agreement, AgreementTransitionLog
from pactes.agreements.services import AgreementRefused, agreement_signed_scan_upload, agreement_transition
from pactes.outbox.models import OutgoingEmail
from pactes.rules.money import euros

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def codes(refused) -> set[str]:
    return {r.code for r in refused.value.reasons}


def test_the_whole_signature_path_sets_each_date_and_logs_each_move(draft_agreement, accounts):
    instructor = accounts["instructeur.09"]
    today = timezone.localdate()
    agreement_transition(agreement=draft_agreement, transition="send", by=instructor)
    agreement_transition(
        agreement=draft_agreement, transition="upload_applicant_signature", by=accounts["porteur.ariege"]
    )
    agreement_transition(agreement=draft_agreement, transition="sign", by=instructor)
    draft_agreement.refresh_from_db()
    assert draft_agreement.state == "signee"
    assert draft_agreement.sent_on == draft_agreement.applicant_signed_on == draft_agreement.state_signed_on == today
    logs = list(AgreementTransitionLog.objects.filter(agreement=draft_agreement).values_list("from_state", "to_state"))
    assert logs == [("brouillon", "envoyee"), ("envoyee", "signee_porteur"), ("signee_porteur", "signee")]


def test_a_signature_date_given_is_kept_and_may_not_precede_the_previous_step(draft_agreement, accounts):
    instructor = accounts["instructeur.09"]
    sent_on = timezone.localdate() - dt.timedelta(days=5)
    agreement_transition(agreement=draft_agreement, transition="send", by=instructor, on=sent_on)
    with pytest.raises(AgreementRefused) as refused:
        agreement_transition(
            agreement=draft_agreement,
            transition="upload_applicant_signature",
            by=instructor,
            on=sent_on - dt.timedelta(days=1),
        )
    assert codes(refused) == {"AGREEMENT_DATE_INVALID"}
    with pytest.raises(AgreementRefused) as refused:
        agreement_transition(
            agreement=draft_agreement,
            transition="upload_applicant_signature",
            by=instructor,
            on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert codes(refused) == {"AGREEMENT_DATE_INVALID"}
    assert Agreement.objects.get(pk=draft_agreement.pk).sent_on == sent_on


def test_an_applicant_may_not_sign_for_the_state_nor_send(draft_agreement, accounts):
    applicant = accounts["porteur.ariege"]
    with pytest.raises(AgreementRefused) as refused:
        agreement_transition(agreement=draft_agreement, transition="send", by=applicant)
    assert "TRANSITION_NOT_ALLOWED" in codes(refused)
    agreement_transition(agreement=draft_agreement, transition="send", by=accounts["instructeur.09"])
    agreement_transition(agreement=draft_agreement, transition="upload_applicant_signature", by=applicant)
    with pytest.raises(AgreementRefused) as refused:
        agreement_transition(agreement=draft_agreement, transition="sign", by=applicant)
    assert "TRANSITION_NOT_ALLOWED" in codes(refused)
    assert Agreement.objects.get(pk=draft_agreement.pk).state == "signee_porteur"


def test_an_instructor_of_another_departement_may_not_move_the_convention(draft_agreement, accounts):
    with pytest.raises(AgreementRefused) as refused:
        agreement_transition(agreement=draft_agreement, transition="send", by=accounts["instructeur.11"])
    assert codes(refused) == {"AGREEMENT_NOT_ALLOWED"}


def test_a_transition_not_from_the_current_state_is_refused(draft_agreement, accounts):
    with pytest.raises(AgreementRefused) as refused:
        agreement_transition(agreement=draft_agreement, transition="sign", by=accounts["instructeur.09"])
    assert codes(refused) == {"TRANSITION_NOT_FROM_STATE"}


def test_withdrawing_needs_a_reason_and_clears_the_sending_date(draft_agreement, accounts):
    instructor = accounts["instructeur.09"]
    agreement_transition(agreement=draft_agreement, transition="send", by=instructor)
    with pytest.raises(AgreementRefused) as refused:
        agreement_transition(agreement=draft_agreement, transition="withdraw", by=instructor)
    assert codes(refused) == {"TRANSITION_REASON_REQUIRED"}
    agreement_transition(agreement=draft_agreement, transition="withdraw", by=instructor, reason="Erreur d'adresse.")
    draft_agreement.refresh_from_db()
    assert (draft_agreement.state, draft_agreement.sent_on) == ("brouillon", None)
    assert draft_agreement.transitions.last().reason == "Erreur d'adresse."


def test_a_stale_page_is_refused_once_the_state_changed(draft_agreement, accounts):
    stale = Agreement.objects.get(pk=draft_agreement.pk)
    agreement_transition(agreement=draft_agreement, transition="send", by=accounts["instructeur.09"])
    with pytest.raises(AgreementRefused) as refused:
        agreement_transition(agreement=stale, transition="send", by=accounts["instructeur.09"])
    assert codes(refused) == {"AGREEMENT_STATE_CHANGED"}


@pytest.mark.engine
def test_the_database_refuses_a_state_without_its_dates(draft_agreement):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=draft_agreement.pk).update(state="signee")


def test_sending_mails_the_pdf_to_the_applicants(
    draft_agreement, accounts, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agreement_transition(agreement=draft_agreement, transition="send", by=accounts["instructeur.09"])
    [message] = mailoutbox
    assert message.to == ["porteur.ariege@demo.test"]
    assert message.subject.startswith("[") and draft_agreement.dossier.reference in message.subject
    assert euros(Decimal("40000")) in message.body and "l'insertion" in message.body
    [(_name, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")


def test_the_applicant_uploads_its_signed_pdf_checked_by_content(draft_agreement, accounts, tmp_path):
    import io

    applicant = accounts["porteur.ariege"]
    agreement_transition(agreement=draft_agreement, transition="send", by=accounts["instructeur.09"])
    with pytest.raises(AgreementRefused) as refused:
        agreement_signed_scan_upload(
            agreement=draft_agreement, name="signee.pdf", stream=io.BytesIO(b"not a pdf"), by=applicant
        )
    assert codes(refused) == {"AGREEMENT_SCAN_INVALID"}
    assert "n'est pas un PDF valide" in refused.value.reasons[0].message
    agreement_signed_scan_upload(agreement=draft_agreement, name="signee.pdf", stream=io.BytesIO(PDF), by=applicant)
    draft_agreement.refresh_from_db()
    assert draft_agreement.state == "signee_porteur"
    assert draft_agreement.signed_scan_name == "signee.pdf" and draft_agreement.signed_scan_uploaded_by == applicant
    with draft_agreement.signed_scan.open("rb") as handle:
        assert handle.read() == PDF


def test_sending_queues_its_email_with_the_move_and_a_refused_send_queues_nothing(
    draft_agreement, accounts, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AgreementRefused):
        agreement_transition(agreement=draft_agreement, transition="send", by=accounts["porteur.ariege"])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        agreement_transition(agreement=draft_agreement, transition="send", by=accounts["instructeur.09"])
        raise RuntimeError("the act is rolled back")
    assert not OutgoingEmail.objects.exists() and mailoutbox == []
    draft_agreement.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        agreement_transition(agreement=draft_agreement, transition="send", by=accounts["instructeur.09"])
    [email] = OutgoingEmail.objects.all()
    assert email.key.startswith(f"agreement-sent:{draft_agreement.pk}:") and len(mailoutbox) == 1
