"""Fixtures of the accounts and access tests: the two départements of the demo, the 2024 call, the demo accounts
and their filed dossiers. Import them into a test module or a conftest to use them.

The départements are created only when the reference territories are not loaded already (they may be, once per
session, by other fixtures).
"""

import pytest

from pactes.calls.services import call_load
from pactes.core.demo import ensure_demo_accounts, ensure_demo_dossiers
from pactes.territories.models import Departement


@pytest.fixture
def departements(db):
    rows = [
        ("09", "Ariège", "09122", "Foix", 153_287, 157_619),
        ("11", "Aude", "11069", "Carcassonne", 374_070, 383_262),
    ]
    return {
        code: Departement.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "region_code": "76",
                "region_name": "Occitanie",
                "prefecture_code": prefecture_code,
                "prefecture_name": prefecture_name,
                "population_municipale": municipale,
                "population_totale": totale,
            },
        )[0]
        for code, name, prefecture_code, prefecture_name, municipale, totale in rows
    }


@pytest.fixture
def call(db, settings):
    return call_load(path=settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")


@pytest.fixture
def demo_accounts(departements):
    return ensure_demo_accounts()


@pytest.fixture
def demo_dossiers(demo_accounts, call):
    """The filed dossiers of the demo, keyed by département code."""
    return {dossier.departement.code: dossier for dossier in ensure_demo_dossiers(call)}
