"""French formatting for templates: « 62 000 € », « 49,99 % », « 2,5 », « 1er décembre 2024 », « 4 h 12 », « 2026 ».

Thin filters over ``pactes.rules.formatting``, the one owner of these formats: a template shows a rate exactly as the
rule that judged it writes it, and a date as the e-mails and PDF write it. An absent amount (``None``) shows « — »; an
absent date shows nothing (so that ``|default:"—"`` can follow). An aware moment is read on the wall clock of the
current time zone (Europe/Paris), as Django's ``|date`` did.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from pactes.rules import formatting, wording

register = template.Library()

ABSENT = "—"


def _decimal(value: Decimal | int | float) -> Decimal:
    # A float reaching a template is written as it prints, never with its binary noise.
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


@register.filter
def euros(value: Decimal | int | None) -> str:
    return ABSENT if value is None else formatting.euros(_decimal(value))


@register.filter
def balance(value: Decimal | int | None) -> str:
    """« 12 000 € », or « dépassement de 50 000 € » when negative."""
    return ABSENT if value is None else formatting.balance(_decimal(value))


@register.filter
def number(value: Decimal | int | None) -> str:
    return ABSENT if value is None else formatting.number(_decimal(value))


@register.filter
def rate(value: Decimal | None) -> str:
    return ABSENT if value is None else formatting.percent(_decimal(value))


def _zone() -> dt.tzinfo:
    return timezone.get_current_timezone()


@register.filter
def date_fr(value: dt.date | None) -> str:
    """« 1er décembre 2024 »."""
    return formatting.date_fr(value, _zone()) if isinstance(value, dt.date) else ""


@register.filter
def date_short(value: dt.date | None) -> str:
    """« 04/12/2026 », for the cells of a table."""
    return formatting.date_short(value, _zone()) if isinstance(value, dt.date) else ""


@register.filter
def datetime_fr(value: dt.datetime | str | None) -> str:
    """« 4 décembre 2026 à 4 h 12 »; also for a moment held as ISO text (the JSON export of one's data)."""
    if isinstance(value, str) and value:
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return formatting.datetime_fr(value, _zone()) if isinstance(value, dt.datetime) else date_fr(value)


@register.filter
def time_fr(value: dt.datetime | dt.time | None) -> str:
    """« 4 h 12 »."""
    return formatting.time_fr(value, _zone()) if isinstance(value, dt.datetime | dt.time) else ""


@register.filter
def year(value: int | dt.date | None) -> str:
    """« 2026 », never « 2 026 »."""
    return "" if value is None or value == "" else formatting.year(value)


@register.filter
def of_departement(departement: Any) -> str:
    """« de l'Ariège » for a département (its ``code`` and ``name``)."""
    return wording.of_departement(str(departement.code), str(departement.name))
