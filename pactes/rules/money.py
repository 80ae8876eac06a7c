"""Amounts of money: strict parsing of what a person types, and the French way of writing them back.

This module is the one owner of how Pactes writes an amount, a rate or a number for a person (« 62 000 € »,
« 49,99 % », « 2,5 »): templates (the ``pactes_format`` filters), messages of the rules, e-mails and PDFs all call
``euros``, ``percent`` and ``number``. A rate is always *truncated*, never rounded up, so that the rate shown beside
a verdict is the one the rule judged (a refused 49,999 % reads « 49,99 % », never « 50 % »).

No Django here. An *amount* is a non-negative ``Decimal`` with at most two decimals (cents), quantized to 0.01, at
most ``MAX_AMOUNT`` (the storage limit of the amount columns). Bad input of any length or size raises ``AmountError``
with a French message (« Montant trop grand » beyond the maximum); it never silently becomes 0 and never raises
anything else.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

CENT = Decimal("0.01")
# Platform constant, not a rule of the call: every amount column is DecimalField(max_digits=12, decimal_places=2),
# so 9 999 999 999,99 € is the largest amount Pactes can store; beyond is a typing error (« montant trop grand »).
AMOUNT_MAX_DIGITS = 12
AMOUNT_DECIMAL_PLACES = 2
MAX_AMOUNT = Decimal(10) ** (AMOUNT_MAX_DIGITS - AMOUNT_DECIMAL_PLACES) - CENT
# What is quoted back of a typed text in a message: enough to recognise it, never a whole pasted page.
QUOTED_CHARS = 40

NARROW_NBSP = "\u202f"  # thousands separator (typographie française)
NBSP = "\u00a0"  # before € and %

_SPACES = re.compile(r"[ \u00a0\u202f\u2009\t]")
_NUMBER = re.compile(r"(?P<int>\d{1,3}(?: \d{3})+|\d+)(?:[.,](?P<dec>\d+))?")
_CURRENCY = re.compile(r"\s*(?:€|eur|euros?)\s*$", re.IGNORECASE)


class AmountError(ValueError):
    """An amount that cannot be read or is not acceptable (message in French, for the person who typed it)."""


# Longer than this, a typed text is no amount (the longest, « 9 999 999 999,99 € », has 18 characters).
_MAX_TYPED_CHARS = 64
_DIGITS_ONLY = re.compile(r"[\d \u00a0\u202f\u2009\t.,]+")
# Beyond this many digits before the decimal mark, an amount is shown by its size, not written out.
_MAX_SHOWN_DIGITS = 30
# euros() and percent() refuse magnitudes no computation of Pactes can reach (bounds the work of formatting).
_MAX_FORMATTED_DIGITS = 1000


def too_large_message(shown: str = "") -> str:
    """« Montant trop grand » with the platform maximum; ``shown`` quotes what was read, when it is worth quoting."""
    read = f" (lu : {shown})" if shown else ""
    return f"Montant trop grand{read} : saisissez au plus {euros(MAX_AMOUNT)}."


def parse_amount(value: str | Decimal | int) -> Decimal:
    """Read « 62 000 », « 62000,50 », « 62 000,5 € » or « 62000.50 » as an amount quantized to the cent.

    Thousands may be separated by spaces (ordinary, no-break or narrow no-break) in groups of three; the decimal
    mark is a comma or a dot, used once. « 1.234,56 » (dot thousands) is refused rather than guessed. Any length of
    input gives a French ``AmountError``, never another exception.
    """
    if isinstance(value, bool | float):
        raise AmountError("Le montant doit être saisi en chiffres exacts (pas de nombre à virgule flottante).")
    if isinstance(value, int):
        return check_amount(Decimal(value))
    if isinstance(value, Decimal):
        return check_amount(value)
    text = value.strip()
    shown = _quoted(text)
    if not text:
        raise AmountError("Le montant est vide : saisissez un nombre d'euros.")
    if text.startswith(("-", "−")):
        raise AmountError(f"Le montant ne peut pas être négatif (lu : {shown}).")
    if len(text) > _MAX_TYPED_CHARS:
        if _DIGITS_ONLY.fullmatch(text):
            raise AmountError(too_large_message(shown))
        raise AmountError(
            f"{shown} n'est pas un montant : saisissez des chiffres, des espaces entre les milliers "
            "et une virgule pour les centimes (exemple : 62 000,50)."
        )
    text = _CURRENCY.sub("", text).strip()
    if text.startswith(("-", "−")):
        raise AmountError(f"Le montant ne peut pas être négatif (lu : {shown}).")
    normalized = _SPACES.sub(" ", text)
    normalized = re.sub(" +", " ", normalized)
    if normalized.count(",") + normalized.count(".") > 1:
        raise AmountError(
            f"{shown} n'est pas un montant lisible : séparez les milliers par des espaces et utilisez "
            "une seule virgule pour les centimes (exemple : 62 000,50)."
        )
    match = _NUMBER.fullmatch(normalized)
    if match is None:
        raise AmountError(
            f"{shown} n'est pas un montant : saisissez des chiffres, des espaces entre les milliers "
            "et une virgule pour les centimes (exemple : 62 000,50)."
        )
    decimals = match.group("dec") or ""
    if len(decimals) > 2:
        raise AmountError(f"Le montant {shown} a plus de deux décimales : les centimes suffisent.")
    integer = match.group("int").replace(" ", "").lstrip("0")
    if len(integer) > AMOUNT_MAX_DIGITS - AMOUNT_DECIMAL_PLACES:
        raise AmountError(too_large_message(shown))
    return check_amount(Decimal(f"{integer or '0'}.{decimals or '0'}"))


def check_amount(amount: Decimal) -> Decimal:
    """Validate an amount already held as a Decimal; return it quantized to the cent."""
    if not amount.is_finite():
        raise AmountError("Le montant n'est pas un nombre.")
    if amount < 0:
        raise AmountError(f"Le montant ne peut pas être négatif (lu : {_shown_decimal(amount)}).")
    if amount > MAX_AMOUNT:
        raise AmountError(too_large_message(_shown_decimal(amount)))
    try:
        with localcontext() as context:
            context.prec = 28  # at most 12 digits once bounded by MAX_AMOUNT: exact whatever the caller's context
            cents = amount.quantize(CENT)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the checks above
        raise AmountError("Le montant n'est pas un nombre.") from exc
    if cents != amount:
        raise AmountError(f"Le montant {_shown_decimal(amount)} a plus de deux décimales : les centimes suffisent.")
    return cents


def _quoted(text: str) -> str:
    """« what was typed », cut to QUOTED_CHARS characters."""
    cut = text if len(text) <= QUOTED_CHARS else f"{text[:QUOTED_CHARS]}…"
    return f"« {cut} »"


def _shown_decimal(amount: Decimal) -> str:
    """A Decimal quoted in a message: written out when reasonable, else by its number of digits."""
    if amount.adjusted() >= _MAX_SHOWN_DIGITS:
        return f"un nombre de {amount.adjusted() + 1} chiffres"
    text = format(amount, "f")
    return _quoted(text)


def _quantized(value: Decimal, rounding: str) -> Decimal:
    """``value`` to the cent, with enough precision for its size (the default 28 digits fail beyond 10**26)."""
    if not value.is_finite():
        raise AmountError("Le montant n'est pas un nombre.")
    if value.adjusted() >= _MAX_FORMATTED_DIGITS:
        raise AmountError(too_large_message())
    with localcontext() as context:
        context.prec = max(28, value.adjusted() + 3)
        return value.quantize(CENT, rounding=rounding)


def _grouped(units: str) -> str:
    """« 62000 » → « 62 000 » (narrow no-break spaces), on the digits themselves: no int() size limit."""
    head = len(units) % 3 or 3
    groups = [units[:head], *(units[i : i + 3] for i in range(head, len(units), 3))]
    return NARROW_NBSP.join(groups)


def euros(amount: Decimal) -> str:
    """« 62 000 € », « 61 999,99 € »: narrow no-break space between thousands, no-break space before €."""
    quantized = _quantized(amount, ROUND_HALF_UP)
    sign = "-" if quantized < 0 else ""
    units, cents = f"{quantized.copy_abs():f}".split(".")
    text = _grouped(units) if cents == "00" else f"{_grouped(units)},{cents}"
    return f"{sign}{text}{NBSP}€"


def percent(rate: Decimal) -> str:
    """A rate (0.5) as « 50 % » or « 49,99 % »: two decimals at most, truncated toward zero, never rounded up.

    The one way a rate is written: the panel, the documents and the rules' messages show the same figure for the
    same rate, and a rate below a threshold never reads as the threshold (0.49999 → « 49,99 % »).
    """
    with localcontext() as context:
        context.prec = max(28, rate.adjusted() + 5) if rate.is_finite() else 28
        hundred_times = rate * 100
    value = _quantized(hundred_times, ROUND_DOWN)
    sign = "-" if value < 0 else ""
    units, cents = f"{value.copy_abs():f}".split(".")
    text = units if cents == "00" else f"{units},{cents.rstrip('0')}"
    return f"{sign}{text}{NBSP}%"


def number(value: Decimal | int, decimals: int | None = None) -> str:
    """A quantity, a score or an indicator: « 1 234 », « 2,5 », « 12,35 » (``decimals`` fixed, half up).

    Without ``decimals``, a whole number shows none and any other two. Not for rates (``percent``) nor amounts
    (``euros``), which have their own rounding.
    """
    if isinstance(value, bool):
        raise AmountError("Le nombre n'est pas un nombre.")
    amount = Decimal(value)
    if not amount.is_finite():
        raise AmountError("Le nombre n'est pas un nombre.")
    if amount.adjusted() >= _MAX_FORMATTED_DIGITS:
        raise AmountError("Nombre trop grand.")
    if decimals is None:
        decimals = 0 if amount == amount.to_integral_value() else 2
    with localcontext() as context:
        context.prec = max(28, amount.adjusted() + decimals + 3)
        rounded = amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    units, _, fraction = f"{rounded.copy_abs():f}".partition(".")
    return f"{sign}{_grouped(units)},{fraction}" if fraction else f"{sign}{_grouped(units)}"


def paragraph(section: str) -> str:
    """« 1.4 FINANCEMENT (plafonnée …) » → « §1.4 », for short references inside messages; empty if unknown."""
    number = section.split(" ", 1)[0] if section else ""
    return f"§{number}" if number[:1].isdigit() else ""


def cited(section: str) -> str:
    """`` (§1.4)`` to end a message, or nothing when the section is unknown."""
    ref = paragraph(section)
    return f" ({ref})" if ref else ""
