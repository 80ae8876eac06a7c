"""PDF documents of the platform (receipts, summaries, minutes, letters, conventions): HTML templates rendered by
WeasyPrint with the State's Marianne font, embedded from django-dsfr's static files."""

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

MARIANNE_FACES = (
    ("Marianne-Regular.woff2", 400, "normal"),
    ("Marianne-Regular_Italic.woff2", 400, "italic"),
    ("Marianne-Bold.woff2", 700, "normal"),
)


def marianne_font_faces() -> list[dict[str, Any]]:
    """The ``@font-face`` sources of the PDF templates (``font_faces`` in their context)."""
    faces = []
    for file_name, weight, style in MARIANNE_FACES:
        found = finders.find(f"dsfr/dist/fonts/{file_name}")
        if found:
            faces.append({"url": Path(str(found)).resolve().as_uri(), "weight": weight, "style": style})
    return faces


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Renders ``template_name`` with ``context`` (plus the Marianne font faces) into PDF bytes."""
    from weasyprint import HTML  # imported here: loading WeasyPrint is slow and only documents need it

    html = render_to_string(template_name, {**context, "font_faces": marianne_font_faces()})
    return bytes(HTML(string=html, base_url=str(Path(__file__).resolve().parent)).write_pdf())
