"""Template filters of the instruction workspace."""

from django import template

from pactes.rules.lifecycle import state_label as lifecycle_state_label

register = template.Library()


@register.filter
def state_label(state: str) -> str:
    """« en_instruction » → « En instruction »."""
    return lifecycle_state_label(state)
