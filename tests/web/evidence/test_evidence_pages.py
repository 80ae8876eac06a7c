"""The evidence pages: « Intégrité du registre » (DREETS), the « Historique » tab of a dossier (its instructors and
the DREETS), its downloads (DREETS); the version page and the downloads flag or refuse a content whose hash no
longer matches (« empreinte non conforme »). Another département, an applicant and an anonymous visitor get
nothing."""

import io
from pathlib import Path

import pytest
from django.urls import reverse

from pactes.accounts.models import Role, User
from pactes.assessment.services import evaluation_reopen
from pactes.core.models import DownloadLog
from pactes.dossiers.attachments import attachment_add
from pactes.dossiers.models import AttachmentKind, DossierVersion
from pactes.dossiers.services import dossier_transition
from tests.assessment.fixtures import evaluate
from tests.dossiers.fixtures import file_it

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def text(response) -> str:
    return response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture
def dossier(draft, applicant, django_capture_on_commit_callbacks):
    """The Ariège example with its statutes, filed."""
    attachment_add(
        dossier=draft, kind=AttachmentKind.STATUTES, name="Statuts.pdf", stream=io.BytesIO(PDF), by=applicant
    )
    file_it(draft, applicant, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    return draft


def download_url(dossier) -> str:
    return reverse("filing:attachment_download", args=[dossier.reference, dossier.attachments.get().pk])


# -- access --------------------------------------------------------------------------------------------------------
def test_only_the_dreets_reads_the_integrity_page(client, dossier, staff, applicant):
    url = reverse("evidence:integrity")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (staff["i09"], staff["jury"], applicant):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(staff["dreets"])
    response = client.get(url)
    assert response.status_code == 200
    assert "<h1>Intégrité du registre</h1>" in text(response)


def test_the_history_is_for_the_instructors_of_the_dossier_and_the_dreets(client, dossier, staff, applicant):
    url = reverse("evidence:history", args=[dossier.reference])
    assert client.get(url).status_code == 302
    for user in (staff["i11"], applicant, staff["jury"]):
        client.force_login(user)
        assert client.get(url).status_code == 404
    for user in (staff["i09"], staff["dreets"]):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_the_downloads_of_a_dossier_are_for_the_dreets_only(client, dossier, staff, applicant):
    url = reverse("evidence:downloads", args=[dossier.reference])
    assert client.get(url).status_code == 302
    for user in (staff["i09"], staff["i11"], applicant):
        client.force_login(user)
        assert client.get(url).status_code == 404


# -- the record verified from the page -----------------------------------------------------------------------------
def test_the_dreets_verifies_the_record_and_sees_the_chain_head(client, dossier, staff):
    client.force_login(staff["dreets"])
    response = client.post(reverse("evidence:integrity"), follow=True)
    page = text(response)
    assert 'data-integrity="intact"' in page
    assert "Registre intact" in page
    assert "Tête de la chaîne" in page and "n° 3" in page


def test_a_tampered_snapshot_is_flagged_on_every_page(client, dossier, staff, applicant):
    version = dossier.versions.get()
    DossierVersion.objects.filter(pk=version.pk).update(snapshot=version.snapshot.replace("Ariège", "Aude", 1))
    client.force_login(staff["dreets"])
    page = text(client.post(reverse("evidence:integrity"), follow=True))
    assert 'data-integrity="broken"' in page
    assert "empreinte non conforme (instantané JSON canonique)" in page
    for user in (staff["i09"], staff["dreets"]):
        client.force_login(user)
        page = text(client.get(reverse("instruction:dossier", args=[dossier.reference])))
        assert 'data-tampered="version"' in page
        assert "Empreinte non conforme" in page
    client.force_login(applicant)
    page = text(client.get(reverse("filing:version", args=[dossier.reference, 1])))
    assert "Empreinte non conforme" in page
    assert "Ce contenu est figé" not in page


def test_an_attachment_changed_on_disk_is_refused_and_flagged(client, dossier, staff, media_root):
    piece = dossier.attachments.get()
    client.force_login(staff["i09"])
    assert client.get(download_url(dossier)).status_code == 200
    path = Path(media_root) / piece.file.name
    path.write_bytes(path.read_bytes().replace(b"595", b"596"))
    response = client.get(download_url(dossier))
    assert response.status_code == 409
    assert "Empreinte non conforme" in text(response)
    assert piece.sha256 in text(response)
    assert response["Cache-Control"] == "private, no-store"
    page = text(client.get(reverse("instruction:dossier", args=[dossier.reference])))
    assert 'data-tampered="attachment"' in page


# -- who saw what ---------------------------------------------------------------------------------------------------
def test_every_download_is_logged_and_listed_for_the_dreets(client, dossier, staff, applicant):
    client.force_login(applicant)
    assert client.get(download_url(dossier)).status_code == 200
    assert client.get(reverse("filing:receipt", args=[dossier.reference, 1])).status_code == 200
    client.force_login(staff["i09"])
    assert client.get(download_url(dossier)).status_code == 200
    logs = list(DownloadLog.objects.order_by("pk").values_list("user__email", "document", "dossier_id"))
    assert logs == [
        (applicant.email, "attachment", dossier.pk),
        (applicant.email, "receipt", dossier.pk),
        (staff["i09"].email, "attachment", dossier.pk),
    ]
    client.force_login(staff["dreets"])
    page = text(client.get(reverse("evidence:downloads", args=[dossier.reference])))
    assert page.count('data-document="attachment"') == 2
    assert "Accusé de réception" in page and "Statuts.pdf" in page


# -- the history tab --------------------------------------------------------------------------------------------------
def test_the_history_tab_shows_the_57000_to_7000_change_with_its_author(client, dossier, staff):
    instructor = staff["i09"]
    dossier_transition(dossier=dossier, transition="start_review", by=instructor)
    dossier_transition(dossier=dossier, transition="declare_admissible", by=instructor)
    evaluate(dossier, instructor, "57000")
    colleague = User.objects.create_user(
        "nadia.colleague@ddets-09.test",
        "mot-de-passe-solide",
        role=Role.INSTRUCTOR,
        departement=dossier.departement,
        first_name="Nadia",
        last_name="Collègue",
    )
    evaluation_reopen(dossier=dossier, by=colleague)
    client.force_login(colleague)
    response = client.post(
        reverse("assessment:proposal", args=[dossier.reference]), {"proposed_amount": "7 000", "opinion": "favorable"}
    )
    assert response.status_code == 302
    client.force_login(staff["dreets"])
    page = text(client.get(reverse("evidence:history", args=[dossier.reference])))
    row = page.split("57 000 €</td>")[-1].split("</tr>")[0]
    assert "7 000 €" in row
    before = page.split("57 000 €</td>")[-2].rsplit("<tr>", 1)[-1]
    assert "Nadia Collègue" in before
    assert "Proposition de la DDETS-PP" in before


def test_the_dreets_reaches_the_integrity_page_from_its_space(client, dossier, staff):
    client.force_login(staff["dreets"])
    assert reverse("evidence:integrity") in text(client.get(reverse("core:dashboard")))
    client.force_login(staff["i09"])
    assert reverse("evidence:integrity") not in text(client.get(reverse("core:dashboard")))
