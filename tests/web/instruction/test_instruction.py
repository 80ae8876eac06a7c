"""The instruction workspace through the browser's eyes: the queue scoped to the département, the dossier page with
its versions, checklist, transitions and history, the complements round trip with the applicant, and the exchanges
whose private annotations the applicant never sees."""

import datetime as dt
import html
import json
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pactes.calls.selectors import eligible_list_in_force
from pactes.dossiers.interchange.export import dossier_to_document
from pactes.dossiers.interchange.importing import document_update_dossier
from pactes.dossiers.models import Dossier, DossierTransitionLog
from pactes.dossiers.services import dossier_transition
from pactes.instruction.models import ChecklistCheck, ComplementRequest, Message, MessageKind
from pactes.instruction.selectors import instruction_deadline
from pactes.organisations.models import Organisation
from pactes.rules.lifecycle import DossierState
from pactes.web.instruction.dossier_page import panel_fingerprint
from tests.dossiers.test_attachments import PDF
from tests.instruction.fixtures import bare_filed

QUEUE = reverse("instruction:queue")
LOGIN = reverse("accounts:login")


def text(response) -> str:
    return html.unescape(response.content.decode())


def page_url(dossier, **query) -> str:
    url = reverse("instruction:dossier", args=[dossier.reference])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def references(response) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', response.content.decode())


def fire(client, dossier, transition, state, reason=""):
    return client.post(
        reverse("instruction:transition", args=[dossier.reference]),
        {"transition": transition, "state": state, "reason": reason},
    )


@pytest.fixture
def queue_dossiers(real_call, filed, demo_accounts):
    """The filed example (09, 62 000 €, CC Couserans-Pyrénées) and four bare dossiers in the Ariège and the Aude."""
    return {
        "example": filed,
        "09-small": bare_filed(real_call, code="09", grant="15000.00", title="Petit projet ariégeois"),
        "09-mid": bare_filed(real_call, code="09", grant="40000.00", title="Projet moyen ariégeois"),
        "11-a": bare_filed(real_call, code="11", grant="30000.00", title="Projet audois A"),
        "11-b": bare_filed(real_call, code="11", grant="50000.00", title="Projet audois B"),
    }


# -- the queue -----------------------------------------------------------------------------------------------------
def test_the_instructor_of_the_ariege_sees_only_the_ariege_dossiers(client, queue_dossiers, staff):
    client.force_login(staff["i09"])
    response = client.get(QUEUE)
    assert response.status_code == 200
    shown = set(references(response))
    assert shown == {d.reference for d in queue_dossiers.values() if d.departement.code == "09"}
    assert "Département Ariège (09)" in text(response)


def test_the_dreets_sees_every_departement_and_filters_by_one(client, queue_dossiers, staff):
    client.force_login(staff["dreets"])
    assert set(references(client.get(QUEUE))) == {d.reference for d in queue_dossiers.values()}
    aude = client.get(QUEUE, {"departement": "11"})
    assert set(references(aude)) == {queue_dossiers["11-a"].reference, queue_dossiers["11-b"].reference}


def test_an_instructor_cannot_widen_its_scope_with_the_departement_filter(client, queue_dossiers, staff):
    client.force_login(staff["i09"])
    response = client.get(QUEUE, {"departement": "11"})
    assert queue_dossiers["11-a"].reference not in references(response)


def test_the_counts_per_state_follow_the_scope(client, queue_dossiers, staff):
    dossier_transition(dossier=queue_dossiers["09-mid"], transition="start_review", by=staff["i09"])
    client.force_login(staff["i09"])
    content = client.get(QUEUE).content.decode()
    assert 'data-state="depose" data-count="2"' in content
    assert 'data-state="en_instruction" data-count="1"' in content
    client.force_login(staff["dreets"])
    assert 'data-state="depose" data-count="4"' in client.get(QUEUE).content.decode()


def test_the_queue_filters_by_state_amount_epci_measure_and_public(client, queue_dossiers, staff):
    dossier_transition(dossier=queue_dossiers["09-mid"], transition="start_review", by=staff["i09"])
    client.force_login(staff["i09"])
    example, small, mid = queue_dossiers["example"], queue_dossiers["09-small"], queue_dossiers["09-mid"]
    assert references(client.get(QUEUE, {"state": "en_instruction"})) == [mid.reference]
    assert set(references(client.get(QUEUE, {"amount_min": "20 000", "amount_max": "62 000"}))) == {
        mid.reference,
        example.reference,
    }
    assert references(client.get(QUEUE, {"epci": "200067940"})) == [example.reference]
    assert references(client.get(QUEUE, {"measure": "2.3"})) == [example.reference]
    assert references(client.get(QUEUE, {"public": "travailleurs_pauvres"})) == [example.reference]
    assert references(client.get(QUEUE, {"public": "jeunes"})) == []
    assert small.reference not in references(client.get(QUEUE, {"amount_min": "15 000,01"}))


