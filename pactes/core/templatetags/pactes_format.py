"""French formatting of amounts, rates and dates for templates: « 62 000 € », « 50 % »."""

from decimal import Decimal

from django import template

from pactes.core.formatting import format_euros, format_number, format_rate

register = template.Library()


@register.filter
def euros(value: Decimal | int | None) -> str:
    return format_euros(value)


@register.filter
def number(value: Decimal | int | None) -> str:
    return format_number(value)


@register.filter
def rate(value: Decimal | None) -> str:
    return format_rate(value)
