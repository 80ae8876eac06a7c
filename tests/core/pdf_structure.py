"""Reads back what makes a PDF accessible (ADR 0045): the tagging flag, the structure tree's element types, the
language, the title and the viewer preference that shows it. Used by the tests of every generated PDF."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject


@dataclass(frozen=True)
class PdfStructure:
    marked: bool
    lang: str
    title: str
    display_doc_title: bool
    elements: Counter[str]  # structure types (« H1 », « TH », « Table »…) and how many of each
    cells_with_headers: int  # data cells (TD) that name their header cells (/A /Headers)
    scoped_headers: int = 0  # header cells (TH) that say what they head (/A /Scope): enough for a simple table

    def assert_accessible(self, *, headings: tuple[str, ...] = ("H1",), table_headers: bool = True) -> None:
        """The checks every generated PDF passes: tagged, French, titled (title shown), headings, header cells."""
        assert self.marked, "MarkInfo/Marked n'est pas vrai"
        assert self.lang.lower().startswith("fr"), self.lang
        assert self.title.strip(), "pas de titre dans les métadonnées"
        assert self.display_doc_title, "ViewerPreferences/DisplayDocTitle n'est pas vrai"
        for heading in headings:
            assert self.elements[heading] >= 1, (heading, self.elements)
        if table_headers:
            assert self.elements["Table"] >= 1 and self.elements["TH"] >= 1, self.elements
            assert self.cells_with_headers >= 1 or self.scoped_headers >= 1, (
                "aucune cellule de données n'est reliée à ses en-têtes"
            )


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def pdf_structure(data: bytes) -> PdfStructure:
    reader = PdfReader(io.BytesIO(data))
    root = _resolved(reader.trailer["/Root"])
    mark_info = _resolved(root.get("/MarkInfo")) or {}
    viewer = _resolved(root.get("/ViewerPreferences")) or {}
    elements: Counter[str] = Counter()
    cells_with_headers = scoped_headers = 0
    tree = _resolved(root.get("/StructTreeRoot"))
    stack = [tree] if tree is not None else []
    seen: set[int] = set()
    while stack:
        node = _resolved(stack.pop())
        if isinstance(node, ArrayObject):
            stack.extend(node)
            continue
        if not isinstance(node, DictionaryObject) or id(node) in seen:
            continue
        seen.add(id(node))
        kind = node.get("/S")
        if kind is not None:
            elements[str(kind).lstrip("/")] += 1
            attributes = _resolved(node.get("/A"))  # one attribute dictionary (WeasyPrint) or an array (Typst)
            owners = attributes if isinstance(attributes, ArrayObject) else [attributes]
            if str(kind) == "/TD" and any(
                isinstance(_resolved(a), DictionaryObject) and _resolved(a).get("/Headers") for a in owners
            ):
                cells_with_headers += 1
            if str(kind) == "/TH" and any(
                isinstance(_resolved(a), DictionaryObject) and _resolved(a).get("/Scope") for a in owners
            ):
                scoped_headers += 1
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)
    title = (reader.metadata or {}).get("/Title") or ""
    return PdfStructure(
        marked=bool(mark_info.get("/Marked")),
        lang=str(root.get("/Lang") or ""),
        title=str(title),
        display_doc_title=bool(viewer.get("/DisplayDocTitle")),
        elements=elements,
        cells_with_headers=cells_with_headers,
        scoped_headers=scoped_headers,
    )
