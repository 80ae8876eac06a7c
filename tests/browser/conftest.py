"""Browser journeys: Playwright drives Debian's chromium (never a downloaded browser) against a live server.

Each journey is one file ``test_journey_<who>_<what>.py`` so it can run alone:
``.venv/bin/pytest tests/browser/test_journey_visitor_call_page.py``.
"""

import io
import os
import shutil
from dataclasses import dataclass

import pytest

CHROMIUM = os.environ.get("PACTES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in the test thread; Django must accept ORM calls from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium introuvable ({CHROMIUM}) : installez le paquet Debian « chromium ».")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def pactes_live_server(request):
    """pytest-django's live server, started while ``MEDIA_URL`` is a path: Django's live server thread wraps the site
    in a media-files handler that cannot parse our ``MEDIA_URL = None`` (uploads are never served from a public URL).
    The handler reads the setting once, at start; nothing under that path exists, so every request reaches the site."""
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    address = request.config.getvalue("liveserver") or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(MEDIA_URL="/_live_server_media_unused/"):
        server = LiveServer(address)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(pactes_live_server):
    """The one live server of the session (``pactes_live_server``, the name the demo's modules use)."""
    return pactes_live_server


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative addresses (``page.goto("/appels/")``) go to the live server. Overriding pytest-playwright's own
    fixture also avoids its fallback, a session fixture defined as a method, which pytest 9 deprecates (an error under
    our ``filterwarnings = error``)."""
    return live_server.url


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


@pytest.fixture
def page(page):
    """A missing label or button fails the journey within seconds, not after Playwright's 30 s default."""
    page.set_default_timeout(10_000)
    return page


# Reports every Content-Security-Policy violation of every page of a journey to the test (ADR 0031).
CSP_LISTENER = """
window.pactesViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const violation = {
    page: document.location.pathname,
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  };
  window.pactesViolations.push(violation);
  window.pactesCspViolation(violation);
});
"""


@pytest.fixture(autouse=True)
def csp_violations(request):
    """Fails a journey on any CSP violation its pages report: the browser's ``securitypolicyviolation`` events and
    its console messages about the Content Security Policy. Yields the list (a test may inspect, then empty it)."""
    violations: list[dict] = []
    if "page" not in request.fixturenames:
        yield violations
        return
    page = request.getfixturevalue("page")
    page.expose_function("pactesCspViolation", lambda violation: violations.append(violation))
    page.add_init_script(CSP_LISTENER)

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append({"page": page.url, "console": message.text})

    page.on("console", on_console)
    yield violations
    if violations:
        lines = "\n".join(f"- {v}" for v in violations)
        pytest.fail(f"Violations de la politique de sécurité du contenu (CSP) pendant le parcours :\n{lines}")


# Accessibility of the journeys (issue 15, ADR 0048): every kind of page a journey's ``page`` showed is audited by
# axe-core when the journey ends — read again by GET in the journey's session, so its state is the journey's last one
# (a form's error state is audited by tests/browser/test_accessibility.py). Files (PDF, spreadsheets) are not pages.
NOT_PAGES = (".pdf", ".docx", ".xlsx", ".ods", ".csv", ".zip", ".json", ".svg", ".png")
JOURNEY_AXE_PAGES = 25  # kinds of page audited at most per journey (the nearest first, in the order they were shown)


