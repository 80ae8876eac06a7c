"""Write services of the dossier editor: numbering, optimistic locking, all-or-nothing steps, read-only filings."""

# ruff: noqa: F811 — the shared fixtures are imported by name, then requested as arguments.

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.calls.services import call_load
from pactes.dossiers.editing import (
    EditRefused,
    StaleEdit,
    dossier_create,
    dossier_save_step,
    organisation_create,
)
from pactes.dossiers.models import ExpenseLine
from pactes.dossiers.services import dossier_transition
from tests.accounts.fixtures import departements  # noqa: F401 (fixture)


@pytest.fixture
def open_call(db):
    return call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-demo.yaml", today=timezone.localdate())


@pytest.fixture
def user(db):
    return User.objects.create_user("porteur@pactes.test", "motdepasse-solide-42", role=Role.APPLICANT)


@pytest.fixture
def organisation(user, departements):
    return organisation_create(
        name="Association Solidarités Couserans",
        siret="83914701400014",
        kind="association",
        address="",
        departement=departements["09"],
        by=user,
    )


def budget(amount):
    return {
        "expenses": [{"action": None, "category": "Achats", "label": "Matériel", "amount": Decimal(amount)}],
        "state_grant": Decimal("500"),
        "own_funds": None,
        "resources": [],
        "in_kind": [],
    }


def test_references_follow_the_series_of_the_departement_and_use_00_without_one(open_call, user, organisation):
    year = timezone.localtime(open_call.rules.filing_opens_at).year
    first = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    second = dossier_create(call=open_call, organisation=organisation, title="B", by=user)
    homeless = organisation_create(name="Collectif", siret="", kind="collectif", address="", departement=None, by=user)
    third = dossier_create(call=open_call, organisation=homeless, title="C", by=user)
    assert [first.reference, second.reference, third.reference] == [
        f"PTS-{year}-09-0001",
        f"PTS-{year}-09-0002",
        f"PTS-{year}-00-0001",
    ]
    assert third.departement is not None  # the first département until the perimeter sets it


def test_a_dossier_cannot_be_created_for_a_closed_call(user, organisation):
    closed = call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    with pytest.raises(EditRefused):
        dossier_create(call=closed, organisation=organisation, title="Trop tard", by=user)


def test_a_save_increments_the_lock_version(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    dossier_save_step(dossier=dossier, step="budget", data=budget("1000"), expected_lock_version=0, by=user)
    dossier.refresh_from_db()
    assert dossier.lock_version == 1
    assert dossier.expenses.get().amount == Decimal("1000")
    assert dossier.resources.get().kind == "state_pts"


def test_a_save_from_a_stale_version_is_refused_and_writes_nothing(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    dossier_save_step(dossier=dossier, step="budget", data=budget("1000"), expected_lock_version=0, by=user)
    with pytest.raises(StaleEdit) as refused:
        dossier_save_step(dossier=dossier, step="budget", data=budget("9999"), expected_lock_version=0, by=user)
    assert "rechargez la page" in str(refused.value)
    assert list(ExpenseLine.objects.values_list("amount", flat=True)) == [Decimal("1000.00")]


def test_a_filed_dossier_cannot_be_saved(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    dossier_transition(dossier=dossier, transition="submit", by=user)
    dossier.refresh_from_db()
    with pytest.raises(EditRefused):
        dossier_save_step(
            dossier=dossier, step="budget", data=budget("1"), expected_lock_version=dossier.lock_version, by=user
        )
    assert not ExpenseLine.objects.exists()


def test_someone_outside_the_organisation_cannot_save(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    stranger = User.objects.create_user("autre@pactes.test", "motdepasse-solide-42", role=Role.APPLICANT)
    with pytest.raises(EditRefused):
        dossier_save_step(dossier=dossier, step="budget", data=budget("1"), expected_lock_version=0, by=stranger)
