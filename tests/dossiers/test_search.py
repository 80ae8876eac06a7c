"""Free-text search of dossiers: number, title, organisation, SIRET, EPCI and commune names, accents and case
ignored, on SQLite and on PostgreSQL (full-text, French configuration)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection

from pactes.dossiers.models import Dossier
from pactes.dossiers.search import dossier_search_refresh, dossier_search_text, dossiers_matching, search_terms
from pactes.instruction.selectors import QueueFilters, dossier_queue


def found(q: str) -> set[str]:
    return {d.departement.code for d in dossiers_matching(Dossier.objects.all(), q)}


def test_filing_writes_the_search_text(filed):
    for dossier in filed.values():
        dossier.refresh_from_db()
        assert dossier.reference.lower().replace("-", " ") in dossier.search_text
        assert dossier.organisation.siret in dossier.search_text


def test_organisation_name_ignores_accents_and_case(filed):
    name = filed["11"].organisation.name
    assert found(name.upper()) == {"11"}
    assert found(name.lower().replace("e", "é", 1)) >= {"11"}


def test_reference_and_title(filed):
    assert found(filed["09"].reference) == {"09"}
    assert found(filed["09"].reference.lower()) == {"09"}
    words = filed["09"].title.split()[:3]
    assert "09" in found(" ".join(words))


def test_siret_with_or_without_spaces(filed):
    siret = filed["09"].organisation.siret
    assert found(siret) == {"09"}
    assert found(f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}") == {"09"}
    assert search_terms("123 456 789") == ["123456789"]


def test_epci_and_commune_names(filed):
    epci = filed["11"].epcis.first()
    assert found(epci.name.upper()) >= {"11"}
    commune = epci.communes.order_by("name").first()
    assert "11" in found(commune.name)


def test_no_match_and_empty_query(filed):
    assert found("zzz introuvable") == set()
    assert found("  ") == {"09", "11"}


def test_queue_combines_q_with_the_other_filters(filed, accounts):
    dreets = accounts["dreets"]
    name = filed["11"].organisation.name
    assert [d.reference for d in dossier_queue(dreets, QueueFilters(q=name))] == [filed["11"].reference]
    assert list(dossier_queue(dreets, QueueFilters(q=name, departement="09"))) == []
    # An instructor of the Ariège finds nothing of the Aude, whatever it types.
    assert list(dossier_queue(accounts["instructeur.09"], QueueFilters(q=name))) == []


def test_refresh_follows_a_renamed_organisation(filed):
    dossier = filed["09"]
    dossier.organisation.name = "Association Les Écureuils du Volvestre"
    dossier.organisation.save()
    dossier_search_refresh(dossier)
    assert found("ecureuils volvestre") == {"09"}


@pytest.mark.parametrize("q", ["accompagnements", "ACCOMPAGNEMENT"])
def test_full_text_on_postgresql_matches_stems(filed, q):
    if connection.vendor != "postgresql":
        pytest.skip("Recherche plein texte : PostgreSQL seulement.")
    dossier = filed["09"]
    Dossier.objects.filter(pk=dossier.pk).update(title="Accompagner les familles")
    dossier.refresh_from_db()
    dossier_search_refresh(dossier)
    assert "09" in found(q)


def test_data_migration_fills_existing_dossiers(filed):
    migration = importlib.import_module("pactes.dossiers.migrations.0012_fill_search_text")
    Dossier.objects.update(search_text="")
    migration.fill(django_apps, None)
    for dossier in filed.values():
        dossier.refresh_from_db()
        assert dossier.search_text == dossier_search_text(dossier)
