"""French formatting of amounts, rates and numbers for templates: « 62 000 € », « 49,99 % », « 2,5 ».

Thin filters over ``pactes.rules.money``, the one owner of these formats: a template shows a rate exactly as the
rule that judged it writes it. An absent value (``None``) shows « — ».
"""

from decimal import Decimal
from typing import Any

from django import template

from pactes.rules import money, wording

register = template.Library()

ABSENT = "—"


def _decimal(value: Decimal | int | float) -> Decimal:
    # A float reaching a template is written as it prints, never with its binary noise.
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


@register.filter
def euros(value: Decimal | int | None) -> str:
    return ABSENT if value is None else money.euros(_decimal(value))


@register.filter
def number(value: Decimal | int | None) -> str:
    return ABSENT if value is None else money.number(_decimal(value))


@register.filter
def rate(value: Decimal | None) -> str:
    return ABSENT if value is None else money.percent(_decimal(value))


@register.filter
def of_departement(departement: Any) -> str:
    """« de l'Ariège » for a département (its ``code`` and ``name``)."""
    return wording.of_departement(str(departement.code), str(departement.name))