def test_inverted_amounts_get_a_french_error_and_are_ignored(client, queue_dossiers, staff):
    client.force_login(staff["i09"])
    response = client.get(QUEUE, {"amount_min": "50000", "amount_max": "10000"})
    assert "Le montant maximal doit être supérieur ou égal au montant minimal." in text(response)
    assert references(response) == [queue_dossiers["example"].reference]  # the valid minimum still applies


def test_the_queue_sorts_by_amount_reference_and_state(client, queue_dossiers, staff):
    client.force_login(staff["i09"])
    example, small, mid = queue_dossiers["example"], queue_dossiers["09-small"], queue_dossiers["09-mid"]
    assert references(client.get(QUEUE, {"sort": "-montant"})) == [example.reference, mid.reference, small.reference]
    assert references(client.get(QUEUE, {"sort": "montant"})) == [small.reference, mid.reference, example.reference]
    assert references(client.get(QUEUE, {"sort": "reference"})) == sorted(
        [example.reference, small.reference, mid.reference]
    )
    dossier_transition(dossier=small, transition="start_review", by=staff["i09"])
    assert references(client.get(QUEUE, {"sort": "-etat"}))[0] == small.reference


def test_the_queue_runs_a_fixed_number_of_queries_whatever_the_number_of_dossiers(
    client, queue_dossiers, staff, real_call
):
    client.force_login(staff["dreets"])
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    for i in range(6):
        bare_filed(real_call, code="09" if i % 2 else "11", grant=f"{1000 * (i + 1)}.00", title=f"Projet {i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(QUEUE)
    assert len(references(response)) == 11
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_queue_is_paginated(client, queue_dossiers, staff, settings, monkeypatch):
    monkeypatch.setattr("pactes.web.instruction.queue.PER_PAGE", 2)
    client.force_login(staff["dreets"])
    first = client.get(QUEUE, {"sort": "reference"})
    assert len(references(first)) == 2 and "fr-pagination" in first.content.decode()
    last = client.get(QUEUE, {"sort": "reference", "page": "3"})
    assert len(references(last)) == 1


def test_the_queue_states_the_instruction_deadline_of_the_call(client, queue_dossiers, staff):
    client.force_login(staff["i09"])
    response = text(client.get(QUEUE))
    expected = instruction_deadline(queue_dossiers["example"].call, timezone.localdate())
    assert expected is not None and expected.text in response


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2024, 9, 26), "commence dans 5 jours"),
        (dt.date(2024, 10, 7), "se termine dans 3 jours"),
        (dt.date(2024, 10, 10), "se termine aujourd'hui"),
        (dt.date(2024, 10, 25), "terminée depuis le 10 octobre 2024"),
    ],
)
def test_the_instruction_deadline_is_said_against_today(real_call, today, expected):
    deadline = instruction_deadline(real_call, today)
    assert expected in deadline.text
    assert "du 1er octobre 2024 au 10 octobre 2024" in deadline.text


@pytest.mark.parametrize("who", ["jury", "admin"])
def test_the_queue_is_not_for_other_staff(client, queue_dossiers, staff, who):
    client.force_login(staff[who])
    assert client.get(QUEUE).status_code == 404


def test_the_queue_is_not_for_applicants_and_sends_visitors_to_login(client, queue_dossiers, applicant):
    client.force_login(applicant)
    assert client.get(QUEUE).status_code == 404
    client.logout()
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# -- the dossier page ----------------------------------------------------------------------------------------------
def test_the_instructor_reads_the_filed_version_the_rules_and_the_checklist(client, filed, staff):
    client.force_login(staff["i09"])
    response = client.get(page_url(filed))
    assert response.status_code == 200
    content = text(response)
    assert "Version 1 — déposée le" in content
    assert json.loads(filed.versions.get().snapshot)["title"] in content
    assert 'id="panneau-regles"' in response.content.decode()
    assert "Relevé d'identité bancaire (RIB) au nom du porteur présent" in content
    assert "Commencer l'instruction" in content
    assert "Déclarer recevable" not in content  # not from « déposé »