@pytest.fixture(autouse=True)
def journey_accessibility(request, axe_incomplete):
    """Fails a journey when a page it showed violates a WCAG 2.1 A/AA rule checked by axe-core."""
    if "page" not in request.fixturenames or "demo_site" in request.fixturenames:
        yield
        return
    from urllib.parse import urlsplit

    from playwright.sync_api import Error as PlaywrightError

    from tests.browser.axe import IDS, audit, describe

    page = request.getfixturevalue("page")
    shown: dict[str, str] = {}

    def on_navigation(frame):
        if frame != page.main_frame:
            return
        parts = urlsplit(frame.url)
        if parts.scheme not in ("http", "https") or parts.path.lower().endswith(NOT_PAGES):
            return
        shown.setdefault(IDS.sub("/N", parts.path), frame.url.split("#")[0])

    page.on("framenavigated", on_navigation)
    yield
    page.remove_listener("framenavigated", on_navigation)
    if getattr(request.node, "rep_call_failed", False):
        return  # the journey's own failure says what went wrong
    audits = []
    for url in list(shown.values())[:JOURNEY_AXE_PAGES]:
        try:
            response = page.goto(url, wait_until="load")
        except PlaywrightError:  # a download or a vanished page is not a page to audit
            continue
        if response is None or not (response.headers.get("content-type") or "").startswith("text/html"):
            continue
        audits.append(audit(page))
    axe_incomplete.add(audits)
    found = [one for one in audits if one.violations]
    if found:
        pytest.fail(f"axe-core : violations WCAG 2.1 A/AA sur des pages du parcours :\n{describe(found)}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call_failed = report.failed
    return report


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    # The browser modules reading the whole demo run first, one after the other: it is loaded once (``demo_site``).
    places = [index for index, item in enumerate(items) if "tests/browser/" in str(item.fspath)]
    ordered = sorted((items[index] for index in places), key=lambda item: not uses_demo_site(item))
    for index, item in zip(places, ordered, strict=True):
        items[index] = item


@pytest.fixture
def reference_data(transactional_db):
    """live_server tests flush the database after each test: reload the reference data (idempotent) first."""
    from pactes.territories.testing import load_reference_data

    return load_reference_data()


@pytest.fixture
def demo_platform(reference_data):
    """What ``make demo`` serves: the Pacte measures, both calls with their indicative eligible lists, the seven demo
    accounts and the demo dossiers (built through the services). Returns the calls by slug."""
    from django.conf import settings
    from django.core.management import call_command

    from pactes.calls.models import Call
    from pactes.demo.accounts import ensure_demo_accounts
    from pactes.demo.dossiers import ensure_demo_dossiers

    quiet = io.StringIO()
    call_command("import_measures", str(settings.PACTES_CALLS_DIR / "pacte_des_solidarites.yaml"), stdout=quiet)
    call_command("load_calls", stdout=quiet)
    calls = {slug: Call.objects.get(slug=slug) for slug in ("pts-occitanie-2024", "pts-occitanie-demo")}
    for slug in calls:
        call_command("build_indicative_list", slug, stdout=quiet)
    ensure_demo_accounts()
    for call in calls.values():
        ensure_demo_dossiers(call)
    return calls


@dataclass
class DemoSite:
    url: str  # of the live server
    roles: dict  # role → RolePages (tests/browser/crawl.py)


# Accessibility (ADR 0048): axe-core's undecided checks of the whole session go to one file for a person to review.
AXE_INCOMPLETE = "axe-incomplete.json"
AXE_REPORT_KEY = pytest.StashKey[tuple]()


@pytest.fixture(scope="session")
def axe_incomplete(request):
    """Collects axe-core's incomplete results (tests/browser/axe.py) and writes them at the end of the session."""
    from django.conf import settings

    from tests.browser.axe import IncompleteReport

    report = IncompleteReport(settings.VAR_DIR / AXE_INCOMPLETE)
    yield report
    written = report.write()
    if written is not None:
        request.config.stash[AXE_REPORT_KEY] = (written, report.pages, len(report.entries))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if AXE_REPORT_KEY in config.stash:
        path, pages, entries = config.stash[AXE_REPORT_KEY]
        terminalreporter.write_line(
            f"axe-core : {pages} pages auditées ; {entries} vérifications indécises à examiner à la main dans {path}"
        )


class DemoCache:
    """The whole demo, loaded at most once a session for the modules that read it (``demo_site``)."""

    site: DemoSite | None = None


@pytest.fixture(scope="session")
def demo_cache(django_db_blocker):
    cache = DemoCache()
    yield cache
    release_demo(cache, django_db_blocker)


def release_demo(cache: DemoCache, django_db_blocker) -> None:
    from django.core.management import call_command

    if cache.site is not None:
        cache.site = None
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def uses_demo_site(item) -> bool:
    return "demo_site" in getattr(item, "fixturenames", ())


@pytest.fixture(scope="module", autouse=True)
def demo_released(request, demo_cache, django_db_blocker):
    """A module that does not read the demo starts from an empty database, as after any test of a live server."""
    items = [i for i in request.session.items if getattr(i, "module", None) is request.module]
    if not any(uses_demo_site(i) for i in items):
        release_demo(demo_cache, django_db_blocker)


@pytest.fixture(scope="module")
def demo_site(request, demo_cache, pactes_live_server, django_db_blocker, tmp_path_factory):
    """The whole demo (every role, every stage after filing), loaded once for the modules that read it (the
    accessibility and reflow tests, run first) and committed so the live server sees it, with the pages each role
    reaches within three clicks (tests/browser/crawl.py). The database is flushed before the next module that does not
    read it. Tests using it have no ``django_db`` mark (pytest-django would flush the database after each test, or
    hold a transaction that locks SQLite's tables against the live server) and do not name ``live_server`` (it would
    flush too): they open ``demo_site.url``, with database access open to the live server (``demo_site_open``). One
    test of the module carries the mark, so that the session creates the test database."""
    from django.test import override_settings

    from tests.browser.crawl import load_demo, pages_of_every_role

    request.getfixturevalue("django_db_setup")
    pactes_live_server._live_server_modified_settings.enable()
    if demo_cache.site is None:
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-uploads")):
            load_demo()
            demo_cache.site = DemoSite(pactes_live_server.url, pages_of_every_role())
    yield demo_cache.site
    pactes_live_server._live_server_modified_settings.disable()


@pytest.fixture(autouse=True)
def demo_site_open(request, django_db_blocker):
    """The tests reading the demo without a ``django_db`` mark: the live server's thread may use the database."""
    if "demo_site" in request.fixturenames and not request.node.get_closest_marker("django_db"):
        with django_db_blocker.unblock():
            yield
    else:
        yield
