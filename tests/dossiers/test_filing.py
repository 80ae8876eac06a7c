"""Filing (dépôt): refused after the deadline or while a rule fails, otherwise a frozen version, a receipt and an
e-mail. The fixtures (a complete dossier built from the interchange example) are in tests/dossiers/fixtures.py."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.core import mail

from pactes.accounts.models import Role, User
from pactes.dossiers.filing import (
    FilingRefused,
    dossier_file,
)
from pactes.dossiers.interchange import (
    document_sha256,
    dossier_to_document,
)
from pactes.dossiers.models import Dossier, DossierTransitionLog, DossierVersion, ResourceLine
from pactes.dossiers.notifications import receipt_recipients
from pactes.dossiers.receipt import arrival_label, receipt_ensure, receipt_is_pending
from pactes.rules.lifecycle import DossierState
from tests.dossiers.fixtures import AFTER_DEADLINE, FILING_NOW, PARIS, PASSWORD, file_it, pdf_text


def test_filing_is_refused_after_the_deadline_and_the_dossier_stays_a_draft(draft, applicant):
    with pytest.raises(FilingRefused) as refused:
        dossier_file(dossier=draft, by=applicant, now=AFTER_DEADLINE)
    [deadline] = [r for r in refused.value.reasons if r.code == "DEADLINE_PASSED"]
    assert "30 septembre 2024 à 23 h 59" in deadline.message
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT
    assert not DossierVersion.objects.exists()
    assert mail.outbox == []


def test_filing_by_the_server_clock_is_refused_once_the_2024_call_has_closed(draft, applicant):
    with pytest.raises(FilingRefused) as refused:
        dossier_file(dossier=draft, by=applicant)
    assert "DEADLINE_PASSED" in [r.code for r in refused.value.reasons]


def test_filing_is_refused_with_the_reasons_of_a_failing_rule(draft, applicant):
    ResourceLine.objects.filter(dossier=draft, kind="state_pts").update(amount=Decimal("62000.01"))
    ResourceLine.objects.filter(dossier=draft, kind="own_funds").update(amount=Decimal("9999.99"))
    with pytest.raises(FilingRefused) as refused:
        dossier_file(dossier=draft, by=applicant, now=FILING_NOW)
    codes = [r.code for r in refused.value.reasons]
    assert "GRANT_OVER_CAP" in codes
    assert all(r.message for r in refused.value.reasons)
    assert Dossier.objects.get(pk=draft.pk).state == DossierState.DRAFT
    assert not DossierTransitionLog.objects.exists()


def test_an_instructor_cannot_file_a_dossier(draft, db):
    instructor = User.objects.create_user(
        "ddets09@pactes.test", PASSWORD, role=Role.INSTRUCTOR, departement=draft.departement
    )
    with pytest.raises(FilingRefused) as refused:
        dossier_file(dossier=draft, by=instructor, now=FILING_NOW)
    assert "TRANSITION_NOT_ALLOWED" in [r.code for r in refused.value.reasons]


def test_a_filed_dossier_cannot_be_filed_again(draft, applicant, django_capture_on_commit_callbacks):
    file_it(draft, applicant, django_capture_on_commit_callbacks)
    with pytest.raises(FilingRefused) as refused:
        dossier_file(dossier=draft, by=applicant, now=FILING_NOW)
    assert "TRANSITION_NOT_FROM_STATE" in [r.code for r in refused.value.reasons]
    assert DossierVersion.objects.count() == 1


# -- accepted ------------------------------------------------------------------------------------------------------
def test_filing_a_complete_dossier_freezes_version_1_logs_the_transition_and_mails_the_receipt(
    draft, applicant, django_capture_on_commit_callbacks
):
    version = file_it(draft, applicant, django_capture_on_commit_callbacks)

    draft.refresh_from_db()
    assert draft.state == DossierState.SUBMITTED
    assert draft.submitted_at == FILING_NOW
    assert (version.number, version.submitted_at, version.submitted_by) == (1, FILING_NOW, applicant)
    log = DossierTransitionLog.objects.get(dossier=draft)
    assert (log.transition, log.from_state, log.to_state, log.by) == ("submit", "brouillon", "depose", applicant)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"[AMI 2024-PTS] Accusé de réception du dossier {draft.reference}"
    assert applicant.email in message.to
    assert version.sha256 in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name.endswith(".pdf"), mimetype) == (True, "application/pdf")
    assert content.startswith(b"%PDF-")


def test_the_snapshot_hash_is_the_sha256_of_the_stored_snapshot_and_stays_stable(
    draft, applicant, django_capture_on_commit_callbacks
):
    version = file_it(draft, applicant, django_capture_on_commit_callbacks)
    version.refresh_from_db()
    snapshot = json.loads(version.snapshot)

    assert version.sha256 == hashlib.sha256(version.snapshot.encode("utf-8")).hexdigest()
    assert version.sha256 == document_sha256(snapshot)
    assert snapshot["format"] == "pactes.dossier/1"
    assert snapshot["submitted_at"] == "2024-09-27T16:30:00+02:00"
    # Exported again from the filed dossier, the document gives the very same hash.
    draft.refresh_from_db()
    assert document_sha256(dossier_to_document(draft)) == version.sha256


def test_the_receipt_pdf_shows_the_hash_the_dossier_number_and_the_filing_time(
    draft, applicant, django_capture_on_commit_callbacks
):
    version = file_it(draft, applicant, django_capture_on_commit_callbacks)
    text = pdf_text(version)
    assert "Accusé de réception" in text
    assert version.sha256 in text
    assert draft.reference in text
    assert "27 septembre 2024 à 16 h 30" in text
    assert "Association Solidarités Couserans" in text
    assert "124 000" in text.replace("\u202f", " ").replace("\u00a0", " ")


def test_filing_again_after_a_reopening_creates_version_2_and_keeps_version_1(
    draft, applicant, django_capture_on_commit_callbacks
):
    first = file_it(draft, applicant, django_capture_on_commit_callbacks)
    # Reopening belongs to the instruction (issue 4); until its transition exists, put the dossier back in draft.
    Dossier.objects.filter(pk=draft.pk).update(state=DossierState.DRAFT.value, submitted_at=None)
    draft.refresh_from_db()
    draft.title = "Couserans solidaire, version révisée"
    draft.save(update_fields=["title"])

    second = file_it(draft, applicant, django_capture_on_commit_callbacks, now=FILING_NOW + dt.timedelta(days=1))

    assert (first.number, second.number) == (1, 2)
    first.refresh_from_db()
    assert json.loads(first.snapshot)["title"] != json.loads(second.snapshot)["title"]
    assert first.sha256 == hashlib.sha256(first.snapshot.encode("utf-8")).hexdigest()
    assert first.receipt_pdf.name != second.receipt_pdf.name
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        (
            "contact@solidarites-couserans.example",
            ["camille.roux@pactes.test", "contact@solidarites-couserans.example"],
        ),
        ("CAMILLE.ROUX@pactes.test", ["camille.roux@pactes.test"]),
        ("Marie Durand, 05 61 00 00 00", ["camille.roux@pactes.test"]),
        ("", ["camille.roux@pactes.test"]),
    ],
)
def test_the_receipt_goes_to_the_filer_and_to_the_dossier_contact_when_it_is_an_address(applicant, contact, expected):
    version = DossierVersion(snapshot=json.dumps({"applicant": {"contact": contact}}), submitted_by=applicant)
    assert receipt_recipients(version=version) == expected


# -- the filing transaction and its receipt after commit -----------------------------------------------------------
def test_the_filing_transaction_renders_nothing_the_receipt_comes_after_commit(
    draft, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        version = dossier_file(dossier=draft, by=applicant, now=FILING_NOW)
    assert receipt_is_pending(version)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):  # the receipt's e-mail leaves after its own commit
        for callback in after_commit:
            callback()
    version.refresh_from_db()
    assert not receipt_is_pending(version)
    assert len(mail.outbox) == 1


def test_a_second_filing_from_a_stale_page_is_refused_and_creates_nothing(
    draft, applicant, django_capture_on_commit_callbacks
):
    stale = Dossier.objects.get(pk=draft.pk)  # a second tab, opened before the first filing
    file_it(draft, applicant, django_capture_on_commit_callbacks)
    with pytest.raises(FilingRefused) as refused:
        dossier_file(dossier=stale, by=applicant, now=FILING_NOW)
    assert [r.code for r in refused.value.reasons] == ["STATE_CHANGED"]
    assert DossierVersion.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_receipt_is_rendered_once_however_many_times_it_is_asked_for(
    draft, applicant, django_capture_on_commit_callbacks, media_root
):
    version = file_it(draft, applicant, django_capture_on_commit_callbacks)
    again = receipt_ensure(version_id=version.pk)
    assert again.receipt_pdf.name == version.receipt_pdf.name
    assert len(list(media_root.rglob("*.pdf"))) == 1


def test_the_arrival_is_stated_to_the_second():
    call = type("CallStub", (), {"rules": type("Rules", (), {"timezone": PARIS})()})()
    moment = dt.datetime(2024, 9, 30, 21, 59, 57, 900_000, tzinfo=dt.UTC)
    assert arrival_label(moment, call) == "30 septembre 2024 à 23 h 59 min 57 s"


def test_a_filing_has_one_moment(draft, applicant):
    with pytest.raises(ValueError, match="un seul moment"):
        dossier_file(dossier=draft, by=applicant, now=FILING_NOW, arrived_at=FILING_NOW)
