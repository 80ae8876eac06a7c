"""Search of communes and EPCI by name or code, indicators of a territory, EPCI ranking."""

import pytest

from pactes.territories.selectors import (
    communes_by_code,
    communes_epci_and_name,
    epci_ranking,
    epcis_by_siren,
    indicators_for,
    search_territories,
    territory_code_of_siren,
)

# Search relies on LIKE/contains, case-sensitive on PostgreSQL and not on SQLite.
pytestmark = pytest.mark.engine


def first(query):
    matches = search_territories(query)
    assert matches, query
    return matches[0]


@pytest.mark.parametrize("query", ["Saint-Girons", "saint girons", "SAINT-GIRONS", "st girons", "St-Girons"])
def test_commune_is_found_by_name_whatever_accents_case_and_abbreviation(territories, query):
    match = first(query)
    assert (match.kind, match.code, match.matched_on) == ("commune", "09261", "nom")
    assert match.epci_siren == "200067940"


def test_accentless_query_finds_accented_names(territories):
    names = [m.name for m in search_territories("ariege", limit=50)]
    assert "CC de la Haute Ariège" in names
    assert "Tarascon-sur-Ariège" in names


def test_epci_is_found_by_name_and_by_siren(territories):
    assert first("couserans").code == "200067940"
    match = first("200067940")
    assert (match.kind, match.matched_on) == ("epci", "SIREN")


def test_commune_is_found_by_insee_postal_and_former_code(territories):
    assert (first("09261").code, first("09261").matched_on) == ("09261", "code INSEE")
    by_postal = search_territories("09200")
    assert ("09261", "code postal") in {(m.code, m.matched_on) for m in by_postal}
    assert (first("09278").code, first("09278").matched_on) == ("09030", "ancien code INSEE")


def test_exact_name_comes_before_longer_names(territories):
    assert first("Toulouse").code == "31555"


def test_empty_query_finds_nothing(territories):
    assert search_territories("   ") == []


def test_limit_is_respected(territories):
    assert len(search_territories("saint", limit=5)) == 5


def test_indicators_for_an_epci_carry_label_unit_year_and_source(territories):
    values = indicators_for("epci", "200067940")
    assert len(values) == 29
    median = next(v for v in values if v.indicator.code == "Q2")
    assert (median.indicator.label, median.indicator.unit, median.year, median.source) == (
        "Médiane du niveau de vie",
        "€",
        2019,
        "Insee, Filosofi 2019",
    )


def test_epci_ranking_puts_the_poorest_first(territories):
    ranking = epci_ranking("Q2", departement_code="09")
    assert ranking[0].epci.name == "CC du Pays d'Olmes"
    assert [r.rank for r in ranking] == list(range(1, len(ranking) + 1))
    values = [r.value for r in ranking]
    assert values == sorted(values)


def test_epci_ranking_reads_high_shares_of_minima_sociaux_as_poorer(territories):
    values = [r.value for r in epci_ranking("PPMINI")]
    assert values == sorted(values, reverse=True)
    assert len(values) == 164


def test_epci_ranking_of_an_unknown_indicator_is_empty(territories):
    assert epci_ranking("INCONNU") == []


def test_territory_of_a_siren_is_the_communes_insee_code_or_the_epcis_siren(territories):
    saint_girons = communes_by_code(["09261"])["09261"]
    assert territory_code_of_siren(saint_girons.siren, kind="commune") == "09261"
    assert territory_code_of_siren("200067940", kind="epci") == "200067940"
    assert territory_code_of_siren("200067940", kind="association") == ""
    assert territory_code_of_siren("999999999", kind="epci") == ""


def test_lookups_by_code_leave_out_unknown_codes(territories):
    assert list(communes_by_code(["09261", "99999"])) == ["09261"]
    assert list(epcis_by_siren(["200067940", "999999999"])) == ["200067940"]
    epci_of, names = communes_epci_and_name(["09261", "99999"])
    assert (epci_of, names) == ({"09261": "200067940"}, {"09261": "Saint-Girons"})
