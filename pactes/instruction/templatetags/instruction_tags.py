"""Template filters of the instruction workspace."""

from django import template

from pactes.rules.lifecycle import state_label as lifecycle_state_label

register = template.Library()


@register.filter
def state_label(state: str) -> str:
    """« en_instruction » → « En instruction »."""
    return lifecycle_state_label(state)


BADGE_MODIFIERS: dict[str, str] = {
    "depose": "fr-badge--new",
    "en_instruction": "fr-badge--info",
    "evalue": "fr-badge--info",
    "transmis": "fr-badge--info",
    "complements_demandes": "fr-badge--warning",
    "ajourne": "fr-badge--warning",
    "recevable": "fr-badge--success",
    "retenu": "fr-badge--success",
    "irrecevable": "fr-badge--error",
    "non_retenu": "fr-badge--error",
}


@register.filter
def state_badge(state: str) -> str:
    """The DSFR badge modifier of a state (« recevable » → ``fr-badge--success``), for a badge written in a row
    rather than included (the queue renders 25 of them per page)."""
    return BADGE_MODIFIERS.get(state, "")
