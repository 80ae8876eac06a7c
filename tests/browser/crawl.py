"""The pages each demo role reaches within three clicks, for the accessibility and reflow tests (ADR 0048).

Words: a *role* is one demo account per kind of person (applicant, instructor, DREETS, jury, administrator), plus the
*visitor*, nobody logged in. Its *home* is « Mon espace » (the home page for the visitor). The *crawl* follows every
same-origin link (GET, ``<a href>``) from the home, breadth first, three clicks deep, with Django's test client (fast,
in process); the browser then opens the pages it found. Two addresses of the same *kind of page* (same view, same
words in the address, ids and references aside, same query keys) are one page: the first is kept. A role keeps at
most ``PAGES_PER_ROLE`` kinds of page, the nearest first; the public pages (opened without login) are the visitor's,
logged-in roles skip them (their only difference, the header, is on every other page).

Left out, and said in the accessibility statement: Django's administration (``/admin/``, the framework's own
back-office, not built with the State design system), files (PDF, spreadsheets: not HTML), the API's JSON.
"""

from __future__ import annotations

import html
import io
import re
from collections import deque
from dataclasses import dataclass
from urllib.parse import parse_qsl, urldefrag, urlsplit

from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

VISITOR = ""
ROLES = (
    VISITOR,
    "porteur.ariege@demo.test",
    "instructeur.09@demo.test",
    "dreets@demo.test",
    "jury@demo.test",
    "admin@demo.test",
)
DEPTH = 3
PAGES_PER_ROLE = 40
SKIPPED = ("/admin/", "/static/", "/compte/deconnexion", "/oidc/", "/api/v1/dossiers", "/api/v1/schema")
FILES = re.compile(r"(\.[a-z]{2,4}|/telecharger/)$")  # exports, PDF, JSON: files, not pages (never downloaded here)
HREF = re.compile(r"""<a\s[^>]*href="([^"]+)\"""")


def load_demo() -> None:
    """What ``make demo`` serves, committed (the live server reads it from another thread): reference data, both
    calls, every demo account and dossier, every stage after filing. The caller flushes the database afterwards."""
    from django.core.management import call_command

    from pactes.territories.testing import load_reference_data

    load_reference_data()
    call_command("setup_demo", stdout=io.StringIO())


def logged_in_client(email: str) -> Client:
    """A test client with the session a login through the form gives (second factor confirmed for staff)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from pactes.accounts.models import User

    client = Client()
    if email == VISITOR:
        return client
    user = User.objects.get(email__iexact=email)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def session_cookie(client: Client, base_url: str) -> list[dict]:
    """The client's session, as a cookie for a Playwright browser context (empty for the visitor)."""
    morsel = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return [{"name": morsel.key, "value": morsel.value, "url": base_url}] if morsel else []


def internal(link: str) -> str | None:
    link = urldefrag(html.unescape(link)).url
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not link.startswith("/") or link.startswith(SKIPPED) or FILES.search(parts.path):
        return None
    return link


def kind_of_page(url: str) -> tuple | None:
    """Two addresses of one kind of page share this key: view, the words of the address (a step's name), not its
    ids, references or codes (anything with a digit), and the names of its query parameters."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    words = tuple(sorted((k, v) for k, v in match.kwargs.items() if not re.search(r"\d", str(v))))
    return (match.view_name, words, tuple(sorted({key for key, _ in parse_qsl(parts.query)})))


def is_public(url: str) -> bool:
    match = resolve(urlsplit(url).path)
    return not getattr(match.func, "login_required", True)


@dataclass(frozen=True)
class Found:
    url: str
    clicks: int


def crawl(client: Client, start: str, *, skip_public: bool) -> list[Found]:
    """The kinds of page reachable from ``start`` within ``DEPTH`` clicks, the nearest first, at most
    ``PAGES_PER_ROLE``; only pages that answer HTML with status 200 (redirects followed)."""
    found: list[Found] = []
    kinds: set[tuple] = set()
    queue: deque[tuple[str, int]] = deque([(start, 0)])
    while queue and len(found) < PAGES_PER_ROLE:
        url, clicks = queue.popleft()
        kind = kind_of_page(url)
        if kind is None or kind in kinds:
            continue
        kinds.add(kind)
        response = client.get(url)
        while response.status_code in (301, 302) and (target := internal(response.headers["Location"])):
            url, response = target, client.get(target)
            kinds.add(kind_of_page(url) or ())
        if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
            continue
        if not (skip_public and url != start and is_public(url)):
            found.append(Found(url, clicks))
        if clicks < DEPTH:
            for link in HREF.findall(response.content.decode()):
                target = internal(link)
                if target is not None and kind_of_page(target) not in kinds:
                    queue.append((target, clicks + 1))
    return found


@dataclass
class RolePages:
    email: str
    client: Client  # its session also opens the browser's pages
    pages: list[Found]


def pages_of_every_role() -> dict[str, RolePages]:
    """Role (``VISITOR`` for nobody) → the kinds of page it reaches. Call with database access."""
    roles = {}
    for email in ROLES:
        client = logged_in_client(email)
        start = "/" if email == VISITOR else "/espace/"
        roles[email] = RolePages(email, client, crawl(client, start, skip_public=email != VISITOR))
    return roles
