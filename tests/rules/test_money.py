"""Amounts typed by people: strict reading, never a silent 0; French writing back (« 62 000 € »)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pactes.rules.money import MAX_AMOUNT, AmountError, cited, euros, number, paragraph, parse_amount, percent

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
        ("10 000 000 000", "Montant trop grand"),
        ("9999999999,991", "plus de deux décimales"),
        ("10000000000", "Montant trop grand"),
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


def test_parse_amount_accepts_the_platform_maximum_itself() -> None:
    assert Decimal("9999999999.99") == MAX_AMOUNT  # DecimalField(max_digits=12, decimal_places=2)
    assert parse_amount("9 999 999 999,99") == MAX_AMOUNT
    assert parse_amount("0000000000009999999999,99") == MAX_AMOUNT


@pytest.mark.parametrize(
    "text",
    [
        "1" * 27,  # the editor save, the autosave and the queue filter crashed on it
        "1" * 26,
        "9" * 100_000,
        "1" * 40 + ",5",
        "1 000" + " 000" * 20,
        f"{'9' * 30} €",
        "10 000 000 000,00",
    ],
)
def test_parse_amount_says_too_large_for_any_length(text: str) -> None:
    with pytest.raises(AmountError) as error:
        parse_amount(text)
    message = str(error.value)
    assert message.startswith("Montant trop grand")
    assert f"au plus 9{NNBSP}999{NNBSP}999{NNBSP}999,99{NBSP}€" in message
    assert len(message) < 200  # what was typed is quoted, cut short


@pytest.mark.parametrize(
    "value",
    [
        Decimal("1" * 27),
        Decimal("1E+999999999"),
        Decimal("10000000000"),
        10**5000,
        Decimal("1" * 40 + ".123"),
    ],
    ids=["27-digits", "huge-exponent", "just-over", "int-5000-digits", "40-digits-3-decimals"],
)
def test_parse_amount_says_too_large_for_any_decimal(value: Decimal | int) -> None:
    with pytest.raises(AmountError, match=r"^Montant trop grand"):
        parse_amount(value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("x" * 100_000, "n'est pas un montant"),
        (" " * 50_000 + "1" + " " * 50_000 + "x", "n'est pas un montant"),
        ("-" + "9" * 1000, "négatif"),
        (Decimal("-1E+99999"), "négatif"),
        (Decimal("1.0000000000000000000000000000000001"), "plus de deux décimales"),
        (Decimal("1E-99999"), "plus de deux décimales"),
    ],
)
def test_parse_amount_refuses_long_or_odd_input_with_a_short_french_message(
    value: str | Decimal, fragment: str
) -> None:
    with pytest.raises(AmountError) as error:
        parse_amount(value)
    assert fragment in str(error.value)
    assert len(str(error.value)) < 250


@given(st.text(max_size=200))
def test_parse_amount_never_raises_anything_but_amount_error(text: str) -> None:
    try:
        amount = parse_amount(text)
    except AmountError as error:
        assert str(error)
    else:
        assert Decimal(0) <= amount <= MAX_AMOUNT
        assert amount.as_tuple().exponent == -2


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_check_amount_never_raises_anything_but_amount_error(value: Decimal) -> None:
    try:
        amount = parse_amount(value)
    except AmountError:
        return
    assert Decimal(0) <= amount <= MAX_AMOUNT


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
        (Decimal("-1234.5"), f"-1{NNBSP}234,50{NBSP}€"),
        (Decimal("1" * 27), f"111{NNBSP}" * 8 + f"111{NBSP}€"),
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


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (Decimal("0.49999"), f"49,99{NBSP}%"),
        (Decimal("0.499999999"), f"49,99{NBSP}%"),
        (Decimal("0.33333"), f"33,33{NBSP}%"),
        (Decimal("0.66666"), f"66,66{NBSP}%"),
        (Decimal("-0.12345"), f"-12,34{NBSP}%"),
        (Decimal("0"), f"0{NBSP}%"),
    ],
)
def test_percent_truncates_and_never_rounds_up_across_a_threshold(rate: Decimal, text: str) -> None:
    assert percent(rate) == text


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (Decimal("1234"), None, f"1{NNBSP}234"),
        (Decimal("2.5"), None, "2,50"),
        (Decimal("12.345"), 2, "12,35"),
        (Decimal("4.5"), 1, "4,5"),
        (-1234567, None, f"-1{NNBSP}234{NNBSP}567"),
        (Decimal("0"), 2, "0,00"),
    ],
)
def test_number_writes_french_quantities(value: Decimal | int, decimals: int | None, text: str) -> None:
    assert number(value, decimals) == text


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("1E+5000")])
def test_number_refuses_what_is_no_number(value: Decimal) -> None:
    with pytest.raises(AmountError):
        number(value)


def test_percent_and_euros_write_any_computed_magnitude() -> None:
    assert percent(Decimal("1" * 30)) == f"{'1' * 30}00{NBSP}%"
    assert euros(Decimal("1" * 40 + ".555")).endswith(f"111,56{NBSP}€")


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("1E+5000")])
def test_euros_refuses_what_is_no_amount_with_a_french_error(value: Decimal) -> None:
    with pytest.raises(AmountError):
        euros(value)


def test_paragraph_cites_the_section_number() -> None:
    assert paragraph("1.4 FINANCEMENT (plafonnée à 62 K€ par projet)") == "§1.4"
    assert cited("1.4 FINANCEMENT") == " (§1.4)"
    assert cited("") == ""
    assert cited("en-tête") == ""


@given(st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False))
def test_euros_then_parse_amount_gives_back_the_amount(amount: Decimal) -> None:
    assert parse_amount(euros(amount)) == amount
