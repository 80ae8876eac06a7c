"""Documents that cannot leak (ADR 0030): a convention template typed in the administration reaches only plain
values, cannot mark anything safe, load, include or extend, and WeasyPrint fetches only the platform's static files
and embeds nothing. The malicious template of the issue is rendered and the PDF read back with pypdf."""

import datetime as dt
import io
import os
from dataclasses import dataclass
from decimal import Decimal
from html import unescape

import docx
import pytest
from django.conf import settings
from django.utils.safestring import mark_safe
from pypdf import PdfReader

from pactes.agreements.admin import AgreementTemplateForm
from pactes.agreements.context import agreement_context
from pactes.agreements.documents import agreement_docx, agreement_pdf
from pactes.agreements.models import AgreementTemplate
from pactes.agreements.services import AgreementRefused, agreement_template_save
from pactes.core.document_sandbox import document_template_problems, ensure_plain, render_sandboxed
from pactes.core.pdf import PDF_STATIC_BASE, ResourceRefused, html_to_pdf, static_file_for
from pactes.rules import money

MALICIOUS = (
    '<link rel="attachment" href="file:///proc/self/environ">'
    "<h1>Convention</h1><p>Mot de passe : {{ agreement.created_by.password }}</p>"
    '<p><img src="file:///etc/passwd"> {{ agreement.created_by }} {{ dossier.created_by.email }}</p>'
)


def pdf_secrets_check(data: bytes, agreement) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert reader.attachments == {}
    assert b"/EmbeddedFile" not in data
    assert b"/FileAttachment" not in data
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    secrets = [settings.SECRET_KEY, agreement.created_by.password, agreement.dossier.created_by.password]
    secrets += [value for name, value in os.environ.items() if name in ("DATABASE_URL", "DJANGO_SECRET_KEY") and value]
    for secret in secrets:
        assert secret not in text
        assert secret.encode() not in data
    assert "DJANGO_SETTINGS_MODULE" not in text and b"DJANGO_SETTINGS_MODULE" not in data
    return text


@pytest.mark.django_db
def test_the_malicious_template_of_the_issue_yields_a_pdf_with_no_embedded_file_and_no_secret(draft_agreement):
    # Stored as a template written before the sandbox would be (saving it today is refused, see below).
    template = AgreementTemplate.objects.create(
        call=draft_agreement.dossier.call, version=99, body=MALICIOUS, is_current=False
    )
    draft_agreement.template = template
    draft_agreement.created_by.set_password("secret-de-l-agent-42")
    draft_agreement.created_by.save()

    text = pdf_secrets_check(agreement_pdf(agreement=draft_agreement), draft_agreement)
    assert "Mot de passe :" in text  # the body was rendered, the value reached nothing
    document = docx.Document(io.BytesIO(agreement_docx(agreement=draft_agreement)))
    words = " ".join(p.text for p in document.paragraphs)
    assert "Mot de passe :" in words
    assert draft_agreement.created_by.password not in words


@pytest.mark.django_db
def test_the_convention_context_is_plain_values_only(draft_agreement):
    context = agreement_context(draft_agreement)
    ensure_plain(context)
    assert context["agreement"]["awarded_amount"] == Decimal("40000.00")
    assert "created_by" not in context["agreement"]


