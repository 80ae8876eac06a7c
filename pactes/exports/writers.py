"""The three writers of a workbook, the same content in each: XLSX (XlsxWriter, constant memory: rows go to disk as they
come), ODS (odfpy builds the document's styles, metadata and skeleton; the rows are streamed into ``content.xml``
as OpenDocument XML) and CSV (a zip of one file per sheet, UTF-8 with BOM, « ; » separator and decimal comma, as a
French spreadsheet opens it). Each writer takes a binary stream and a progress callback."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape

import xlsxwriter
from odf import number as odfnumber
from odf.dc import Title
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableCellProperties, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import P

from pactes.exports.definition import README, Kind, Row
from pactes.exports.workbook import README_KINDS, Progress, Workbook, _no_progress
from pactes.rules.formatting import date_short, time_fr
from pactes.rules.money import euros

EURO_FORMAT = '#,##0.00\\ "€"'
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
RATE_FORMAT = "0.00%"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_FORMATS = {
    Kind.MONEY: EURO_FORMAT,
    Kind.DATE: DATE_FORMAT,
    Kind.DATETIME: DATETIME_FORMAT,
    Kind.RATE: RATE_FORMAT,
}


class _Counter:
    def __init__(self, book: Workbook, progress: Progress) -> None:
        self.done, self.total, self.progress = 0, book.steps, progress

    def step(self) -> None:
        self.done += 1
        self.progress(min(self.done, self.total), self.total)


# -- XLSX ----------------------------------------------------------------------------------------------------------
def write_xlsx(book: Workbook, out: IO[bytes], progress: Progress = _no_progress) -> None:
    """XlsxWriter in constant-memory mode: each row is written to a temporary file as it comes, then zipped into
    ``out``; twice as fast as openpyxl's write-only mode on 20 000 dossiers (docs/benchmarks.md), the memory flat."""
    counter = _Counter(book, progress)
    xlsx = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = xlsx.add_format({"bold": True})
    header = xlsx.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    formats = {kind: xlsx.add_format({"num_format": number_format}) for kind, number_format in XLSX_FORMATS.items()}
    readme = xlsx.add_worksheet(README)
    readme.set_column(0, 0, 24)
    readme.set_column(1, 1, 60)
    readme.set_column(3, 3, 80)
    for index, row in enumerate(book.readme()):
        emphasis = index == 0 or row[:2] == ("Feuille", "Colonne")
        for column, value in enumerate(row):
            _xlsx_write(readme, index, column, value, Kind.TEXT, bold if emphasis or column == 0 else None)
    for sheet in book.sheets:
        ws = xlsx.add_worksheet(sheet.name)
        ws.freeze_panes(1, 0)
        for column_index, column in enumerate(sheet.columns):
            ws.set_column(column_index, column_index, 16 if column.kind != Kind.TEXT else 24)
        for column_index, title in enumerate(sheet.headers):
            ws.write_string(0, column_index, title, header)
        cell_formats = [formats.get(c.kind) for c in sheet.columns]
        kinds = [c.kind for c in sheet.columns]
        for row_index, row in enumerate(book.rows(sheet, counter.step), start=1):
            for column_index, (value, kind, cell_format) in enumerate(zip(row, kinds, cell_formats, strict=True)):
                _xlsx_write(ws, row_index, column_index, value, kind, cell_format)
    xlsx.close()


def _xlsx_write(ws: Any, row: int, column: int, value: Any, kind: Kind, cell_format: Any) -> None:
    """One cell by its type: a text typed by someone stays a text (« =HYPERLINK(…) » in a title never becomes a
    formula), an amount or a rate a number with its format, a date a date."""
    if value is None or value == "":
        return
    if isinstance(value, str):
        ws.write_string(row, column, value, cell_format)
    elif isinstance(value, bool):
        ws.write_boolean(row, column, value, cell_format)
    elif isinstance(value, dt.datetime | dt.date):
        ws.write_datetime(row, column, value, cell_format)
    elif isinstance(value, Decimal | int | float):
        ws.write_number(row, column, value, cell_format)
    else:
        ws.write_string(row, column, str(value), cell_format)


