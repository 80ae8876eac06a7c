"""Shared fixtures: the real reference data (territories, INSEE indicators) loaded once per test database."""

import pytest

from pactes.territories.testing import load_reference_data

pytest_plugins = ["tests.accounts.fixtures"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()