def test_the_dreets_reads_the_dossier_page_but_has_no_instructor_button(client, filed, staff):
    client.force_login(staff["dreets"])
    response = client.get(page_url(filed))
    assert response.status_code == 200
    assert "Commencer l'instruction" not in text(response)


@pytest.mark.parametrize("who", ["i11", "jury", "admin"])
def test_the_dossier_page_answers_404_outside_the_instruction_scope(client, filed, staff, who):
    client.force_login(staff[who])
    assert client.get(page_url(filed)).status_code == 404


def test_the_dossier_page_answers_404_to_its_own_applicant_and_sends_visitors_to_login(client, filed, applicant):
    client.force_login(applicant)
    assert client.get(page_url(filed)).status_code == 404
    client.logout()
    response = client.get(page_url(filed))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_an_unknown_version_answers_404(client, filed, staff):
    client.force_login(staff["i09"])
    assert client.get(page_url(filed, version=7)).status_code == 404


def test_the_instructor_starts_the_review_then_declares_the_dossier_admissible(client, filed, staff):
    client.force_login(staff["i09"])
    response = fire(client, filed, "start_review", "depose")
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.state == DossierState.UNDER_REVIEW
    fire(client, filed, "declare_admissible", "en_instruction")
    filed.refresh_from_db()
    assert filed.state == DossierState.ADMISSIBLE
    history = text(client.get(page_url(filed)))
    assert (
        "Sophie Fabre" in history
        and 'data-transition="declare_admissible"' in client.get(page_url(filed)).content.decode()
    )


def test_inadmissible_without_motivation_is_refused_with_a_french_message(client, under_review, staff):
    client.force_login(staff["i09"])
    response = fire(client, under_review, "declare_inadmissible", "en_instruction", reason="")
    assert response.status_code == 200
    assert "La motivation est obligatoire pour « Déclarer irrecevable »." in text(response)
    under_review.refresh_from_db()
    assert under_review.state == DossierState.UNDER_REVIEW


def test_inadmissible_with_motivation_is_recorded_in_the_visible_history(client, under_review, staff):
    client.force_login(staff["i09"])
    fire(client, under_review, "declare_inadmissible", "en_instruction", reason="Aucun EPCI éligible au périmètre.")
    under_review.refresh_from_db()
    assert under_review.state == DossierState.INADMISSIBLE
    client.force_login(staff["dreets"])
    content = text(client.get(page_url(under_review)))
    assert "Aucun EPCI éligible au périmètre." in content
    assert "Rouvrir la recevabilité" in content  # the DREETS may reopen, with a motivation


def test_a_transition_posted_from_a_stale_page_is_refused_with_a_clear_message(client, filed, staff):
    client.force_login(staff["i09"])
    dossier_transition(dossier=filed, transition="start_review", by=staff["i09"])  # a colleague, meanwhile
    response = fire(client, filed, "start_review", "depose")
    assert response.status_code == 302
    followed = text(client.get(response["Location"]))
    assert "Le dossier a changé d'état entre-temps : rechargez la page avant de recommencer." in followed
    assert DossierTransitionLog.objects.filter(dossier=filed, transition="start_review").count() == 1


def test_a_role_that_may_not_fire_a_transition_is_refused(client, filed, staff):
    client.force_login(staff["dreets"])
    fire(client, filed, "start_review", "depose")
    filed.refresh_from_db()
    assert filed.state == DossierState.SUBMITTED


def test_the_instructor_ticks_the_checklist_with_comments(client, under_review, staff):
    client.force_login(staff["i09"])
    response = client.post(
        reverse("instruction:checklist", args=[under_review.reference]),
        {"statuts__verifie": "on", "statuts__commentaire": "Statuts 2019 signés.", "rib__commentaire": "RIB absent."},
    )
    assert response.status_code == 302
    checks = {c.item: c for c in ChecklistCheck.objects.filter(dossier=under_review)}
    assert checks["statuts"].is_checked and checks["statuts"].checked_by == staff["i09"]
    assert not checks["rib"].is_checked and checks["rib"].comment == "RIB absent."
    content = text(client.get(page_url(under_review)))
    assert "Statuts 2019 signés." in content and "RIB absent." in content


def test_an_instructor_of_another_departement_cannot_post_on_the_dossier(client, under_review, staff):
    client.force_login(staff["i11"])
    assert fire(client, under_review, "declare_admissible", "en_instruction").status_code == 404
    assert client.post(reverse("instruction:checklist", args=[under_review.reference]), {}).status_code == 404
    under_review.refresh_from_db()
    assert under_review.state == DossierState.UNDER_REVIEW


# -- complements round trip ----------------------------------------------------------------------------------------
def test_complements_round_trip_files_version_2_and_keeps_version_1_readable(
    client, under_review, staff, applicant, django_capture_on_commit_callbacks
):
    reference = under_review.reference
    due = (timezone.localdate() + dt.timedelta(days=6)).isoformat()
    client.force_login(staff["i09"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("instruction:complements", args=[reference]),
            {"state": "en_instruction", "message": "Précisez le diagnostic (sources chiffrées).", "due_on": due},
        )
    assert response.status_code == 302
    under_review.refresh_from_db()
    assert under_review.state == DossierState.COMPLEMENTS_REQUESTED
    assert any(applicant.email in m.to and "Compléments demandés" in m.subject for m in mail.outbox)

    # The applicant sees the request on its dossier, edits and answers.
    client.force_login(applicant)
    detail = text(client.get(reverse("dossiers:detail", args=[reference])))
    assert "Précisez le diagnostic (sources chiffrées)." in detail and "Modifier le dossier" in detail
    old_diagnostic = under_review.diagnostic
    step = client.post(
        reverse("dossiers:step", args=[reference, "diagnostic"]),
        {
            "lock_version": str(under_review.lock_version),
            "goto": "next",
            "diagnostic": "Diagnostic précisé : 23 % de taux de pauvreté (Filosofi 2019).",
            "complementarity": under_review.complementarity,
        },
    )
    assert step.status_code == 302
    summary = text(client.get(reverse("filing:summary", args=[reference])))
    assert "Transmettre les compléments" in summary
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("filing:summary", args=[reference]), {"certify": "on"})
    assert answer.status_code == 302
    under_review.refresh_from_db()
    assert under_review.state == DossierState.UNDER_REVIEW
    assert list(under_review.versions.values_list("number", flat=True)) == [1, 2]
    assert ComplementRequest.objects.get(dossier=under_review).answer_version.number == 2
    assert client.get(reverse("filing:version", args=[reference, 1])).status_code == 200

    # The instructor reads both versions.
    client.force_login(staff["i09"])
    latest = text(client.get(page_url(under_review)))
    assert "Version 2 — déposée le" in latest and "23 % de taux de pauvreté" in latest
    first = text(client.get(page_url(under_review, version=1)))
    assert "Version 1 — déposée le" in first and old_diagnostic.splitlines()[0] in first
    assert "23 % de taux de pauvreté" not in first


def test_complements_need_a_message_and_a_due_date_not_past(client, under_review, staff):
    client.force_login(staff["i09"])
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("instruction:complements", args=[under_review.reference]),
        {"state": "en_instruction", "message": "", "due_on": yesterday},
    )
    content = text(response)
    assert "Décrivez les compléments demandés au porteur." in content
    assert "La date limite de réponse ne peut pas être déjà passée." in content
    under_review.refresh_from_db()
    assert under_review.state == DossierState.UNDER_REVIEW


