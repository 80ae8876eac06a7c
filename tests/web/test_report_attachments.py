"""Issue 16 (11): interim and final reports accept supporting documents, checked like every upload and scoped: the
porteurs add and remove them while the report is editable; the DDETS-PP of the département and the DREETS read them;
another département, another applicant and an anonymous visitor get nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from weasyprint import HTML

from pactes.accounts.models import Role, User
from pactes.core.integrity import verify
from pactes.core.models import DownloadLog, JournalEntry
from pactes.followup.models import ReportAttachment
from pactes.followup.services import report_open, report_submit, report_update

LOGIN_URL = reverse("accounts:login")


def a_pdf() -> bytes:
    return HTML(string="<h1>Feuille d'émargement</h1><p>Atelier du 12 mars : 14 familles.</p>").write_pdf()


@pytest.fixture
def interim(paid_agreement, accounts):
    report = report_open(dossier=paid_agreement.dossier, kind="intermediaire", by=accounts["porteur.ariege"])
    return report_update(report=report, qualitative_assessment="Mi-parcours.", by=accounts["porteur.ariege"])


def add_url(report):
    return reverse("followup:report_attachment_add", args=[report.dossier.reference, report.kind])


def post_file(client, report, name="emargement.pdf", content=None, content_type="application/pdf"):
    upload = SimpleUploadedFile(name, a_pdf() if content is None else content, content_type=content_type)
    return client.post(add_url(report), {"file": upload, "description": "Émargements, 1er trimestre"}, follow=True)


def test_the_applicant_joins_a_document_that_the_instructor_and_the_dreets_download(client, interim, accounts):
    client.force_login(accounts["porteur.ariege"])
    page = post_file(client, interim).content.decode()
    assert "La pièce « emargement.pdf » est jointe au bilan." in page
    piece = ReportAttachment.objects.get()
    assert piece.report == interim and piece.size > 0 and len(piece.sha256) == 64
    url = reverse("followup:report_attachment", args=[interim.dossier.reference, interim.kind, piece.pk])
    for who, status in (("porteur.ariege", 200), ("instructeur.09", 200), ("dreets", 200)):
        client.force_login(accounts[who])
        response = client.get(url)
        assert response.status_code == status, who
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    report_page = client.get(reverse("followup:report", args=[interim.dossier.reference, interim.kind]))
    assert "emargement.pdf" in report_page.content.decode()
    # A supporting document is a fact of the record: journaled with its bytes' hash, each download logged.
    entry = JournalEntry.objects.get(model="followup.ReportAttachment", object_pk=str(piece.pk))
    assert entry.kind == "attachment"
    assert DownloadLog.objects.filter(document="attachment", dossier_id=interim.dossier_id).count() == 3


def test_a_supporting_document_changed_on_disk_is_not_served(client, interim, accounts):
    client.force_login(accounts["porteur.ariege"])
    post_file(client, interim)
    piece = ReportAttachment.objects.get()
    with open(piece.file.path, "ab") as handle:
        handle.write(b"%%altered")
    url = reverse("followup:report_attachment", args=[interim.dossier.reference, interim.kind, piece.pk])
    client.force_login(accounts["dreets"])
    response = client.get(url)
    assert response.status_code == 409
    assert "Empreinte non conforme" in response.content.decode()
    assert not verify().intact


def test_another_departement_another_applicant_and_an_anonymous_visitor_get_nothing(client, interim, accounts):
    client.force_login(accounts["porteur.ariege"])
    post_file(client, interim)
    piece = ReportAttachment.objects.get()
    url = reverse("followup:report_attachment", args=[interim.dossier.reference, interim.kind, piece.pk])
    client.force_login(accounts["instructeur.11"])
    assert client.get(url).status_code == 404
    client.force_login(accounts["porteur.aude"])
    assert client.get(url).status_code == 404
    assert post_file(client, interim).redirect_chain == [] or not ReportAttachment.objects.exclude(pk=piece.pk)
    client.logout()
    assert client.get(url).url.startswith(LOGIN_URL)


def test_a_file_whose_content_is_not_what_it_claims_is_refused_in_french(client, interim, accounts):
    client.force_login(accounts["porteur.ariege"])
    page = post_file(client, interim, name="factures.pdf", content=b"MZ\x90\x00 not a pdf").content.decode()
    assert "factures.pdf" in page and "n'est pas un PDF valide" in page.replace("&#x27;", "'")
    assert not ReportAttachment.objects.exists()


def test_documents_are_frozen_once_the_report_is_submitted(client, interim, accounts):
    client.force_login(accounts["porteur.ariege"])
    post_file(client, interim)
    report_submit(report=interim, by=accounts["porteur.ariege"])
    page = post_file(client, interim, name="autre.pdf").content.decode()
    assert ReportAttachment.objects.count() == 1
    piece = ReportAttachment.objects.get()
    remove = reverse("followup:report_attachment_remove", args=[interim.dossier.reference, interim.kind, piece.pk])
    client.post(remove)
    assert ReportAttachment.objects.count() == 1
    assert "plus modifiable" in page or "ne se modifient plus" in page


def test_the_applicant_removes_a_document_while_the_report_is_a_draft(client, interim, accounts):
    client.force_login(accounts["porteur.ariege"])
    post_file(client, interim)
    piece = ReportAttachment.objects.get()
    remove = reverse("followup:report_attachment_remove", args=[interim.dossier.reference, interim.kind, piece.pk])
    client.post(remove)
    assert not ReportAttachment.objects.exists()
    report = verify()  # the removal is journaled: nothing of the report's pieces breaks the record
    assert not [b for b in report.breaks if "bilan" in b.message], report.breaks
    other = User.objects.create_user("autre@pactes.test", "x-pass-123456", role=Role.APPLICANT)
    client.force_login(other)
    assert client.post(add_url(interim)).status_code == 404
