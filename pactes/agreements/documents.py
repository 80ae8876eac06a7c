"""The documents of a convention: its body rendered from the template, as a PDF (WeasyPrint) and a DOCX.

Words: the *body* is the template of the call rendered with the convention's context (HTML: headings, paragraphs,
lists, tables). The PDF wraps it in the house style (``pdf/agreement.html``, Marianne font); the DOCX is the same
body walked element by element into python-docx headings, paragraphs and tables, so that the legal services can
edit it.

The body is typed in the administration: it is rendered in the sandbox of ``pactes.core.document_sandbox`` (its own
engine, plain values only, cleaned HTML) and the PDF by ``pactes.core.pdf.html_to_pdf`` (static files only, no
attachment); the DOCX is written from the same sandboxed body (ADR 0030).
"""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from pactes.agreements.context import agreement_context
from pactes.agreements.models import Agreement, AgreementTemplate
from pactes.core.document_sandbox import render_sandboxed, rules_values
from pactes.core.pdf import html_to_pdf, marianne_font_faces

DEFAULT_TEMPLATE_PATH = Path(__file__).resolve().parents[1] / "templates" / "agreements" / "default_body.html"


def agreement_body(agreement: Agreement) -> str:
    """The convention's template version (set at its first generation), else the call's current one, else the
    platform's default body."""
    template = (
        agreement.template or AgreementTemplate.objects.filter(call=agreement.dossier.call, is_current=True).first()
    )
    body = template.body if template is not None else default_template_body()
    return render_sandboxed(body, agreement_context(agreement))


def default_template_body() -> str:
    """The default body shipped with the platform (French convention of the PTS 2024 call)."""
    return DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8")


def agreement_pdf(*, agreement: Agreement) -> bytes:
    context = agreement_context(agreement)
    html = render_to_string(
        "pdf/agreement.html",
        {
            "dossier": context["dossier"],
            "rules": context["rules"],
            "body": agreement_body(agreement),
            "font_faces": marianne_font_faces(),
        },
    )
    return html_to_pdf(html)


def agreement_docx(*, agreement: Agreement) -> bytes:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Marianne"
    style.font.size = Pt(10)
    rules = rules_values(agreement.dossier.call.rules)
    document.add_paragraph(f"RÉPUBLIQUE FRANÇAISE — {rules['issuer_authority']}")
    _DocxWriter(document).feed(agreement_body(agreement))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


class _DocxWriter(HTMLParser):
    """Turns the body's HTML (h1–h4, p, ul/ol/li, table, strong/em, br) into python-docx elements."""

    # « Heading 1 » for h1 (not Word's « Title », which has no outline level): the headings a reader navigates.
    HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
    BLOCKS = {"p", "li", "dt", "dd", "div"}

    def __init__(self, document: Any) -> None:
        super().__init__(convert_charrefs=True)
        self.document = document
        self.paragraph: Any = None
        self.bold = 0
        self.italic = 0
        self.list_kinds: list[str] = []
        self.table_rows: list[list[tuple[str, bool]]] | None = None
        self.cell: list[str] | None = None
        self.cell_is_header = False
        self.skip = 0

    # -- text --------------------------------------------------------------------------------------------------
    def _text(self, text: str) -> None:
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(text)
            return
        # Whitespace collapses as in HTML: runs of it become one space, kept at the edges of a run (« et <strong>… »).
        words = " ".join(text.split())
        if not words:
            text = " " if self.paragraph is not None and text else ""
        else:
            text = (" " if text[0].isspace() else "") + words + (" " if text[-1].isspace() else "")
        if not text:
            return
        if self.paragraph is None:
            self.paragraph = self.document.add_paragraph()
            text = text.lstrip()
        elif self.paragraph.text.endswith(" "):
            text = text.lstrip()
        if not text:
            return
        run = self.paragraph.add_run(text)
        run.bold = bool(self.bold)
        run.italic = bool(self.italic)

    def handle_data(self, data: str) -> None:
        self._text(data)

    # -- tags --------------------------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head"):
            self.skip += 1
        elif tag in self.HEADINGS:
            self.paragraph = self.document.add_heading("", level=self.HEADINGS[tag])
        elif tag in ("ul", "ol"):
            self.list_kinds.append(tag)
        elif tag == "li":
            kind = self.list_kinds[-1] if self.list_kinds else "ul"
            self.paragraph = self.document.add_paragraph(style="List Number" if kind == "ol" else "List Bullet")
        elif tag in self.BLOCKS:
            self.paragraph = None
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "br":
            if self.cell is not None:
                self.cell.append("\n")
            elif self.paragraph is not None:
                self.paragraph.add_run().add_break()
        elif tag == "table":
            self.table_rows = []
            self.paragraph = None
        elif tag == "tr" and self.table_rows is not None:
            self.table_rows.append([])
        elif tag in ("td", "th") and self.table_rows is not None:
            self.cell = []
            self.cell_is_header = tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.HEADINGS or tag in self.BLOCKS or tag == "li":
            self.paragraph = None
        elif tag in ("ul", "ol"):
            if self.list_kinds:
                self.list_kinds.pop()
            self.paragraph = None
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag in ("td", "th") and self.cell is not None and self.table_rows:
            text = " ".join("".join(self.cell).split())
            self.table_rows[-1].append((text, self.cell_is_header))
            self.cell = None
        elif tag == "table" and self.table_rows is not None:
            self._write_table(self.table_rows)
            self.table_rows = None
            self.paragraph = None

    def _write_table(self, rows: list[list[tuple[str, bool]]]) -> None:
        rows = [r for r in rows if r]
        if not rows:
            return
        width = max(len(r) for r in rows)
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for i, row in enumerate(rows):
            for j, (text, is_header) in enumerate(row):
                cell = table.cell(i, j)
                run = cell.paragraphs[0].add_run(text)
                run.bold = is_header
