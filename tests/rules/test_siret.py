"""SIRET of applicants: 14 digits and a Luhn key (La Poste: digit sum multiple of 5)."""

import pytest

from pactes.rules.siret import SIRET_INVALID, is_valid_siret, luhn_is_valid, normalize_siret, siret_problems


@pytest.mark.parametrize(
    "value",
    [
        "13002526500013",  # a State service
        "130 025 265 00013",
        "130\u00a0025\u00a0265\u00a000013",
        "35600000000048",  # La Poste head office: Luhn
        "35600000049837",  # a La Poste establishment: digit sum 50, Luhn false
    ],
)
def test_valid_siret_has_no_problem(value: str) -> None:
    assert siret_problems(value) == []
    assert is_valid_siret(value)


def test_la_poste_establishment_is_valid_only_by_the_alternative_rule() -> None:
    assert not luhn_is_valid("35600000049837")
    assert sum(int(c) for c in "35600000049837") % 5 == 0


def test_alternative_rule_applies_to_la_poste_only() -> None:
    # Digit sum multiple of 5 but Luhn false and not La Poste.
    assert sum(int(c) for c in "13002526500015") % 5 == 0
    assert [r.code for r in siret_problems("13002526500015")] == [SIRET_INVALID]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "absent"),
        ("1300252650001", "compte 13 chiffres au lieu de 14"),
        ("130025265000130", "compte 15 chiffres au lieu de 14"),
        ("1300252650001A", "que des chiffres"),
        ("13002526500012", "clé de contrôle est fausse"),
        ("35600000049838", "clé de contrôle est fausse"),
    ],
)
def test_invalid_siret_gets_a_precise_message(value: str, fragment: str) -> None:
    reasons = siret_problems(value, section="1.3.4 Les porteurs")
    assert [r.code for r in reasons] == [SIRET_INVALID]
    assert fragment in reasons[0].message
    assert reasons[0].blocking
    assert reasons[0].section == "1.3.4 Les porteurs"


def test_normalize_siret_removes_every_kind_of_space() -> None:
    assert normalize_siret(" 130 025\u202f265\t00013 ") == "13002526500013"
