"""French display of INSEE indicator values: « 19 380 € », « 4,5 % », « 0,268 », or « non diffusé » for a secret."""

from decimal import Decimal

from django import template

from pactes.rules.money import number
from pactes.territories.models import IndicatorValue, ValueStatus

register = template.Library()

SECRET_LABEL = "non diffusé"


def _significant_decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_indicator_number(value: Decimal | None, unit: str) -> str:
    if value is None:
        return SECRET_LABEL
    text = number(value, _significant_decimals(value))
    if unit in ("€", "%"):
        return f"{text}\u00a0{unit}"
    return text


@register.filter
def indicator_value(value: IndicatorValue | None) -> str:
    """The value with its unit sign when it is € or %; other units are shown in their own column."""
    if value is None:
        return "—"
    if value.status == ValueStatus.SECRET:
        return SECRET_LABEL
    return format_indicator_number(value.value, value.indicator.unit)


@register.filter
def get_item(mapping: dict[str, IndicatorValue], key: str) -> IndicatorValue | None:
    return mapping.get(key)


@register.filter
def code_list(value: str) -> str:
    """« 09200;09140 » → « 09200, 09140 »."""
    return ", ".join(code for code in value.split(";") if code) or "—"