@pytest.mark.django_db
def test_the_administration_refuses_the_malicious_template_in_french(draft_agreement, accounts):
    form = AgreementTemplateForm(data={"call": draft_agreement.dossier.call.pk, "body": MALICIOUS, "note": ""})
    assert not form.is_valid()
    messages = " ".join(form.errors["body"])
    assert "L'élément HTML <link> n'est pas autorisé" in messages
    assert 'rel="attachment"' in messages
    with pytest.raises(AgreementRefused):
        agreement_template_save(call=draft_agreement.dossier.call, body=MALICIOUS, by=accounts["admin"])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{{ dossier.title|safe }}", "Le filtre « |safe » n'est pas autorisé"),
        ("{{ actions|safeseq }}", "Le filtre « |safeseq » n'est pas autorisé"),
        ("{% autoescape off %}{{ dossier.title }}{% endautoescape %}", "La balise {% autoescape %}"),
        ('{% include "pdf/base.html" %}', "La balise {% include %}"),
        ('{% extends "pdf/base.html" %}', "La balise {% extends %}"),
        ("{% load static %}", "La balise {% load %}"),
        ("{% ssi /etc/passwd %}", "La balise {% ssi %}"),
        ("{% debug %}", "La balise {% debug %}"),
        ("{% filter safe %}x{% endfilter %}", "La balise {% filter %}"),
        ('{% url "admin:index" %}', "La balise {% url %}"),
        ("{{ x|json_script:'a' }}", "Le filtre « |json_script » n'est pas autorisé"),
        ('<a rel="attachment" href="/static/x">pièce</a>', "L'élément HTML <a> n'est pas autorisé"),
        ("<style>@import url(file:///etc/passwd)</style>", "L'élément HTML <style> n'est pas autorisé"),
        ("{% if %}", "erreur de syntaxe"),
    ],
)
def test_each_unsafe_construct_is_refused_with_a_french_message(body, expected):
    assert any(expected in problem for problem in document_template_problems(body)), document_template_problems(body)


def test_a_document_template_with_branches_loops_and_amounts_is_accepted():
    body = (
        "<h2>{{ dossier.title|upper }}</h2>{% for a in actions %}<p>{{ a.title }} : {{ a.amount|euros }}</p>"
        "{% empty %}<p>—</p>{% endfor %}{% if state_share %}{{ state_share|rate }}{% endif %}"
    )
    assert document_template_problems(body) == []
    html = render_sandboxed(
        body,
        {
            "dossier": {"title": "Épicerie"},
            "actions": [{"title": "A", "amount": Decimal("57000")}],
            "state_share": None,
        },
    )
    assert "ÉPICERIE" in html
    assert money.euros(Decimal("57000")) in unescape(html)


def test_typed_values_are_escaped_and_the_html_is_cleaned():
    html = render_sandboxed(
        "<p>{{ title }}</p><script>alert(1)</script>",
        {"title": '<img src="file:///etc/passwd"><link rel="attachment" href="file:///proc/self/environ">'},
    )
    assert "<img" not in html and "<link" not in html and "<script" not in html
    assert "&lt;img" in html


def test_a_legacy_load_of_the_formats_renders_with_the_sandbox_filters():
    assert render_sandboxed("{% load pactes_format %}{{ n|euros }}", {"n": Decimal("7000")}).startswith("7")


def test_ensure_plain_refuses_model_instances_users_and_safe_strings(django_user_model):
    @dataclass(frozen=True)
    class Line:
        label: str
        amount: Decimal

    ensure_plain({"a": [Line("x", Decimal(1))], "d": dt.date(2024, 9, 30), "n": None})
    with pytest.raises(TypeError, match="User"):
        ensure_plain({"agreement": {"created_by": django_user_model(email="a@b.test")}})
    with pytest.raises(TypeError, match="marqué sûr"):
        ensure_plain({"title": mark_safe("<b>x</b>")})


@pytest.mark.parametrize(
    "url",
    [
        "file:///proc/self/environ",
        "file:///etc/passwd",
        "http://127.0.0.1:8000/admin/",
        "https://example.org/x.css",
        "data:text/plain;base64,c2VjcmV0",
        f"{PDF_STATIC_BASE}../../config/settings/base.py",
        f"{PDF_STATIC_BASE}%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_the_pdf_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(ResourceRefused):
        static_file_for(url)


def test_the_pdf_fetcher_serves_the_marianne_font():
    assert static_file_for(f"{PDF_STATIC_BASE}dsfr/dist/fonts/Marianne-Regular.woff2").stat().st_size > 1000


def test_a_pdf_never_embeds_a_server_file_even_from_a_platform_template():
    html = (
        '<html><head><link rel="attachment" href="file:///proc/self/environ">'
        f'<link rel="attachment" href="{PDF_STATIC_BASE}pactes/pactes.css"></head>'
        '<body><p>Texte</p><img src="file:///etc/hostname"><a rel="attachment" href="file:///etc/passwd">x</a>'
        "</body></html>"
    )
    data = html_to_pdf(html)
    reader = PdfReader(io.BytesIO(data))
    assert reader.attachments == {}
    assert b"/EmbeddedFile" not in data
    assert "Texte" in reader.pages[0].extract_text()
