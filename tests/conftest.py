"""Shared fixtures, for every test package: the real reference data (territories, INSEE indicators) loaded once per
test database, uploads in a temporary folder, and the fixture modules that several packages use (each one's docstring
says what it builds). A package that needs another shape of a fixture defines it in its own module or conftest, which
wins over these."""

import pytest

from pactes.territories.testing import load_reference_data

pytest_plugins = [
    "tests.accounts.fixtures",  # the two départements, the 2024 call, the demo accounts and bare filed dossiers
    "tests.territories.fixtures",  # the reference territories of the session
    "tests.core.fake_clamd",  # a fake ClamAV daemon (TCP, Unix socket, silent, down)
    "tests.ds.fake_ds",  # a fake démarches simplifiées (GraphQL over DS's schema, recorded dossiers)
    "tests.dossiers.fixtures",  # a complete draft of the 2024 call and its applicant
    "tests.committee.fixtures",  # the demo dossiers transmitted to a committee session
    "tests.agreements.fixtures",
    "tests.web.editor",  # the applicant's editor: the open demo call, an applicant, a fresh draft (editor_*)  # the same dossiers retained, their conventions drafted, signed, engaged, paid
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads, receipts and generated PDF of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT
