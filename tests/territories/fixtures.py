"""Reference territories and the shipped Filosofi 2019 indicators, loaded once per test session.

Tests in a transaction (``db``) see them and their changes are rolled back. Registered for every package by tests/conftest.py.
"""

import pytest

from pactes.territories.testing import ReferenceData, load_reference_data


@pytest.fixture(scope="session")
def reference_data_once(django_db_setup, django_db_blocker) -> ReferenceData:
    with django_db_blocker.unblock():
        return load_reference_data()


@pytest.fixture
def territories(reference_data_once, db) -> ReferenceData:
    return reference_data_once
