"""Steps 9 and 10 through the browser's eyes: pieces uploaded and served only to those in scope, the récapitulatif
with its rules panel, the filing button, the frozen versions and their receipts."""

import datetime as dt
import html

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.dossiers.models import Attachment, AttachmentKind, DossierVersion
from pactes.dossiers.receipt import arrival_label
from pactes.organisations.models import Membership, Organisation
from pactes.rules.lifecycle import DossierState
from pactes.territories.models import Departement
from tests.dossiers.fixtures import PASSWORD, file_it, pdf_text
from tests.dossiers.test_attachments import EXE, PDF


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def other_applicant(db):
    user = User.objects.create_user("julien.marty@pactes.test", PASSWORD, role=Role.APPLICANT)
    organisation = Organisation.objects.create(name="Association Entraide Corbières-Minervois", kind="association")
    Membership.objects.create(organisation=organisation, user=user)
    return user


def instructor_of(code: str) -> User:
    return User.objects.create_user(
        f"ddets{code}@pactes.test", PASSWORD, role=Role.INSTRUCTOR, departement=Departement.objects.get(code=code)
    )


def upload(client, dossier, name, content, kind=AttachmentKind.STATUTES):
    return client.post(
        reverse("filing:attachments", args=[dossier.reference]),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


@pytest.fixture
def piece(client, draft, applicant):
    client.force_login(applicant)
    response = upload(client, draft, "statuts.pdf", PDF)
    assert response.status_code == 302
    client.logout()
    return Attachment.objects.get(dossier=draft)


def download_url(piece):
    return reverse("filing:attachment_download", args=[piece.dossier.reference, piece.pk])


# -- step 9: pièces jointes ----------------------------------------------------------------------------------------
def test_an_applicant_uploads_a_pdf_and_finds_it_listed(client, draft, applicant):
    client.force_login(applicant)
    response = upload(client, draft, "statuts.pdf", PDF)
    assert response.status_code == 302
    page = client.get(reverse("filing:attachments", args=[draft.reference]))
    assert page.status_code == 200
    assert "statuts.pdf" in page_text(page)
    assert "Étape 9 sur 10" in page_text(page)


def test_a_renamed_executable_is_refused_with_a_french_message_and_not_stored(client, draft, applicant):
    client.force_login(applicant)
    response = upload(client, draft, "programme.pdf", EXE)
    assert response.status_code == 200
    assert "pas un PDF valide" in page_text(response)
    assert not Attachment.objects.exists()


def test_the_owner_downloads_the_piece_as_an_attachment_that_is_never_sniffed(client, piece, applicant):
    client.force_login(applicant)
    response = client.get(download_url(piece))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "statuts.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_another_applicant_gets_404_on_the_download_and_the_list(client, piece, other_applicant):
    client.force_login(other_applicant)
    assert client.get(download_url(piece)).status_code == 404
    assert client.get(reverse("filing:attachments", args=[piece.dossier.reference])).status_code == 404


def test_another_applicant_cannot_delete_a_piece(client, piece, other_applicant):
    client.force_login(other_applicant)
    response = client.post(reverse("filing:attachment_delete", args=[piece.dossier.reference, piece.pk]))
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=piece.pk).exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, piece):
    response = client.get(download_url(piece))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_only_the_instructors_of_its_departement_reach_a_filed_dossiers_piece(
    client, piece, applicant, django_capture_on_commit_callbacks
):
    ariege, aude = instructor_of("09"), instructor_of("11")
    client.force_login(ariege)
    assert client.get(download_url(piece)).status_code == 404  # a draft is the applicant's alone
    file_it(piece.dossier, applicant, django_capture_on_commit_callbacks)
    assert client.get(download_url(piece)).status_code == 200
    client.force_login(aude)
    assert client.get(download_url(piece)).status_code == 404


def test_a_piece_is_reachable_by_no_url_under_media_or_static(client, piece, applicant, media_root):
    assert django_settings.MEDIA_URL in (None, "")
    client.force_login(applicant)
    for prefix in ("/media/", "/static/", "/", "/uploads/"):
        assert client.get(f"{prefix}{piece.file.name}").status_code == 404, prefix
    stored = (media_root / piece.file.name).resolve()
    for public in [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]:
        assert not stored.is_relative_to(public)


