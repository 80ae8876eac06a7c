"""The page references WeasyPrint reads for every element of a tagged PDF's structure tree are built once per page
count (pactes.core.pdf, ADR 0044), and stay those pydyf would have built: one per page, in order, after every page
added."""

import io

import pydyf
from pypdf import PdfReader

from pactes.core import pdf as pdf_module


def _as_pydyf_builds_them(document: pydyf.PDF) -> tuple[bytes, ...]:
    return tuple(f"{number} 0 R".encode("ascii") for number in document.pages["Kids"][::3])


def test_the_page_references_follow_every_page_added():
    document = pydyf.PDF()
    assert document.page_references == ()
    for _ in range(3):
        document.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert document.page_references == _as_pydyf_builds_them(document)
    first = document.page_references
    assert document.page_references is first  # read again without a new page: not rebuilt
    document.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(document.page_references) == 4 and document.page_references[:3] == first


def test_a_tagged_document_of_many_pages_names_each_page_of_its_elements():
    html = '<html lang="fr"><title>Essai</title>' + "".join(
        f'<p style="break-after: page">Page {i}</p>' for i in range(5)
    )
    reader = PdfReader(io.BytesIO(pdf_module.html_to_pdf(html)))
    pages = [page.indirect_reference.idnum for page in reader.pages]
    assert len(pages) == 5 and all("/StructParents" in page for page in reader.pages)
    document = reader.trailer["/Root"]["/StructTreeRoot"]["/K"][0].get_object()
    paragraphs = [kid.get_object() for kid in document["/K"]]
    assert [p.raw_get("/Pg").idnum for p in paragraphs if p["/S"] == "/P"] == pages
