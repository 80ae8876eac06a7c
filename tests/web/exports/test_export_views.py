"""Exports through the web: the call's export and the list pages' « Exporter » links, scope, the download log, the
background job's lifecycle (« Mes exports », progress JSON, e-mail, expiry)."""

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from pactes.exports.models import ExportDownload, ExportJob, JobState
from pactes.exports.services import export_jobs_purge
from pactes.outbox.models import OutgoingEmail

CALL = "pts-occitanie-2024"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_dreets_downloads_the_whole_call_and_it_is_logged(client, paid_agreement, accounts):
    client.force_login(accounts["dreets"])
    response = client.get(f"/appels/{CALL}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(body(response)))
    assert book.sheetnames[0] == "lisez-moi" and len(book.sheetnames) == 13
    log = ExportDownload.objects.get()
    assert (log.user, log.source, log.format, log.dossier_count) == (accounts["dreets"], "appel", "xlsx", 2)


def test_csv_export_is_a_zip(client, paid_agreement, accounts):
    client.force_login(accounts["instructeur.09"])
    response = client.get(f"/appels/{CALL}/export.csv")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "dossiers.csv" in zipfile.ZipFile(io.BytesIO(body(response))).namelist()


def test_anonymous_is_sent_to_log_in(client, paid_agreement):
    response = client.get(f"/appels/{CALL}/export.ods")
    assert response.status_code == 302 and response["Location"].startswith("/compte/")
    assert client.get("/exports/").status_code == 302


@pytest.mark.parametrize("who", ["porteur.ariege", "jury"])
def test_applicant_and_jury_get_404(client, paid_agreement, accounts, who):
    client.force_login(accounts[who])
    assert client.get(f"/appels/{CALL}/export.xlsx").status_code == 404
    assert client.get("/exports/instruction.xlsx").status_code == 404
    assert client.get("/exports/").status_code == 404
    assert not ExportDownload.objects.exists()


def test_unknown_call_or_page_is_404(client, paid_agreement, accounts):
    client.force_login(accounts["dreets"])
    assert client.get("/appels/inconnu/export.xlsx").status_code == 404
    assert client.get("/exports/inconnu.xlsx").status_code == 404
    assert client.get("/exports/comite.xlsx?seance=999999").status_code == 404


def test_queue_export_keeps_the_page_filters(client, paid_agreement, accounts):
    client.force_login(accounts["dreets"])
    page = client.get("/instruction/?departement=11&q=corbieres")
    html = page.content.decode()
    assert "Exporter" in html
    assert "/exports/instruction.xlsx?departement=11&amp;q=corbieres" in html
    response = client.get("/exports/instruction.xlsx?departement=11&q=corbieres")
    book = load_workbook(io.BytesIO(body(response)))
    rows = list(book["dossiers"].iter_rows(values_only=True))
    assert [r[3] for r in rows[1:]] == ["11"]
    readme = {r[0]: r[1] for r in book["lisez-moi"].iter_rows(values_only=True) if r[0]}
    assert "Recherche : corbieres" in readme["Filtres"] and "Département : 11" in readme["Filtres"]


@pytest.mark.parametrize(
    ("url", "source"),
    [("/conventions/", "conventions"), ("/suivi/consolide/", "suivi"), ("/instruction/", "instruction")],
)
def test_list_pages_offer_the_three_formats(client, paid_agreement, accounts, url, source):
    client.force_login(accounts["dreets"])
    html = client.get(url).content.decode()
    for fmt, label in (("xlsx", "XLSX"), ("ods", "ODS"), ("csv", "CSV")):
        assert f'href="/exports/{source}.{fmt}' in html
        assert f">{label}</a>" in html


def test_committee_page_exports_its_agenda(client, open_session, accounts):
    client.force_login(accounts["dreets"])
    html = client.get(reverse("committee:detail", args=[open_session.pk])).content.decode()
    assert f"/exports/comite.xlsx?seance={open_session.pk}" in html
    response = client.get(f"/exports/comite.xlsx?seance={open_session.pk}")
    book = load_workbook(io.BytesIO(body(response)))
    assert book.sheetnames == ["lisez-moi", "dossiers", "evaluations", "decisions"]
    assert book["dossiers"].max_row == 3


def test_large_export_runs_in_the_background(
    client, paid_agreement, accounts, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.PACTES_EXPORT_BACKGROUND_THRESHOLD = 1
    user = accounts["dreets"]
    client.force_login(user)
    page = client.get(f"/appels/{CALL}/export.ods")
    assert page.status_code == 200 and "Préparer l'export" in page.content.decode()
    assert not ExportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/appels/{CALL}/export.ods")
    assert response.status_code == 302 and response["Location"] == "/exports/"
    job = ExportJob.objects.get()
    assert job.status == JobState.DONE and job.progress == job.steps > 0 and job.file
    assert job.expires_at - job.finished_at == timedelta(days=7)
    email = OutgoingEmail.objects.get(key=f"export-ready:{job.pk}")
    assert email.recipient_list == [user.email] and "/exports/" in email.body
    mine = client.get("/exports/").content.decode()
    assert "Mes exports" in mine and reverse("exports:download", args=[job.pk]) in mine and "exports.js" in mine
    status = client.get(reverse("exports:status", args=[job.pk])).json()
    assert status["percent"] == 100 and status["ready"] and status["download"]
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200 and body(download)[:2] == b"PK"
    assert ExportDownload.objects.get().job == job
    # Another person never sees the job.
    client.force_login(accounts["instructeur.09"])
    assert client.get(reverse("exports:status", args=[job.pk])).status_code == 404
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
    # After 7 days the file is deleted, the job stays « Expiré ».
    path = job.file.path
    assert export_jobs_purge(now=timezone.now() + timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.status == JobState.EXPIRED and not job.file
    assert not Path(path).exists()


def test_ranking_export_holds_the_departement_of_the_page(client, transmitted, accounts):
    client.force_login(accounts["dreets"])
    html = client.get("/instruction/classement/?departement=11&appel=" + CALL).content.decode()
    assert "/exports/classement.xlsx?" in html
    response = client.get(f"/exports/classement.xlsx?departement=11&appel={CALL}")
    book = load_workbook(io.BytesIO(body(response)))
    assert book.sheetnames == ["lisez-moi", "dossiers", "evaluations"]
    rows = list(book["dossiers"].iter_rows(values_only=True))
    assert [r[3] for r in rows[1:]] == ["11"]
    assert rows[0][11] == "Montant proposé" and rows[1][11] == 50000
    # An instructor of the Ariège asking for the Aude gets its own département.
    client.force_login(accounts["instructeur.09"])
    response = client.get(f"/exports/classement.xlsx?departement=11&appel={CALL}")
    rows = list(load_workbook(io.BytesIO(body(response)))["dossiers"].iter_rows(values_only=True))
    assert {r[3] for r in rows[1:]} == {"09"}


def test_queue_page_searches_and_keeps_q_in_its_links(client, filed, accounts):
    client.force_login(accounts["dreets"])
    name = filed["09"].organisation.name
    html = client.get("/instruction/", {"q": name.upper()}).content.decode()
    assert filed["09"].reference in html and filed["11"].reference not in html
    assert 'name="q"' in html