# -- ODS -----------------------------------------------------------------------------------------------------------
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_MARKER = "PACTES-LIGNES-{}"
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _ods_styles(doc: OpenDocumentSpreadsheet) -> None:
    """Named cell styles: « € » amounts, dates, date and time, percentages, bold headers."""
    euro = odfnumber.CurrencyStyle(name="n-euro")
    euro.addElement(odfnumber.Number(decimalplaces=2, minintegerdigits=1, grouping="true"))
    euro.addElement(odfnumber.Text(text="\u00a0"))
    euro.addElement(odfnumber.CurrencySymbol(language="fr", country="FR", text="€"))
    date = odfnumber.DateStyle(name="n-date")
    for part in (odfnumber.Day(style="long"), "/", odfnumber.Month(style="long"), "/", odfnumber.Year(style="long")):
        date.addElement(odfnumber.Text(text=part) if isinstance(part, str) else part)
    moment = odfnumber.DateStyle(name="n-moment")
    for part in (
        odfnumber.Day(style="long"),
        "/",
        odfnumber.Month(style="long"),
        "/",
        odfnumber.Year(style="long"),
        " ",
        odfnumber.Hours(style="long"),
        ":",
        odfnumber.Minutes(style="long"),
    ):
        moment.addElement(odfnumber.Text(text=part) if isinstance(part, str) else part)
    rate = odfnumber.PercentageStyle(name="n-taux")
    rate.addElement(odfnumber.Number(decimalplaces=2, minintegerdigits=1))
    rate.addElement(odfnumber.Text(text="\u00a0%"))
    for style in (euro, date, moment, rate):
        doc.styles.addElement(style)
    for name, data in (("montant", "n-euro"), ("date", "n-date"), ("horodatage", "n-moment"), ("taux", "n-taux")):
        doc.styles.addElement(Style(name=name, family="table-cell", datastylename=data))
    header = Style(name="entete", family="table-cell")
    header.addElement(TextProperties(fontweight="bold"))
    header.addElement(TableCellProperties(wrapoption="wrap"))
    doc.styles.addElement(header)


@dataclass(frozen=True)
class _OdsCell:
    kind: Kind

    def xml(self, value: Any) -> str:
        if value is None or value == "":
            return "<table:table-cell/>"
        match self.kind:
            case Kind.MONEY:
                return (
                    '<table:table-cell table:style-name="montant" office:value-type="currency" office:currency="EUR"'
                    f' office:value="{_plain(value)}"><text:p>{escape(euros(value))}</text:p></table:table-cell>'
                )
            case Kind.RATE:
                return (
                    '<table:table-cell table:style-name="taux" office:value-type="percentage"'
                    f' office:value="{_plain(value)}"><text:p>{_plain(value)}</text:p></table:table-cell>'
                )
            case Kind.DATE | Kind.DATETIME if isinstance(value, dt.date):
                style = "date" if self.kind == Kind.DATE else "horodatage"
                iso = value.isoformat(timespec="seconds") if isinstance(value, dt.datetime) else value.isoformat()
                shown = (
                    f"{date_short(value)} à {time_fr(value)}" if isinstance(value, dt.datetime) else date_short(value)
                )
                return (
                    f'<table:table-cell table:style-name="{style}" office:value-type="date"'
                    f' office:date-value="{iso}"><text:p>{shown}</text:p></table:table-cell>'
                )
        if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
            return (
                f'<table:table-cell office:value-type="float" office:value="{_plain(value)}">'
                f"<text:p>{_plain(value)}</text:p></table:table-cell>"
            )
        return (
            '<table:table-cell office:value-type="string"><text:p>'
            f"{escape(_xml_text(str(value)))}</text:p></table:table-cell>"
        )


def _plain(value: Any) -> str:
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def _xml_text(text: str) -> str:
    """Characters XML 1.0 cannot hold are dropped (a control character pasted from another tool)."""
    return "".join(c for c in text if c in "\t\n\r" or c >= " ")


def _ods_row(cells: list[_OdsCell], row: Row, header: bool = False) -> str:
    if header:
        inner = "".join(
            f'<table:table-cell table:style-name="entete" office:value-type="string"><text:p>'
            f"{escape(_xml_text(str(v)))}</text:p></table:table-cell>"
            for v in row
        )
    else:
        inner = "".join(cell.xml(value) for cell, value in zip(cells, row, strict=False))
    return f"<table:table-row>{inner}</table:table-row>"