def test_the_owner_removes_a_piece_while_the_dossier_is_a_draft(client, piece, applicant):
    client.force_login(applicant)
    response = client.post(reverse("filing:attachment_delete", args=[piece.dossier.reference, piece.pk]))
    assert response.status_code == 302
    assert not Attachment.objects.exists()


# -- step 10: récapitulatif et dépôt -------------------------------------------------------------------------------
def summary_url(dossier):
    return reverse("filing:summary", args=[dossier.reference])


def test_the_summary_shows_every_step_the_budget_the_rules_panel_and_the_filing_form(client, draft, applicant):
    client.force_login(applicant)
    content = page_text(client.get(summary_url(draft)))
    for expected in (
        "Récapitulatif du dossier",
        "Garde d'enfants en horaires atypiques",
        "Total des dépenses",
        "Contributions volontaires en nature",
        "Taux de cofinancement",
        "Règles de l'appel",
        "Le budget est équilibré",
        "Je certifie l'exactitude des informations",
        "Déposer le dossier",
    ):
        assert expected in content, expected


def test_filing_without_the_certification_is_refused(client, demo_draft, applicant):
    client.force_login(applicant)
    response = client.post(summary_url(demo_draft), {})
    assert response.status_code == 200
    assert "Cochez la case de certification" in page_text(response)
    demo_draft.refresh_from_db()
    assert demo_draft.state == DossierState.DRAFT


def test_filing_after_the_deadline_shows_why_and_keeps_the_draft(client, draft, applicant):
    client.force_login(applicant)
    response = client.post(summary_url(draft), {"certify": "on"})
    assert response.status_code == 200
    content = page_text(response)
    assert "Le dossier n'a pas été déposé" in content
    assert 'data-code="DEADLINE_PASSED"' in content
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT


