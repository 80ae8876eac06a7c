"""Fixtures of the calls tests: the shipped calls loaded through the service, the reference territories and the
Filosofi 2019 indicators imported through their commands, users per role. Provided by tests/calls/conftest.py and tests/web/calls/conftest.py."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command

from pactes.accounts.models import Role, User
from pactes.calls.services import call_load, eligible_list_build_indicative
from pactes.territories.models import Departement, IndicatorValue

FILOSOFI_2019 = "pactes/territories/data/occitanie_epci_filosofi2019.csv"
DEMO_TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def real_call(db):
    return call_load(path=settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")


@pytest.fixture
def demo_call(db):
    return call_load(path=settings.PACTES_CALLS_DIR / "pts-occitanie-demo.yaml", today=DEMO_TODAY)


@pytest.fixture
def reference_data(db):
    """The territories and Filosofi 2019 (loaded once per test database by tests/conftest.py, else here)."""
    if not IndicatorValue.objects.filter(indicator__code="Q2", year=2019).exists():
        call_command("import_territories", verbosity=0)
        call_command("import_indicators", FILOSOFI_2019, verbosity=0)


@pytest.fixture
def indicative_call(real_call, reference_data):
    eligible_list_build_indicative(call=real_call)
    return real_call


def make_user(email: str, role: str, **fields: object) -> User:
    return User.objects.create_user(email, "motdepasse-solide-42", role=role, **fields)


@pytest.fixture
def admin_user(db):
    return make_user("admin@pactes.test", Role.ADMIN)


@pytest.fixture
def dreets_user(db):
    return make_user("dreets@pactes.test", Role.DREETS)


@pytest.fixture
def instructor_user(reference_data):
    return make_user("ddets09@pactes.test", Role.INSTRUCTOR, departement=Departement.objects.get(code="09"))
