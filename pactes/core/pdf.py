"""PDF documents of the platform (receipts, summaries, minutes, letters, conventions): HTML templates rendered by
WeasyPrint with the State's Marianne font, embedded from django-dsfr's static files.

Words: WeasyPrint fetches every resource a document names (fonts, images, style sheets, ``<link rel="attachment">``
files) through one *URL fetcher*. Ours, ``static_only_fetcher``, serves only the platform's own static files under
``PDF_STATIC_BASE`` and refuses everything else — ``file://``, ``http(s)://`` to any host, ``data:`` — and the
document keeps no attachment: a PDF can carry neither a server file nor anything fetched from the network (ADR 0030).

Every PDF is *tagged* (ADR 0045): a structure tree built from the HTML (headings, paragraphs, lists, tables with
their header cells), marked content, the language of ``<html lang>`` (« fr » when a template names none), the title
of ``<title>`` in the metadata and ``DisplayDocTitle`` in the viewer preferences, so that a screen reader announces
the document's title and reads it in order.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

MARIANNE_FACES = (
    ("Marianne-Regular.woff2", 400, "normal"),
    ("Marianne-Regular_Italic.woff2", 400, "italic"),
    ("Marianne-Bold.woff2", 700, "normal"),
)
# WeasyPrint's options of every document: tagged (ADR 0045). Not « pdf/ua-1 »: the page footers are not marked as
# artifacts in PDF 1.7, so claiming PDF/UA conformance in the metadata would be false.
PDF_OPTIONS: dict[str, Any] = {"pdf_tags": True}
DEFAULT_LANG = "fr"
DEFAULT_TITLE = "Document de la plateforme Pactes"
# The address documents see for the platform's static files: a reserved name that no network request can reach.
PDF_STATIC_BASE = "https://static.pactes.invalid/"


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    """The reference of every page of ``pdf`` (``b"12 0 R"``), built once per page count. pydyf's own property builds
    the tuple of *every* page's reference each time it is read, and WeasyPrint reads it for *each* element of the
    structure tree of a tagged PDF: quadratic, ≈ 10 % of the procès-verbal of 4 000 decisions (ADR 0044). Same bytes
    written; ``Kids`` only grows (``add_page``), so its length is the key."""
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_pactes_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_pactes_page_references"] = cached
    return cached[1]


pydyf.PDF.page_references = property(_page_references)  # type: ignore[method-assign,assignment]


class ResourceRefused(ValueError):
    """A document named a resource outside the platform's static files; it is left out of the PDF."""


def static_file_for(url: str) -> Path:
    """The static file an address under ``PDF_STATIC_BASE`` names; ``ResourceRefused`` for any other address."""
    if not url.startswith(PDF_STATIC_BASE):
        raise ResourceRefused(f"ressource refusée dans un document : {url[:120]}")
    relative = PurePosixPath(unquote(urlsplit(url).path).lstrip("/"))
    if not relative.parts or ".." in relative.parts or relative.is_absolute():
        raise ResourceRefused(f"chemin refusé dans un document : {url[:120]}")
    found = finders.find(str(relative))
    if not found:
        raise ResourceRefused(f"fichier statique introuvable : {relative}")
    return Path(str(found))


def static_only_fetcher() -> Any:
    """WeasyPrint's URL fetcher that reads only ``static_file_for`` (imported here: loading WeasyPrint is slow)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                path = static_file_for(url)
            except ResourceRefused:
                logger.warning("PDF : ressource refusée %s", url[:120])
                raise
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher(allowed_protocols=("https",), allow_redirects=False)


def marianne_font_faces() -> list[dict[str, Any]]:
    """The ``@font-face`` sources of the PDF templates (``font_faces`` in their context)."""
    faces = []
    for file_name, weight, style in MARIANNE_FACES:
        path = f"dsfr/dist/fonts/{file_name}"
        if finders.find(path):
            faces.append({"url": f"{PDF_STATIC_BASE}{path}", "weight": weight, "style": style})
    return faces


def marianne_font_files() -> list[Path]:
    """The Marianne font files of the PDF templates (WOFF2, from django-dsfr's static files)."""
    found = (finders.find(f"dsfr/dist/fonts/{file_name}") for file_name, _weight, _style in MARIANNE_FACES)
    return [Path(str(path)) for path in found if path]


_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S | re.I)
_HEAD = re.compile(r"<thead\b.*?</thead>", re.S | re.I)
_CELL = re.compile(r"<(th|td)\b", re.I)
_TH_WITHOUT_SCOPE = re.compile(r"<th\b(?![^>]*\bscope=)", re.I)


def with_header_scopes(html: str) -> str:
    """Gives every ``<th>`` without ``scope`` the one a reader expects, so that the tagged PDF ties each data cell to
    its headers whatever the template (a convention body is typed in the administration): column headers in
    ``<thead>`` or in a row of header cells only, row headers in a row that also holds data cells."""
    heads = [m.span() for m in _HEAD.finditer(html)]

    def scoped(row: re.Match[str]) -> str:
        text = row.group(0)
        in_head = any(start <= row.start() < end for start, end in heads)
        only_headers = {kind.lower() for kind in _CELL.findall(text)} == {"th"}
        scope = "col" if in_head or only_headers else "row"
        return _TH_WITHOUT_SCOPE.sub(f'<th scope="{scope}"', text)

    return _ROW.sub(scoped, html)


def html_to_pdf(html: str) -> bytes:
    """The one way Pactes turns HTML into a PDF: static files only, no attachment."""
    from weasyprint import HTML  # imported here: loading WeasyPrint is slow and only documents need it

    html = with_header_scopes(html)
    document = HTML(string=html, base_url=PDF_STATIC_BASE, url_fetcher=static_only_fetcher()).render(**PDF_OPTIONS)
    document.metadata.attachments = []
    # Whatever the template (a convention body is typed in the administration), the PDF has a language and a title.
    document.metadata.lang = document.metadata.lang or DEFAULT_LANG
    document.metadata.title = (document.metadata.title or "").strip() or DEFAULT_TITLE
    return bytes(document.write_pdf(**PDF_OPTIONS))


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Renders ``template_name`` with ``context`` (plus the Marianne font faces) into PDF bytes."""
    return html_to_pdf(render_to_string(template_name, {**context, "font_faces": marianne_font_faces()}))
