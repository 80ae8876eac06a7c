"""Amounts typed by people: strict reading, never a silent 0; French writing back (« 62 000 € »)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pactes.rules.money import MAX_AMOUNT, AmountError, cited, euros, paragraph, parse_amount, percent

NNBSP = "\u202f"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("62 000", Decimal("62000.00")),
        ("62000", Decimal("62000.00")),
        ("62000,50", Decimal("62000.50")),
        ("62 000,5 €", Decimal("62000.50")),
        ("62000.50", Decimal("62000.50")),
        (f"62{NNBSP}000{NBSP}€", Decimal("62000.00")),
        (f"1{NBSP}234{NBSP}567,89", Decimal("1234567.89")),
        ("  0  ", Decimal("0.00")),
        ("124000 euros", Decimal("124000.00")),
        ("7 EUR", Decimal("7.00")),
    ],
)
def test_parse_amount_reads_french_and_plain_notations(text: str, expected: Decimal) -> None:
    amount = parse_amount(text)
    assert amount == expected
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "vide"),
        ("   ", "vide"),
        ("-5", "négatif"),
        ("−5", "négatif"),
        ("abc", "n'est pas un montant"),
        ("NaN", "n'est pas un montant"),
        ("inf", "n'est pas un montant"),
        ("Infinity", "n'est pas un montant"),
        ("1.234,56", "une seule virgule"),
        ("1,234.56", "une seule virgule"),
        ("1.234", "plus de deux décimales"),
        ("62000,505", "plus de deux décimales"),
        ("62 00", "n'est pas un montant"),
        ("1e5", "n'est pas un montant"),
        ("100 000 000,01", "dépasse"),
        ("999999999", "dépasse"),
    ],
)
def test_parse_amount_refuses_bad_input_with_a_french_message(text: str, fragment: str) -> None:
    with pytest.raises(AmountError) as error:
        parse_amount(text)
    assert fragment in str(error.value)


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-1"), Decimal("1.005"), 1.5, True, MAX_AMOUNT + 1]
)
def test_parse_amount_refuses_bad_non_text_values(value: object) -> None:
    with pytest.raises(AmountError):
        parse_amount(value)  # type: ignore[arg-type]


def test_parse_amount_accepts_the_sanity_bound_itself() -> None:
    assert parse_amount("100 000 000") == MAX_AMOUNT


def test_parse_amount_accepts_exact_decimals_and_integers() -> None:
    assert parse_amount(Decimal("62000.5")) == Decimal("62000.50")
    assert parse_amount(62000) == Decimal("62000.00")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("62000"), f"62{NNBSP}000{NBSP}€"),
        (Decimal("61999.99"), f"61{NNBSP}999,99{NBSP}€"),
        (Decimal("0"), f"0{NBSP}€"),
        (Decimal("1234567.5"), f"1{NNBSP}234{NNBSP}567,50{NBSP}€"),
        (Decimal("999"), f"999{NBSP}€"),
    ],
)
def test_euros_writes_french_typography(amount: Decimal, text: str) -> None:
    assert euros(amount) == text


@pytest.mark.parametrize(
    ("rate", "text"),
    [(Decimal("0.5"), f"50{NBSP}%"), (Decimal("0.4999"), f"49,99{NBSP}%"), (Decimal("0.125"), f"12,5{NBSP}%")],
)
def test_percent_writes_french_rates(rate: Decimal, text: str) -> None:
    assert percent(rate) == text


def test_paragraph_cites_the_section_number() -> None:
    assert paragraph("1.4 FINANCEMENT (plafonnée à 62 K€ par projet)") == "§1.4"
    assert cited("1.4 FINANCEMENT") == " (§1.4)"
    assert cited("") == ""
    assert cited("en-tête") == ""


@given(st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False))
def test_euros_then_parse_amount_gives_back_the_amount(amount: Decimal) -> None:
    assert parse_amount(euros(amount)) == amount
