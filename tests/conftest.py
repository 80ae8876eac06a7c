"""Shared fixtures, for every test package: the real reference data (territories, INSEE indicators) loaded once per
test database, uploads in a temporary folder, and the fixture modules that several packages use (each one's docstring
says what it builds). A package that needs another shape of a fixture defines it in its own module or conftest, which
wins over these."""

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactes.accounts.two_factor import requires_second_factor
from pactes.core.reference_cache import clear_local as clear_local_references
from pactes.territories.testing import load_reference_data

TEST_DEVICE_NAME = "Appareil des tests"
_plain_force_login = Client.force_login

pytest_plugins = [
    "tests.accounts.fixtures",  # the two départements, the 2024 call, the demo accounts and bare filed dossiers
    "tests.territories.fixtures",  # the reference territories of the session
    "tests.core.fake_clamd",  # a fake ClamAV daemon (TCP, Unix socket, silent, down)
    "tests.organisations.fake_sirene",  # a fake « Recherche d'entreprises » API answering recorded responses
    "tests.core.fake_tsa",  # a local RFC 3161 timestamping authority (real TimeStampResp, its own key)
    "tests.ds.fake_ds",  # a fake démarches simplifiées (GraphQL over DS's schema, recorded dossiers)
    "tests.dossiers.fixtures",  # a complete draft of the 2024 call and its applicant
    "tests.committee.fixtures",  # the demo dossiers transmitted to a committee session
    "tests.agreements.fixtures",
    "tests.api.fixtures",  # personal access tokens of the REST API (bearer)
    "tests.web.editor",  # the applicant's editor: the open demo call, an applicant, a fresh draft (editor_*)  # the same dossiers retained, their conventions drafted, signed, engaged, paid
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()
    yield
    # Before pytest-django drops the test database: a thread of a concurrency test or a live server that kept its
    # connection would make PostgreSQL refuse the DROP (« being accessed by other users »). They are done by now.
    with django_db_blocker.unblock():
        connection = connections["default"]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


def _flushes_the_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in getattr(item, "fixturenames", ())


@pytest.fixture(scope="module", autouse=True)
def reference_data_back_after_a_flush(request, django_db_blocker):
    """A test in a real transaction (``transaction=True``) ends with every table emptied, the reference data of the
    session included: after the module of such tests, it is loaded again, so the next module of the same worker finds
    it whatever the order."""
    yield
    if "tests/browser/" in str(request.path):  # the journeys load what they need for each test
        return
    items = [i for i in request.session.items if getattr(i, "module", None) is request.module]
    if any(_flushes_the_database(i) for i in items):
        with django_db_blocker.unblock():
            load_reference_data()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the sign-up and reset counters and SIRENE answers of another test do not
    leak into it."""
    cache.clear()
    clear_local_references()  # the process's copies too: SQLite reuses the numbers of rolled-back rows
    yield
    cache.clear()
    clear_local_references()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads, receipts and generated PDF of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def _verified_force_login(self, user, backend=None):
    """``client.force_login(user)`` means « fully logged in »: for a person who must give a second factor (staff, or
    an applicant who enabled one), the session is also marked as confirmed by an authenticator app (a confirmed
    TOTP device of the person, made if absent), exactly as the code page marks it after a right code.

    Honest because ``force_login`` already skips what a login checks (the password, the lockout): the tests that
    prove the checks themselves log in through the real forms (tests/web/accounts/), including that a session
    without a second factor is refused on every staff page. ``log_in_without_second_factor`` keeps the plain one.
    """
    _plain_force_login(self, user, backend)
    if requires_second_factor(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TEST_DEVICE_NAME, confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture(autouse=True)
def force_login_verifies_the_second_factor(monkeypatch):
    monkeypatch.setattr(Client, "force_login", _verified_force_login)


@pytest.fixture
def log_in_without_second_factor():
    """Logs ``user`` in on ``client`` as a password alone would: the session owes its second factor."""

    def log_in(client, user):
        _plain_force_login(client, user)

    return log_in
