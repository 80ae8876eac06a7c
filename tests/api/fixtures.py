"""Fixtures of the API tests: a personal access token for any user, and the HTTP header that carries it.
Registered for every package by tests/conftest.py."""

import pytest

from pactes.api.services import token_create


@pytest.fixture
def bearer():
    """``bearer(user)`` → the ``HTTP_AUTHORIZATION`` keyword of the test client for a new token of ``user``."""

    def make(user, *, days: int = 30) -> dict[str, str]:
        created = token_create(user=user, name=f"essai {user.email}", days=days)
        return {"HTTP_AUTHORIZATION": f"Bearer {created.plain}"}

    return make
