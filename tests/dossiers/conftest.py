"""Fixtures of the interchange tests (pactes.dossier/1), shared by the format and command tests of this package."""

import json

import pytest
from django.conf import settings

from pactes.accounts.models import Role, User
from pactes.calls.services import call_load, eligible_list_build_indicative
from pactes.dossiers.interchange import EXAMPLE_PATH
from pactes.territories.testing import load_reference_data


@pytest.fixture
def pts_call(db):
    load_reference_data()  # idempotent: already there when the root conftest loads it
    call = call_load(path=settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    eligible_list_build_indicative(call=call)
    return call


@pytest.fixture
def example():
    return json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def applicant_user(db):
    return User.objects.create_user("porteuse@pactes.test", "motdepasse-solide-42", role=Role.APPLICANT)