def test_a_filed_dossier_not_reopened_stays_read_only_for_its_applicant(client, filed, applicant):
    client.force_login(applicant)
    response = client.get(reverse("dossiers:step", args=[filed.reference, "diagnostic"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[filed.reference])


# -- exchanges -----------------------------------------------------------------------------------------------------
def messages_url(dossier) -> str:
    return reverse("instruction:messages", args=[dossier.reference])


def test_the_applicant_and_the_instructor_exchange_messages_with_a_piece(
    client, filed, staff, applicant, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            messages_url(filed),
            {
                "body": "Voici le RIB demandé.",
                "file": SimpleUploadedFile("rib.pdf", PDF, content_type="application/pdf"),
            },
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == [staff["i09"].email]
    message = Message.objects.get()
    client.force_login(staff["i09"])
    assert "Voici le RIB demandé." in text(client.get(messages_url(filed)))
    download = client.get(reverse("instruction:message_attachment", args=[filed.reference, message.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    with django_capture_on_commit_callbacks(execute=True):
        client.post(messages_url(filed), {"body": "Bien reçu, merci."})
    assert mail.outbox[-1].to == [applicant.email]


def test_private_annotations_never_reach_the_applicant(client, filed, staff, applicant):
    client.force_login(staff["i09"])
    client.post(
        messages_url(filed),
        {
            "body": "Annotation : fragilité financière du porteur.",
            "private": "on",
            "file": SimpleUploadedFile("note.pdf", PDF, content_type="application/pdf"),
        },
    )
    note = Message.objects.get(kind=MessageKind.ANNOTATION)
    client.force_login(staff["dreets"])
    assert "fragilité financière" in text(client.get(messages_url(filed)))
    client.force_login(applicant)
    page = text(client.get(messages_url(filed)))
    assert "fragilité financière" not in page and "note.pdf" not in page and "Annotation privée" not in page
    assert client.get(reverse("instruction:message_attachment", args=[filed.reference, note.pk])).status_code == 404
    assert "fragilité financière" not in text(client.get(reverse("dossiers:detail", args=[filed.reference])))
    client.post(messages_url(filed), {"body": "Je tente une annotation.", "private": "on"})
    assert Message.objects.get(body="Je tente une annotation.").kind == MessageKind.EXCHANGE


@pytest.mark.parametrize("who", ["i11", "jury", "admin"])
def test_the_exchanges_answer_404_outside_scope(client, filed, staff, who):
    client.force_login(staff[who])
    assert client.get(messages_url(filed)).status_code == 404


def test_the_exchanges_send_visitors_to_login_and_are_closed_on_a_draft(client, draft, applicant):
    response = client.get(messages_url(draft))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    client.force_login(applicant)
    assert client.get(messages_url(draft)).status_code == 404


def test_a_jury_member_does_not_see_the_annotations_of_a_transmitted_dossier(client, filed, staff):
    Message.objects.create(dossier=filed, kind=MessageKind.ANNOTATION, author=staff["i09"], body="Secret.")
    for move in ("start_review", "declare_admissible", "complete_evaluation", "transmit"):
        dossier_transition(dossier=filed, transition=move, by=staff["i09"])
    client.force_login(staff["jury"])
    assert client.get(reverse("dossiers:detail", args=[filed.reference])).status_code == 200
    assert client.get(messages_url(filed)).status_code == 404
    assert client.get(page_url(filed)).status_code == 404


# -- the dossier page's kept panel and document (pactes/web/instruction/dossier_page.py) -----------------------------
def requested_grant(response) -> str:
    return html.unescape(re.search(r'data-figure="requested_grant">([^<]+)<', response.content.decode())[1])


def test_the_rules_panel_is_kept_between_views_and_follows_every_change_of_the_content(client, filed, staff):
    client.force_login(staff["i09"])
    first = client.get(page_url(filed))
    with CaptureQueriesContext(connection) as again:
        second = client.get(page_url(filed))
    assert requested_grant(second) == requested_grant(first)
    assert not any("dossiers_impactmeasure" in q["sql"] for q in again.captured_queries)  # not judged again
    document = dossier_to_document(filed)
    [state_line] = [r for r in document["budget"]["resources"] if r["kind"] == "state_pts"]
    state_line["amount"] = str(Decimal(state_line["amount"]) - 1000)
    document_update_dossier(filed, document)  # a new content of an imported dossier: the edition counter moves
    changed = client.get(page_url(filed))
    assert requested_grant(changed) != requested_grant(first)
    assert requested_grant(changed) == requested_grant(client.get(page_url(filed)))


def test_the_rules_panel_follows_a_new_eligible_list_and_a_renamed_organisation(filed):
    filed = Dossier.objects.select_related("call", "organisation").get(pk=filed.pk)
    before = panel_fingerprint(filed, None)
    assert panel_fingerprint(filed, None) == before
    filed.organisation.kind = "commune"
    assert panel_fingerprint(filed, None) != before
    filed.organisation.kind = Organisation.objects.get(pk=filed.organisation_id).kind
    eligible = eligible_list_in_force(filed.call)
    eligible.arrested_at = eligible.arrested_at + dt.timedelta(days=1)
    eligible.save()
    assert panel_fingerprint(filed, None) != before


def test_the_filed_version_is_shown_the_same_from_the_kept_html(client, filed, staff):
    client.force_login(staff["i09"])

    def content(response) -> str:
        return re.search(r'<section id="contenu".*?</section>', response.content.decode(), re.S)[0]

    first = content(client.get(page_url(filed)))
    assert content(client.get(page_url(filed))) == first
    assert json.loads(filed.versions.get().snapshot)["applicant"]["name"] in html.unescape(first)
    assert '<h2 id="porteur">1. Porteur</h2>' in first  # markup, not escaped text
