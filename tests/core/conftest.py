"""Fixtures of the journal's tests: the demo staff by short name and a filed Ariège dossier under review."""

import pytest

from pactes.accounts.models import User
from pactes.dossiers.services import dossier_transition
from tests.dossiers.fixtures import file_it

STAFF = {"i09": "instructeur.09@demo.test", "i11": "instructeur.11@demo.test", "dreets": "dreets@demo.test"}


@pytest.fixture
def evidence_staff(demo_accounts):
    return {key: User.objects.get(email=email) for key, email in STAFF.items()}


@pytest.fixture
def reviewed(draft, applicant, evidence_staff, django_capture_on_commit_callbacks):
    """The interchange example (Ariège), filed (version 1), then taken up by its instructor."""
    file_it(draft, applicant, django_capture_on_commit_callbacks)
    return dossier_transition(dossier=draft, transition="start_review", by=evidence_staff["i09"])
