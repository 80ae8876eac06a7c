"""The exports read back: sheet names, headers, row counts, amounts equal to the pages' figures, types, scope."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from odf.namespaces import OFFICENS, TABLENS
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow
from openpyxl import load_workbook

from pactes.agreements.selectors import payment_summary
from pactes.dossiers.models import Dossier
from pactes.exports.services import export_prepare, export_write
from pactes.exports.sources import SourceUnavailable
from pactes.followup.consolidation import execution_of

SHEETS = [
    "lisez-moi",
    "dossiers",
    "priorites",
    "actions",
    "partenaires",
    "depenses",
    "ressources",
    "valorisations",
    "indicateurs",
    "evaluations",
    "decisions",
    "conventions",
    "versements",
]


def written(user, fmt, source="appel", params=None, call=None):
    params = params if params is not None else {"appel": call.slug}
    prepared = export_prepare(user=user, source=source, params=params, fmt=fmt)
    out = io.BytesIO()
    export_write(prepared=prepared, user=user, out=out)
    out.seek(0)
    return out


def xlsx_rows(out):
    book = load_workbook(out, read_only=False)
    return book, {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def by_header(rows, header):
    index = rows[0].index(header)
    return [r[index] for r in rows[1:]]


@pytest.fixture
def region(paid_agreement, accounts):
    return accounts["dreets"], paid_agreement.dossier.call


def test_whole_call_xlsx_has_every_sheet_in_order_with_french_headers(region):
    user, call = region
    book, rows = xlsx_rows(written(user, "xlsx", call=call))
    assert book.sheetnames == SHEETS
    assert rows["dossiers"][0][:4] == ["Numéro de dossier", "Appel", "État", "Département"]
    assert sorted(by_header(rows["dossiers"], "Département")) == ["09", "11"]
    readme = {r[0]: r[1] for r in rows["lisez-moi"] if r[0]}
    assert "dreets" in readme["Exporté par"]
    assert readme["Nombre de dossiers"] == 2
    assert readme["Filtres"] == f"Appel : {call.short_title}"
    sources = [r for r in rows["lisez-moi"] if r[0] == "dossiers" and r[1] == "Montant versé"]
    assert sources and "Versements" in sources[0][3]


def test_amounts_are_numbers_in_euros_equal_to_the_pages(region, paid_agreement):
    user, call = region
    book, rows = xlsx_rows(written(user, "xlsx", call=call))
    dossiers = rows["dossiers"]
    ariege = next(r for r in dossiers[1:] if r[3] == "09")
    paid = ariege[dossiers[0].index("Montant versé")]
    summary = payment_summary(paid_agreement)
    assert Decimal(str(paid)) == summary.paid == Decimal("20000.00")
    execution = execution_of(paid_agreement.dossier.call.dossiers.all(), None)
    awarded = sum(Decimal(str(v or 0)) for v in by_header(dossiers, "Montant attribué"))
    assert awarded == execution.total.awarded == Decimal("70000.00")
    ws = book["dossiers"]
    column = dossiers[0].index("Montant versé") + 1
    cell = next(c for c in ws.iter_cols(min_col=column, max_col=column, min_row=2) for c in c if c.value)
    assert "€" in cell.number_format
    conventions = rows["conventions"]
    assert Decimal(str(by_header(conventions, "Versé")[0])) == summary.paid
    assert Decimal(str(by_header(conventions, "Reste à verser")[0])) == summary.remaining
    assert [Decimal(str(v)) for v in by_header(rows["versements"], "Montant")] == [Decimal("20000.00")]
    decisions = rows["decisions"]
    assert sorted(Decimal(str(v)) for v in by_header(decisions, "Montant attribué")) == [
        Decimal("30000.00"),
        Decimal("40000.00"),
    ]
    paid_on = by_header(rows["versements"], "Date du versement")[0]
    assert isinstance(paid_on, dt.datetime)  # a date cell (openpyxl reads dates back as datetimes)
    assert isinstance(by_header(dossiers, "Date de dépôt")[0], dt.datetime)


def test_project_sheets_hold_the_lines_of_each_dossier(region):
    user, call = region
    _book, rows = xlsx_rows(written(user, "xlsx", call=call))
    from_db = {
        "priorites": "priorities",
        "actions": "actions",
        "depenses": "expenses",
        "ressources": "resources",
        "partenaires": "partners",
        "valorisations": "in_kind_lines",
    }
    for sheet, related in from_db.items():
        expected = sum(getattr(d, related).count() for d in call.dossiers.all())
        assert len(rows[sheet]) - 1 == expected, sheet
    resources = rows["ressources"]
    total = sum(Decimal(str(v)) for v in by_header(resources, "Montant"))
    assert total == sum(r.amount for d in call.dossiers.all() for r in d.resources.all())


def _ods_tables(out):
    doc = load(out)
    tables = {}
    for table in doc.spreadsheet.getElementsByType(Table):
        rows = []
        for row in table.getElementsByType(TableRow):
            cells = []
            for cell in row.getElementsByType(TableCell):
                cells.append(
                    (
                        cell.getAttrNS(OFFICENS, "value-type"),
                        cell.getAttrNS(OFFICENS, "value") or cell.getAttrNS(OFFICENS, "date-value") or str(cell),
                    )
                )
            rows.append(cells)
        tables[table.getAttrNS(TABLENS, "name")] = rows
    return tables


def test_ods_holds_the_same_content_with_currency_and_date_cells(region, paid_agreement):
    user, call = region
    tables = _ods_tables(written(user, "ods", call=call))
    assert list(tables) == SHEETS
    _book, xlsx = xlsx_rows(written(user, "xlsx", call=call))
    for name in SHEETS[1:]:
        assert len(tables[name]) == len(xlsx[name]), name
    payments = tables["versements"]
    assert [v for _t, v in payments[0]][:4] == ["Numéro de dossier", "Département", "Échéance", "Montant"]
    kind, value = payments[1][3]
    assert kind == "currency" and Decimal(value) == payment_summary(paid_agreement).paid
    assert payments[1][4][0] == "date"


def test_csv_is_a_zip_of_one_file_per_sheet(region, paid_agreement):
    user, call = region
    archive = zipfile.ZipFile(written(user, "csv", call=call))
    assert archive.namelist() == [f"{name}.csv" for name in SHEETS]
    text = archive.read("versements.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Numéro de dossier", "Département", "Échéance", "Montant"]
    assert rows[1][3] == "20000,00"
    dossiers = list(csv.reader(io.StringIO(archive.read("dossiers.csv").decode("utf-8-sig")), delimiter=";"))
    assert len(dossiers) == 3


def test_ddets_export_holds_no_row_of_another_departement(paid_agreement, accounts):
    call = paid_agreement.dossier.call
    _book, rows = xlsx_rows(written(accounts["instructeur.09"], "xlsx", call=call))
    for name in SHEETS[1:]:
        assert set(by_header(rows[name], "Département")) <= {"09"}, name
    assert len(rows["dossiers"]) == 2
    references = {r[0] for name in SHEETS[1:] for r in rows[name][1:]}
    assert references == {paid_agreement.dossier.reference}
    readme = {r[0]: r[1] for r in rows["lisez-moi"] if r[0]}
    assert readme["Périmètre"] == "DDETS-PP — Ariège (09)"


@pytest.mark.parametrize("who", ["porteur.ariege", "jury"])
def test_applicants_and_jury_may_not_export(paid_agreement, accounts, who):
    with pytest.raises(SourceUnavailable):
        export_prepare(user=accounts[who], source="appel", params={"appel": "pts-occitanie-2024"}, fmt="xlsx")


def test_list_page_sources_keep_their_sheets_and_scope(paid_agreement, accounts):
    user = accounts["instructeur.11"]
    prepared = export_prepare(user=user, source="conventions", params={}, fmt="xlsx")
    assert [s.name for s in prepared.selection.sheets] == ["dossiers", "conventions", "versements"]
    assert {d.departement.code for d in prepared.selection.dossiers} == {"11"}
    prepared = export_prepare(user=accounts["dreets"], source="suivi", params={"call": "0"}, fmt="ods")
    assert prepared.count == 2


def test_a_title_that_looks_like_a_formula_stays_a_text(region):
    user, call = region
    dossier = call.dossiers.get(departement__code="09")
    Dossier.objects.filter(pk=dossier.pk).update(title='=HYPERLINK("http://exemple.test","clic")')
    _book, rows = xlsx_rows(written(user, "xlsx", call=call))
    titles = by_header(rows["dossiers"], "Intitulé du projet")
    assert '=HYPERLINK("http://exemple.test","clic")' in titles
    book = load_workbook(written(user, "xlsx", call=call))
    cells = [c for row in book["dossiers"].iter_rows() for c in row if c.value and str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
    archive = zipfile.ZipFile(written(user, "csv", call=call))
    text = archive.read("dossiers.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in text
