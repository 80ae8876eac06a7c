"""Journey (issue 13): the DREETS takes the figures out of Pactes — its dashboard, then an export.

As Hélène Garcia of the DREETS (``dreets@demo.test``), I open « Tableau de bord » from « Mon espace »: the 2024 call is
shown by default (the demonstration call is only in the selector, labelled); each chart is drawn by the State's chart
components and followed by its data table; I download the CSV of a chart and read it. I switch to the
demonstration call: the page says these are demonstration figures. Then I export the call as a spreadsheet and open
it (``export_part``: the export is built on another branch; the part skips itself until it is there).
"""

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

DREETS = "dreets@demo.test"
REAL = "pts-occitanie-2024"


def export_part(page: Page, call_slug: str) -> None:
    """« Exporter » → « XLSX » on the instruction queue, then the whole call's export: each file downloads and opens
    with its French sheets."""
    page.goto("/instruction/")
    expect(page.get_by_text("Exporter", exact=True).first).to_be_visible()
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="XLSX", exact=True).first.click()
    assert downloaded.value.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(Path(downloaded.value.path()).read_bytes()), read_only=True)
    assert workbook.sheetnames[0] == "lisez-moi" and "dossiers" in workbook.sheetnames
    assert sum(1 for _ in workbook["dossiers"].iter_rows()) >= 2

    response = page.request.get(f"/appels/{call_slug}/export.xlsx")
    assert response.status == 200
    workbook = load_workbook(io.BytesIO(response.body()), read_only=True)
    assert workbook.sheetnames[:3] == ["lisez-moi", "dossiers", "priorites"]
    assert sum(1 for _ in workbook["dossiers"].iter_rows()) >= 2 and "versements" in workbook.sheetnames


def test_dreets_reads_the_dashboard_and_exports(page: Page, live_server, demo_platform):
    log_in(page, DREETS)
    page.get_by_role("link", name="Tableau de bord").first.click()
    expect(page.get_by_role("heading", level=1, name="Tableau de bord")).to_be_visible()
    expect(page.get_by_label("Appel", exact=True)).to_have_value(REAL)
    expect(page.get_by_role("option", name=re.compile(r"\(démonstration\)"))).to_have_count(1)
    expect(page.get_by_text("Appel de démonstration")).to_have_count(0)

    # Each chart is drawn (a canvas inside the web component) and followed by its table.
    chart = page.locator("bar-chart").first
    expect(chart.locator("canvas")).to_be_visible(timeout=15_000)
    table = page.get_by_role("table", name="Données du graphique « Dossiers par état »")
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).not_to_have_count(0)
    assert page.locator("bar-chart").count() == page.locator("table caption", has_text="Données du graphique").count()

    # The CSV of a chart holds the rows of its table.
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Données « Dossiers par état » (CSV)").click()
    with open(downloaded.value.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read()), delimiter=";"))
    assert rows[0] == ["État", "Dossiers (dossiers)"]
    assert len(rows) == table.locator("tbody tr").count() + 1

    # The demonstration call, chosen in the selector, is labelled as such.
    page.get_by_label("Appel", exact=True).select_option("pts-occitanie-demo")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_text("Appel de démonstration").first).to_be_visible()

    export_part(page, REAL)