def write_ods(book: Workbook, out: IO[bytes], progress: Progress = _no_progress) -> None:
    counter = _Counter(book, progress)
    doc = OpenDocumentSpreadsheet()
    doc.meta.addElement(_meta_title(book))
    _ods_styles(doc)
    names = book.sheet_names
    for index, name in enumerate(names):
        table = Table(name=name)
        width = 4 if index == 0 else len(book.sheets[index - 1].columns)
        table.addElement(TableColumn(numbercolumnsrepeated=width))
        marker = TableRow()
        cell = TableCell()
        cell.addElement(P(text=_MARKER.format(index)))
        marker.addElement(cell)
        table.addElement(marker)
        doc.spreadsheet.addElement(table)
    content = doc.contentxml().decode("utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        with archive.open("content.xml", "w", force_zip64=True) as raw:
            stream = io.TextIOWrapper(raw, encoding="utf-8", write_through=False)
            for index in range(len(names)):
                marker = f"<table:table-row><table:table-cell><text:p>{_MARKER.format(index)}</text:p>"
                head, content = content.split(marker, 1)
                content = content.split("</table:table-row>", 1)[1]
                stream.write(head)
                if index == 0:
                    readme = [_OdsCell(k) for k in README_KINDS]
                    for number, row in enumerate(book.readme()):
                        stream.write(_ods_row(readme, row, header=number == 0 or row[:2] == ("Feuille", "Colonne")))
                else:
                    sheet = book.sheets[index - 1]
                    stream.write(_ods_row([], tuple(sheet.headers), header=True))
                    cells = [_OdsCell(c.kind) for c in sheet.columns]
                    for row in book.rows(sheet, counter.step):
                        stream.write(_ods_row(cells, row))
            stream.write(content)
            stream.flush()
            stream.detach()
        archive.writestr("styles.xml", doc.stylesxml())
        archive.writestr("meta.xml", doc.metaxml())
        archive.writestr("META-INF/manifest.xml", _MANIFEST)


def _meta_title(book: Workbook) -> Any:
    return Title(text=f"Pactes — {book.selection.title}")


# -- CSV -----------------------------------------------------------------------------------------------------------
def _csv_value(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    # A text that a spreadsheet would run as a formula (CSV injection) is written behind an apostrophe.
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return f"'{value}"
    return str(value)


def write_csv_zip(book: Workbook, out: IO[bytes], progress: Progress = _no_progress) -> None:
    counter = _Counter(book, progress)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        parts: list[tuple[str, list[Kind], Callable[[], Any]]] = [
            (README, list(README_KINDS), lambda: iter(book.readme()))
        ]
        for sheet in book.sheets:
            parts.append(
                (
                    sheet.name,
                    [c.kind for c in sheet.columns],
                    lambda sheet=sheet: _with_header(sheet.headers, book.rows(sheet, counter.step)),
                )
            )
        for name, kinds, rows in parts:
            with archive.open(f"{name}.csv", "w", force_zip64=True) as raw:
                stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.writer(stream, delimiter=";", quoting=csv.QUOTE_MINIMAL)
                for row in rows():
                    writer.writerow(
                        [
                            _csv_value(v, k)
                            for v, k in zip(row, kinds + [Kind.TEXT] * (len(row) - len(kinds)), strict=False)
                        ]
                    )
                stream.flush()
                stream.detach()


def _with_header(headers: list[str], rows: Any) -> Any:
    yield tuple(headers)
    yield from rows


@dataclass(frozen=True)
class Format:
    code: str
    label: str
    extension: str
    content_type: str
    write: Callable[[Workbook, IO[bytes], Progress], None]


FORMATS: dict[str, Format] = {
    "xlsx": Format(
        "xlsx",
        "XLSX",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        write_xlsx,
    ),
    "ods": Format("ods", "ODS", "ods", ODS_MIMETYPE, write_ods),
    "csv": Format("csv", "CSV", "zip", "application/zip", write_csv_zip),
}
