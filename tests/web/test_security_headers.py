"""Security headers on every kind of page (ADR 0031): a Content-Security-Policy with a fresh nonce and no
'unsafe-inline', Permissions-Policy, Referrer-Policy, nosniff, X-Frame-Options, Cross-Origin-Opener-Policy; HTML
pages carry no inline script without the nonce, no inline event handler and no style attribute; HSTS with
includeSubDomains in production."""

import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse

from config import urls as project_urls
from pactes.core.context_processors import SITE_CONFIG

AUTOSAVE = {"HTTP_X_PACTES_AUTOSAVE": "1"}
SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)
HANDLER_RE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTR_RE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


@login_not_required
def _boom(request):
    raise RuntimeError("panne simulée")


@login_not_required
def _forbidden(request):
    raise PermissionDenied("Réservé à la DREETS.")


urlpatterns = [*project_urls.urlpatterns, path("essai/panne/", _boom), path("essai/interdit/", _forbidden)]
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


def assert_secure_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
    assert directives["default-src"] == "'self'"
    # The nonce is in the policy whenever the page used it (every page built on the DSFR's base template).
    assert re.fullmatch(r"'self'( 'nonce-[\w-]{16,}')?", directives["script-src"]), directives["script-src"]
    if response["Content-Type"].startswith("text/html") and "dsfr.module" in response.content.decode():
        assert "'nonce-" in directives["script-src"]
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"].startswith("'self'")
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if response["Content-Type"].startswith("text/html"):
        assert_no_inline_code(response.content.decode(), nonce_of(csp))


def nonce_of(csp: str) -> str:
    found = re.search(r"'nonce-([\w-]+)'", csp)
    return found.group(1) if found else ""


def assert_no_inline_code(body: str, nonce: str) -> None:
    for attributes, content in SCRIPT_RE.findall(body):
        if content.strip():
            assert f'nonce="{nonce}"' in attributes, f"script en ligne sans nonce : {content[:80]}"
        else:
            assert "src=" in attributes
    assert not HANDLER_RE.search(body), HANDLER_RE.search(body).group(0)
    assert not STYLE_ATTR_RE.search(body), STYLE_ATTR_RE.search(body).group(0)


def test_the_nonce_changes_with_every_response(client, db):
    first = nonce_of(client.get("/")["Content-Security-Policy"])
    assert first != nonce_of(client.get("/")["Content-Security-Policy"])


@pytest.mark.parametrize(
    "address", ["/", "/appels/", "/accessibilite/", "/compte/connexion/", "/compte/mot-de-passe/oubli/"]
)
def test_public_pages_and_the_login_page_carry_the_security_headers(client, db, address):
    response = client.get(address)
    assert response.status_code == 200
    assert_secure_headers(response)


def test_the_applicant_editor_and_its_json_autosave_carry_the_security_headers(client, demo_draft, applicant):
    client.force_login(applicant)
    editor = client.get(reverse("dossiers:step", kwargs={"reference": demo_draft.reference, "step": "diagnostic"}))
    assert editor.status_code == 200
    assert_secure_headers(editor)
    autosave = client.post(
        reverse("dossiers:step", kwargs={"reference": demo_draft.reference, "step": "diagnostic"}),
        {"diagnostic": "Un diagnostic partagé."},
        **AUTOSAVE,
    )
    assert autosave["Content-Type"] == "application/json"
    assert_secure_headers(autosave)


def test_instruction_committee_convention_and_pdf_download_carry_the_security_headers(
    client, draft_agreement, accounts
):
    dossier = draft_agreement.dossier
    client.force_login(accounts["instructeur.09"])
    pages = [
        reverse("instruction:queue"),
        reverse("instruction:dossier", args=[dossier.reference]),
        reverse("agreements:detail", args=[dossier.pk]),
    ]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        assert_secure_headers(response)
    download = client.get(reverse("agreements:download", args=[dossier.pk, "pdf"]))
    assert download["Content-Type"] == "application/pdf"
    assert_secure_headers(download)
    client.force_login(accounts["dreets"])
    committee = client.get(reverse("committee:index"))
    assert committee.status_code == 200
    assert_secure_headers(committee)


def test_the_administration_carries_the_security_headers(client, draft_agreement, accounts):
    client.force_login(accounts["admin"])
    response = client.get("/admin/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "'nonce-" in csp and "unsafe-inline" not in csp


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("address", "status"), [("/nulle-part/", 404), ("/essai/interdit/", 403), ("/essai/panne/", 500)]
)
def test_error_pages_carry_the_security_headers(db, address, status):
    response = Client(raise_request_exception=False).get(address)
    assert response.status_code == status
    assert_secure_headers(response)


def test_an_anonymous_visitor_redirected_to_the_login_gets_the_headers_too(client, db):
    response = client.get(reverse("instruction:queue"))
    assert response.status_code == 302
    assert "Content-Security-Policy" in response and "Permissions-Policy" in response


def test_production_sends_hsts_with_include_subdomains(client, db, settings, monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "cle-de-production-de-test")
    production = importlib.import_module("config.settings.prod")
    assert production.SECURE_HSTS_SECONDS >= 31536000
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    settings.SECURE_HSTS_SECONDS = production.SECURE_HSTS_SECONDS
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = production.SECURE_HSTS_INCLUDE_SUBDOMAINS
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_project_template_has_an_inline_script_handler_or_style_attribute():
    """Every template served to a browser, rendered by a test or not: JavaScript only from static files."""
    templates = Path(settings.BASE_DIR) / "pactes" / "templates"
    offenders = []
    for template in sorted(templates.rglob("*.html")):
        relative = template.relative_to(templates).as_posix()
        if relative.startswith("pdf/") or relative == "agreements/default_body.html":  # WeasyPrint's, not a browser's
            continue
        source = template.read_text(encoding="utf-8")
        for attributes, content in SCRIPT_RE.findall(source):
            if content.strip() and "csp_nonce" not in attributes:
                offenders.append(f"{template}: <script> en ligne sans nonce")
        offenders += [f"{template}: {m.group(0)[:60]}" for m in HANDLER_RE.finditer(source)]
        offenders += [f"{template}: {m.group(0)[:60]}" for m in STYLE_ATTR_RE.finditer(source)]
    assert offenders == []


def test_the_dsfr_components_with_inline_handlers_are_switched_off():
    """django-dsfr writes ``onclick=`` on a closable notice and ``style=`` on a sized operator logo: Pactes's fixed
    site configuration uses neither."""
    assert SITE_CONFIG.notice_is_collapsible is False
    assert SITE_CONFIG.operator_logo_width == 0
