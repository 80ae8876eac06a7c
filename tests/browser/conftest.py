"""Browser journeys: Playwright drives Debian's chromium (never a downloaded browser) against a live server.

Each journey is one file ``test_journey_<who>_<what>.py`` so it can run alone:
``.venv/bin/pytest tests/browser/test_journey_visitor_call_page.py``.
"""

import os
import shutil

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


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def reference_data(transactional_db):
    """live_server tests flush the database after each test: reload the reference data (idempotent) first."""
    from pactes.territories.testing import load_reference_data

    return load_reference_data()
