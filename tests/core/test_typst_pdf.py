"""Long PDF documents laid out by Typst (ADR 0053): the procès-verbal's template, in one compilation and in chunks
merged by pikepdf (a tiny chunk size, so that the merge runs on a few rows). Read back with pdftotext and pikepdf:
every row's text, « Page n sur N », the one structure tree (tagged, French, titled, a table with header cells in each
chunk, every page's marked content in the ParentTree, no element pointing to a page that is not in the document),
values shown as written, even when they look like Typst markup."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest

from pactes.committee.documents import MINUTES_TEMPLATE
from pactes.core import typst_pdf
from pactes.core.pdf import marianne_font_files
from pactes.rules.formatting import euros

HOSTILE = "#set text(red) ] * $x$ \\ <b> _a_ @ref // = Titre"


@pytest.fixture(scope="module")
def fonts() -> Path:
    return typst_pdf.font_dir(marianne_font_files())


def _row(i: int) -> dict:
    return {
        "departement": "Ariège (09)",
        "reference": f"PTS-TEST-{i:04d}",
        "title": f"Projet {i}",
        "organisation": f"Association {i}",
        "label": "Retenu",
        "requested": euros(Decimal("1234567.80")),
        "proposed": euros(Decimal(40000)),
        "opinions": "2 favorables",
        "comments": [f"Membre {i} (favorable) : Solide."] if i % 2 else [],
        "awarded": euros(Decimal(30000)),
        "motivation": HOSTILE if i == 7 else "Projet cohérent avec les priorités du pacte. " * (1 + i % 4),
    }


VALUES = {
    "title": "Procès-verbal du comité régional du 15 octobre 2024",
    "author": "DREETS Occitanie",
    "footer": "Procès-verbal — comité régional du 15 octobre 2024",
    "common": {
        "service": "DREETS Occitanie — Pôle emploi",
        "call_title": "Pacte des solidarités",
        "facts": [["Date de la séance", "15 octobre 2024"], ["Lieu", HOSTILE]],
        "present": ["Agnès Martin — DREETS"],
        "absent": [],
        "total_label": "Total (3 retenus, 0 non retenu, 0 ajourné)",
        "requested_total": euros(Decimal("9876543.21")),
        "awarded_total": euros(Decimal(90000)),
        "envelope_heading": "Enveloppe régionale — FSE+",
        "envelope": [["Enveloppe régionale", euros(Decimal(1000000))]],
        "signature": "Séance tenue le 15 octobre 2024.",
        "closing_note": "Procès-verbal produit par la plateforme Pactes.",
    },
}


def _text(pdf: bytes, *pages: int) -> str:
    window = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    done = subprocess.run(["pdftotext", *window, "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode().replace("\u202f", " ").replace("\xa0", " ").split())


def _spaced(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def _elements(top):
    stack = list(top) if isinstance(top, pikepdf.Array) else [top]
    while stack:
        element = stack.pop()
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            yield element
            kids = element.get("/K")
            stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids])


def assert_one_valid_structure_tree(data: bytes, *, tables: int) -> None:
    """The checks of a merged tagged PDF: what a reader needs, and a tree whose every link stays inside the file."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang).startswith("fr")
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.docinfo.Title) == VALUES["title"]
        metadata = pdf.open_metadata()
        assert metadata.get("pdfuaid:part") == "1"
        assert metadata.get("{http://ns.adobe.com/xap/1.0/t/pg/}NPages") == str(len(pdf.pages))
        tree = root.StructTreeRoot
        (document,) = list(tree.K) if isinstance(tree.K, pikepdf.Array) else [tree.K]
        assert document.S == "/Document"
        kids = list(document.K)
        assert all(kid.P.objgen == document.objgen for kid in kids if isinstance(kid, pikepdf.Dictionary))
        pages = {page.obj.objgen for page in pdf.pages}
        elements = list(_elements(tree.K))
        in_tree = {element.objgen for element in elements}
        kinds = [str(element.S) for element in elements]
        assert kinds.count("/Table") == tables and kinds.count("/H1") == 1
        for table in (e for e in elements if e.S == "/Table"):
            assert any(str(cell.S) == "/TH" for cell in _elements(table)), "un tableau sans cellule d'en-tête"
        for element in elements:
            if "/Pg" in element:
                assert element.Pg.objgen in pages, "un élément désigne une page absente du document"
        parent_tree = dict(pikepdf.NumberTree(tree.ParentTree).items())
        keys = [int(page.obj.StructParents) for page in pdf.pages]
        assert len(set(keys)) == len(keys) and set(keys) <= set(parent_tree)
        assert int(tree.ParentTreeNextKey) > max(parent_tree)
        for key in keys:
            for element in parent_tree[key]:
                assert element.objgen in in_tree, "le ParentTree désigne un élément hors de l'arbre"


def test_a_document_of_one_chunk_is_laid_out_at_once(fonts):
    rows = [_row(i) for i in range(8)]
    pdf = typst_pdf.render(MINUTES_TEMPLATE, VALUES, rows, fonts=fonts, chunk_rows=50)
    text = _text(pdf)
    assert all(row["reference"] in text for row in rows)
    assert "Page 1 sur " in _text(pdf, 1)
    assert_one_valid_structure_tree(pdf, tables=3)


def test_chunks_merge_into_one_document_numbered_page_n_of_n(fonts):
    rows = [_row(i) for i in range(23)]
    pdf = typst_pdf.render(MINUTES_TEMPLATE, VALUES, rows, fonts=fonts, chunk_rows=5)  # 5 chunks
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        total = len(opened.pages)
        assert b"/Artifact" in opened.pages[-1].obj.Contents[-1].read_bytes()  # the footer, not read aloud
        with opened.open_outline() as outline:
            titles = [outline.root[0].title, *(item.title for item in outline.root[0].children)]
    assert titles == [
        "Procès-verbal du comité régional de validation",
        "Membres",
        "Décisions",
        "Enveloppe régionale — FSE+",
    ]
    assert total >= 5
    text = _text(pdf)
    assert [row["reference"] for row in rows] == [ref for ref in text.split() if ref.startswith("PTS-TEST-")]
    assert f"Page 1 sur {total}" in _text(pdf, 1)
    assert f"Page {total} sur {total}" in _text(pdf, total)
    assert text.count(f"sur {total}") == total
    # the members' table, one decisions' table per chunk, the envelope's
    assert_one_valid_structure_tree(pdf, tables=1 + 5 + 1)
    assert _spaced(euros(Decimal("1234567.80"))) in text and _spaced(euros(Decimal("9876543.21"))) in text
    assert "Total (3 retenus, 0 non retenu, 0 ajourné)" in text


def test_values_that_look_like_markup_are_shown_as_written(fonts):
    pdf = typst_pdf.render(MINUTES_TEMPLATE, VALUES, [_row(i) for i in range(9)], fonts=fonts, chunk_rows=4)
    text = _text(pdf)
    assert text.count(_spaced(HOSTILE)) == 2  # the place and one motivation


def test_the_fonts_are_converted_once_into_a_directory_named_by_their_files(tmp_path):
    sources = marianne_font_files()[:2]
    first = typst_pdf.font_dir(sources, cache=tmp_path)
    assert sorted(p.name for p in first.iterdir()) == sorted(f"{s.stem}.ttf" for s in sources)
    made = first.stat().st_mtime_ns
    assert typst_pdf.font_dir(sources, cache=tmp_path) == first and first.stat().st_mtime_ns == made
    assert typst_pdf.font_dir(sources[:1], cache=tmp_path) != first
