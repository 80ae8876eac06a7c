"""Test helper shared by every app: the full reference geography and the shipped INSEE indicators, loaded once.

Hook it into the root ``tests/conftest.py`` so that every test database starts with the territories::

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            load_reference_data()
"""

from dataclasses import dataclass

from .services import IndicatorsImport, TerritoriesImport, shipped_indicators_import, territories_import


@dataclass(frozen=True)
class ReferenceData:
    territories: TerritoriesImport
    indicators: list[IndicatorsImport]


def load_reference_data() -> ReferenceData:
    """Idempotent: a second call writes nothing."""
    territories = territories_import()
    return ReferenceData(territories=territories, indicators=shipped_indicators_import())
