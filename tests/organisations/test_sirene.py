"""The SIRENE client against a local fake « Recherche d'entreprises » API answering recorded responses."""

import pytest

from pactes.organisations.services import lookup_problem
from pactes.organisations.sirene import Outcome, departement_of_commune, establishment_lookup

pytestmark = pytest.mark.django_db


def test_an_active_association_is_found_with_its_name_address_and_legal_category(fake_sirene):
    lookup = establishment_lookup("50123456100006")
    assert lookup.outcome == Outcome.FOUND
    found = lookup.establishment
    assert found.name == "ASSOCIATION ENTRAIDE DU VAL D'ARIEGE"
    assert found.address == "12 RUE DE LA BISTOURE 09000 FOIX"
    assert found.legal_category == "9220"
    assert found.legal_category_label == "Association déclarée"
    assert found.departement_code == "09"
    assert found.is_active
    assert lookup_problem(lookup) == ""
    assert fake_sirene.requests == ["50123456100006"]


def test_a_commune_is_found_and_its_departement_read_from_the_answer(fake_sirene):
    found = establishment_lookup("21090261500009").establishment
    assert (found.name, found.legal_category, found.departement_code) == ("COMMUNE DE SAINT GIRONS", "7210", "09")


def test_a_closed_establishment_is_found_closed_and_refused_in_french(fake_sirene):
    lookup = establishment_lookup("77566281000016")
    assert lookup.is_found and not lookup.establishment.is_active
    assert lookup.establishment.departement_code == "11"  # from its commune code (no « departement » key)
    problem = lookup_problem(lookup)
    assert "établissement est fermé depuis le 2019-12-31" in problem


def test_an_unknown_siret_is_not_found(fake_sirene):
    lookup = establishment_lookup("77566281000024")
    assert lookup.outcome == Outcome.NOT_FOUND
    assert "introuvable dans le répertoire SIRENE" in lookup_problem(lookup)


def test_an_api_answering_503_is_unavailable_and_not_cached(fake_sirene):
    fake_sirene.mode = "down"
    assert establishment_lookup("50123456100006").outcome == Outcome.UNAVAILABLE
    fake_sirene.mode = "ok"
    assert establishment_lookup("50123456100006").outcome == Outcome.FOUND


def test_an_api_slower_than_the_timeout_is_unavailable(fake_sirene):
    fake_sirene.mode = "slow"
    assert establishment_lookup("50123456100006").outcome == Outcome.UNAVAILABLE


def test_an_unreachable_api_is_unavailable(settings):
    settings.PACTES_SIRENE_BASE_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    assert establishment_lookup("50123456100006").outcome == Outcome.UNAVAILABLE


def test_a_base_url_that_is_not_a_web_address_is_never_opened(settings):
    settings.PACTES_SIRENE_BASE_URL = "file:///etc"
    assert establishment_lookup("50123456100006").outcome == Outcome.UNAVAILABLE


def test_answers_are_cached_so_the_two_steps_of_the_form_ask_once(fake_sirene):
    establishment_lookup("50123456100006")
    establishment_lookup("50123456100006")
    assert fake_sirene.requests == ["50123456100006"]


@pytest.mark.parametrize(("code", "expected"), [("09122", "09"), ("2A004", "2A"), ("97411", "974"), ("", "")])
def test_departement_of_a_commune_code(code, expected):
    assert departement_of_commune(code) == expected