def test_filing_through_the_page_freezes_a_version_and_offers_its_receipt(
    client, demo_draft, applicant, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(summary_url(demo_draft), {"certify": "on"})
    assert response.status_code == 302
    demo_draft.refresh_from_db()
    assert demo_draft.state == DossierState.SUBMITTED
    version = DossierVersion.objects.get(dossier=demo_draft)
    assert len(mail.outbox) == 1

    page = page_text(client.get(summary_url(demo_draft)))
    assert version.sha256 in page
    assert "Déposer le dossier" not in page
    receipt = client.get(reverse("filing:receipt", args=[demo_draft.reference, 1]))
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"
    assert b"".join(receipt.streaming_content).startswith(b"%PDF-")
    frozen = client.get(reverse("filing:version", args=[demo_draft.reference, 1]))
    assert frozen.status_code == 200
    assert "Garde d'enfants en horaires atypiques" in page_text(frozen)


def test_a_filed_dossier_accepts_no_new_piece(client, draft, applicant, django_capture_on_commit_callbacks):
    file_it(draft, applicant, django_capture_on_commit_callbacks)
    client.force_login(applicant)
    page = page_text(client.get(reverse("filing:attachments", args=[draft.reference])))
    assert "lecture seule" in page
    response = upload(client, draft, "statuts.pdf", PDF)
    assert response.status_code == 302
    assert not Attachment.objects.exists()


def test_versions_and_receipts_are_hidden_from_another_applicant(
    client, draft, applicant, other_applicant, django_capture_on_commit_callbacks
):
    file_it(draft, applicant, django_capture_on_commit_callbacks)
    client.force_login(other_applicant)
    assert client.get(summary_url(draft)).status_code == 404
    assert client.get(reverse("filing:version", args=[draft.reference, 1])).status_code == 404
    assert client.get(reverse("filing:receipt", args=[draft.reference, 1])).status_code == 404


# -- the deadline: arrival time, receipt after commit, double submission --------------------------------------------
def receipt_url(dossier, number=1):
    return reverse("filing:receipt", args=[dossier.reference, number])


def test_the_receipt_is_in_preparation_until_the_filing_has_committed(
    client, demo_draft, applicant, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        response = client.post(summary_url(demo_draft), {"certify": "on"})
    assert response.status_code == 302
    version = DossierVersion.objects.get(dossier=demo_draft)
    assert not version.receipt_pdf  # nothing was rendered inside the filing's transaction
    assert len(after_commit) == 1

    summary = page_text(client.get(summary_url(demo_draft)))
    assert "Accusé de réception en préparation" in summary
    assert "L'accusé de réception est en préparation" in summary
    assert "Accusé de réception en préparation" in page_text(
        client.get(reverse("filing:version", args=[demo_draft.reference, 1]))
    )
    pending = client.get(receipt_url(demo_draft))
    assert pending.status_code == 200
    assert pending["Content-Type"].startswith("text/html")
    content = page_text(pending)
    assert "Accusé de réception en préparation" in content
    assert "Votre dossier a bien été reçu" in content
    assert f'href="{receipt_url(demo_draft)}"' in content  # the refresh link
    assert mail.outbox == []


def test_the_receipt_is_rendered_and_mailed_after_commit(
    client, demo_draft, applicant, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(summary_url(demo_draft), {"certify": "on"})
    version = DossierVersion.objects.get(dossier=demo_draft)
    assert version.receipt_pdf
    assert len(mail.outbox) == 1
    assert "Accusé de réception en préparation" not in page_text(client.get(summary_url(demo_draft)))
    receipt = client.get(receipt_url(demo_draft))
    assert receipt["Content-Type"] == "application/pdf"
    assert b"".join(receipt.streaming_content).startswith(b"%PDF-")


def test_a_receipt_still_pending_after_the_grace_delay_is_rendered_on_demand(
    client, demo_draft, applicant, django_capture_on_commit_callbacks, settings
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(summary_url(demo_draft), {"certify": "on"})
    settings.PACTES_RECEIPT_GRACE_SECONDS = 0  # the background task never ran
    receipt = client.get(receipt_url(demo_draft))
    assert receipt["Content-Type"] == "application/pdf"
    assert DossierVersion.objects.get(dossier=demo_draft).receipt_pdf
    assert mail.outbox == []  # the e-mail belongs to the task; the receipt stays online


def stamp(moment):
    return f"t={moment.timestamp():.6f}"


def test_the_receipt_states_the_arrival_time_of_a_trusted_proxy_to_the_second(
    client, demo_draft, applicant, django_capture_on_commit_callbacks, settings
):
    settings.PACTES_TRUSTED_PROXIES = ["127.0.0.0/8"]
    arrived = (timezone.now() - dt.timedelta(seconds=7)).replace(microsecond=250_000)
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(summary_url(demo_draft), {"certify": "on"}, HTTP_X_REQUEST_START=stamp(arrived))
    version = DossierVersion.objects.get(dossier=demo_draft)
    assert version.submitted_at == arrived.replace(microsecond=0)
    text = pdf_text(version)
    label = arrival_label(arrived, demo_draft.call)
    assert label.endswith(f" min {arrived.astimezone(demo_draft.call.rules.timezone).second:02d} s")
    assert f"Dossier reçu le {label} (heure de Paris)" in " ".join(text.split())
    assert f"reçu le {label}" in mail.outbox[0].body


def test_an_arrival_header_from_an_untrusted_address_is_ignored(
    client, demo_draft, applicant, django_capture_on_commit_callbacks, settings
):
    settings.PACTES_TRUSTED_PROXIES = ["10.0.0.1"]
    forged = timezone.now() - dt.timedelta(seconds=120)
    client.force_login(applicant)
    before = timezone.now().replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(summary_url(demo_draft), {"certify": "on"}, HTTP_X_REQUEST_START=stamp(forged))
    assert DossierVersion.objects.get(dossier=demo_draft).submitted_at >= before


def test_a_double_submission_gives_one_version_and_a_french_message(
    client, demo_draft, applicant, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(summary_url(demo_draft), {"certify": "on"})
        second = client.post(summary_url(demo_draft), {"certify": "on"}, follow=True)
    assert first.status_code == 302
    assert DossierVersion.objects.filter(dossier=demo_draft).count() == 1
    assert len(mail.outbox) == 1
    content = page_text(second)
    assert "Le dossier a déjà été déposé" in content
    assert "Votre nouvel envoi n'a rien changé" in content
    assert "ne peut pas être déposé" not in content
