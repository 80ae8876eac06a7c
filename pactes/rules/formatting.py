"""The one French way Pactes writes a date, a time, a year, an amount, a rate or a number for a person.

Every page (the ``pactes_format`` template filters), e-mail, PDF, DOCX, export and message of the rules calls this
module; nothing else formats these facts (no ``|date:"…"``, no ``strftime`` in what a person reads). No Django here.

- a *date*: « 1er décembre 2024 », « 4 décembre 2026 » (``date_fr``); in the cells of a table, « 04/12/2026 »
  (``date_short``); never an abbreviated month (« 4 Déc 2026 »);
- a *time*: « 4 h 12 », « 23 h 59 », « 0 h 05 » (``time_fr``); never « 04h12 » nor « 04:12 »;
- a *moment*: « 4 décembre 2026 à 4 h 12 » (``datetime_fr``), in Europe/Paris unless another zone is given: an
  aware moment is first moved to that zone, so a moment stored in UTC reads as the clock on the wall in Paris;
- a *year*: « 2026 », never with a thousands separator (``year``);
- a *balance* under a ceiling: « 12 000 € », or « dépassement de 50 000 € » when it is exceeded (``balance``);
- an *amount*, a *rate*, a *number*: « 62 000 € », « 61 999,99 € » (cents only when there are some), « 49,99 % »
  (truncated, never rounded up), « 2,5 » — written by ``pactes.rules.money``, which owns their rounding and bounds
  beside the parsing of what a person types, and re-exported here so that a caller needs this module only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from pactes.rules.money import NARROW_NBSP, NBSP, euros, number, percent

__all__ = [
    "MONTHS_FR",
    "NARROW_NBSP",
    "NBSP",
    "PARIS",
    "balance",
    "date_fr",
    "date_short",
    "datetime_fr",
    "euros",
    "number",
    "percent",
    "time_fr",
    "year",
]

PARIS = ZoneInfo("Europe/Paris")

MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def _local(moment: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    """An aware moment on the wall clock of ``tz`` (Paris by default); a naive one is taken as already local."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(tz or PARIS)


def _day(value: dt.date, tz: dt.tzinfo | None) -> dt.date:
    return _local(value, tz).date() if isinstance(value, dt.datetime) else value


def date_fr(day: dt.date, tz: dt.tzinfo | None = None) -> str:
    """« 1er décembre 2024 », « 30 novembre 2025 » (a moment gives the day of its wall clock in ``tz``)."""
    day = _day(day, tz)
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS_FR[day.month - 1]} {day.year}"


def date_short(day: dt.date, tz: dt.tzinfo | None = None) -> str:
    """« 04/12/2026 »: the compact form, for the cells of a table where many dates are compared."""
    day = _day(day, tz)
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def time_fr(moment: dt.time | dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """« 4 h 12 », « 23 h 59 », « 0 h 05 »: hours without a leading zero, minutes on two digits."""
    if isinstance(moment, dt.datetime):
        moment = _local(moment, tz)
    return f"{moment.hour} h {moment.minute:02d}"


def datetime_fr(moment: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """« 4 décembre 2026 à 4 h 12 », « 30 septembre 2024 à 23 h 59 » (on the wall clock of ``tz``, Paris by default)."""
    local = _local(moment, tz)
    return f"{date_fr(local.date())} à {time_fr(local.time())}"


def year(value: int | dt.date) -> str:
    """« 2026 »: a year is a name, not a quantity, and takes no thousands separator."""
    return str(value.year if isinstance(value, dt.date) else int(value))


def balance(amount: Decimal) -> str:
    """What remains of a ceiling: « 12 000 € », or « dépassement de 50 000 € » below zero (never « -50 000 € »)."""
    return f"dépassement de {euros(-amount)}" if amount < 0 else euros(amount)
