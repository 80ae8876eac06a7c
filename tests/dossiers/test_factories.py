"""The factories reach each state through the dossier service: the log holds one row per transition fired."""

import pytest

from pactes.accounts.models import Role
from pactes.dossiers.models import DossierTransitionLog
from pactes.rules.lifecycle import DossierState
from tests.factories import PATHS, DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("trait", "state"),
    [
        ("filed", DossierState.SUBMITTED),
        ("under_review", DossierState.UNDER_REVIEW),
        ("admissible", DossierState.ADMISSIBLE),
        ("evaluated", DossierState.EVALUATED),
        ("transmitted", DossierState.TRANSMITTED),
    ],
)
def test_each_trait_reaches_its_state_through_the_logged_transitions(trait, state):
    dossier = DossierFactory(**{trait: True})
    dossier.refresh_from_db()
    assert dossier.state == state
    logged = DossierTransitionLog.objects.filter(dossier=dossier).order_by("pk")
    assert [log.transition for log in logged] == list(PATHS[state])
    assert logged.first().by == dossier.created_by


def test_a_plain_dossier_is_a_draft_of_its_applicants_organisation():
    dossier = DossierFactory()
    assert dossier.state == DossierState.DRAFT
    assert dossier.organisation.memberships.get().user == dossier.created_by
    assert dossier.reference == "PTS-2024-09-0001"


def test_users_by_role():
    assert UserFactory().role == Role.APPLICANT
    instructor = UserFactory(instructor=True)
    assert (instructor.role, instructor.departement.code) == (Role.INSTRUCTOR, "09")
    assert instructor.email.startswith("instructeur.")
    assert {UserFactory(**{trait: True}).role for trait in ("dreets", "jury", "admin")} == {
        Role.DREETS,
        Role.JURY,
        Role.ADMIN,
    }
