"""Amounts of money: strict parsing of what a person types, and the French way of writing them back.

No Django here. An *amount* is a non-negative ``Decimal`` with at most two decimals (cents), quantized to 0.01.
Bad input raises ``AmountError`` with a French message; it never silently becomes 0.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
# A sanity bound, not a rule of the call: no PTS budget comes near 100 million euros; beyond is a typing error.
MAX_AMOUNT = Decimal("100000000")

NARROW_NBSP = "\u202f"  # thousands separator (typographie française)
NBSP = "\u00a0"  # before € and %

_SPACES = re.compile(r"[ \u00a0\u202f\u2009\t]")
_NUMBER = re.compile(r"(?P<int>\d{1,3}(?: \d{3})+|\d+)(?:[.,](?P<dec>\d+))?")
_CURRENCY = re.compile(r"\s*(?:€|eur|euros?)\s*$", re.IGNORECASE)


class AmountError(ValueError):
    """An amount that cannot be read or is not acceptable (message in French, for the person who typed it)."""


def parse_amount(value: str | Decimal | int) -> Decimal:
    """Read « 62 000 », « 62000,50 », « 62 000,5 € » or « 62000.50 » as an amount quantized to the cent.

    Thousands may be separated by spaces (ordinary, no-break or narrow no-break) in groups of three; the decimal
    mark is a comma or a dot, used once. « 1.234,56 » (dot thousands) is refused rather than guessed.
    """
    if isinstance(value, bool | float):
        raise AmountError("Le montant doit être saisi en chiffres exacts (pas de nombre à virgule flottante).")
    if isinstance(value, int):
        return check_amount(Decimal(value))
    if isinstance(value, Decimal):
        return check_amount(value)
    text = value.strip()
    if not text:
        raise AmountError("Le montant est vide : saisissez un nombre d'euros.")
    text = _CURRENCY.sub("", text).strip()
    if text.startswith(("-", "−")):
        raise AmountError(f"Le montant ne peut pas être négatif (lu : « {value.strip()} »).")
    normalized = _SPACES.sub(" ", text)
    normalized = re.sub(" +", " ", normalized)
    if normalized.count(",") + normalized.count(".") > 1:
        raise AmountError(
            f"« {value.strip()} » n'est pas un montant lisible : séparez les milliers par des espaces et utilisez "
            "une seule virgule pour les centimes (exemple : 62 000,50)."
        )
    match = _NUMBER.fullmatch(normalized)
    if match is None:
        raise AmountError(
            f"« {value.strip()} » n'est pas un montant : saisissez des chiffres, des espaces entre les milliers "
            "et une virgule pour les centimes (exemple : 62 000,50)."
        )
    decimals = match.group("dec") or ""
    if len(decimals) > 2:
        raise AmountError(f"Le montant « {value.strip()} » a plus de deux décimales : les centimes suffisent.")
    integer = match.group("int").replace(" ", "")
    return check_amount(Decimal(f"{integer}.{decimals or '0'}"))


def check_amount(amount: Decimal) -> Decimal:
    """Validate an amount already held as a Decimal; return it quantized to the cent."""
    if not amount.is_finite():
        raise AmountError("Le montant n'est pas un nombre.")
    if amount < 0:
        raise AmountError(f"Le montant ne peut pas être négatif (lu : {euros(amount)}).")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise AmountError(f"Le montant {amount} a plus de deux décimales : les centimes suffisent.")
    if amount > MAX_AMOUNT:
        raise AmountError(f"Le montant {euros(amount)} dépasse {euros(MAX_AMOUNT)} : vérifiez la saisie.")
    try:
        return amount.quantize(CENT)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the checks above
        raise AmountError("Le montant n'est pas un nombre.") from exc


def euros(amount: Decimal) -> str:
    """« 62 000 € », « 61 999,99 € »: narrow no-break space between thousands, no-break space before €."""
    quantized = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if quantized < 0 else ""
    units, cents = f"{abs(quantized):.2f}".split(".")
    grouped = f"{int(units):,}".replace(",", NARROW_NBSP)
    text = grouped if cents == "00" else f"{grouped},{cents}"
    return f"{sign}{text}{NBSP}€"


def percent(rate: Decimal, *, rounding: str = ROUND_HALF_UP) -> str:
    """A rate as « 50 % » or « 49,99 % » (two decimals at most).

    ``ROUND_DOWN`` never shows a failing 49,999 % as 50 %.
    """
    value = (rate * 100).quantize(CENT, rounding=rounding)
    units, cents = f"{value:.2f}".split(".")
    text = units if cents == "00" else f"{units},{cents.rstrip('0')}"
    return f"{text}{NBSP}%"


def truncated_percent(rate: Decimal) -> str:
    return percent(rate, rounding=ROUND_DOWN)


def paragraph(section: str) -> str:
    """« 1.4 FINANCEMENT (plafonnée …) » → « §1.4 », for short references inside messages; empty if unknown."""
    number = section.split(" ", 1)[0] if section else ""
    return f"§{number}" if number[:1].isdigit() else ""


def cited(section: str) -> str:
    """`` (§1.4)`` to end a message, or nothing when the section is unknown."""
    ref = paragraph(section)
    return f" ({ref})" if ref else ""
