"""Every PDF shares one page base: ``pdf/base.html`` (font, numbered A4 pages, brand block, house tables)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

PDF_TEMPLATES = Path(settings.BASE_DIR) / "pactes" / "templates" / "pdf"


@pytest.mark.parametrize("path", sorted(p for p in PDF_TEMPLATES.glob("*.html") if p.name != "base.html"))
def test_every_pdf_template_extends_the_page_base(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith('{% extends "pdf/base.html" %}')


def test_the_page_base_numbers_pages_and_shows_the_issuer() -> None:
    html = render_to_string("pdf/base.html", {"rules": {"issuer_authority": "Préfet", "issuer_service": "DREETS"}})
    assert 'counter(page) " sur " counter(pages)' in html
    assert "Préfet — DREETS" in html
