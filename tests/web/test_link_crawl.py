"""Issue 16 (7): no link leads to a page its reader cannot open. The demo (``setup_demo``: every stage from filing to
settlement) is loaded once; as every demo role, a crawler starts from « Mon espace » and the home page and follows
every link of every page it reaches (the administration's own pages aside): none answers 404 or 403.
"""

import html
import io
import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import Resolver404, resolve

from pactes.accounts.models import User

ROLES = (
    "porteur.ariege@demo.test",
    "porteur.aude@demo.test",
    "instructeur.09@demo.test",
    "instructeur.11@demo.test",
    "instructeur.66@demo.test",
    "dreets@demo.test",
    "jury@demo.test",
    "admin@demo.test",
)
START = ("/espace/", "/")
SKIPPED = ("/admin/", "/static/", "/compte/deconnexion", "/oidc/")
LIMIT = 600  # pages per role: the demo has fewer; a runaway crawl fails loudly instead of looping
# Public reference pages of the territories (4 453 communes): a few of each kind are enough, they are not scoped.
SAMPLED_NAMESPACES = {"territories": 3}
HREF = re.compile(r"""<a\s[^>]*href="([^"]+)\"""")


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(autouse=True)
def media_root(settings, demo_media):
    """The demo's documents (PDF of the procès-verbal, letters, conventions) stay readable by every test here."""
    settings.MEDIA_ROOT = demo_media
    return demo_media


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_media):
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=demo_media), transaction.atomic():
        call_command("setup_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def internal(link: str) -> str | None:
    link = urldefrag(html.unescape(link)).url
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not link.startswith("/") or link.startswith(SKIPPED):
        return None
    return link


def sampled_out(url: str, per_route: Counter[str]) -> bool:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    cap = SAMPLED_NAMESPACES.get(match.namespace)
    if cap is None:
        return False
    per_route[match.route] += 1
    return per_route[match.route] > cap


def crawl(client: Client) -> tuple[set[str], list[tuple[str, str, int]]]:
    seen: set[str] = set()
    per_route: Counter[str] = Counter()
    broken: list[tuple[str, str, int]] = []
    queue: deque[tuple[str, str]] = deque((url, "(départ)") for url in START)
    while queue:
        url, source = queue.popleft()
        if url in seen or sampled_out(url, per_route):
            continue
        seen.add(url)
        assert len(seen) <= LIMIT, f"Plus de {LIMIT} pages : le crawl boucle ({url})."
        response = client.get(url)
        if response.status_code in (403, 404):
            broken.append((source, url, response.status_code))
            continue
        if response.status_code in (301, 302):
            target = internal(response.headers["Location"])
            if target is not None:
                queue.append((target, url))
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        for link in HREF.findall(response.content.decode()):
            target = internal(link)
            if target is not None and target not in seen:
                queue.append((target, url))
    return seen, broken


@pytest.mark.parametrize("email", ROLES)
def test_every_link_of_every_page_opens_for_its_reader(demo, email):
    client = Client()
    client.force_login(User.objects.get(email=email))
    seen, broken = crawl(client)
    assert len(seen) > 5
    assert broken == [], "\n".join(f"{code} : {url} (lien de {source})" for source, url, code in broken)
