"""The committee's decision on a dossier, for pages outside the committee (the applicant's dossier page)."""

from django import template

from pactes.committee.models import CommitteeDecision
from pactes.committee.selectors import current_decision
from pactes.dossiers.models import Dossier
from pactes.rules.lifecycle import state_label as lifecycle_state_label

register = template.Library()


@register.simple_tag
def dossier_decision(dossier: Dossier) -> CommitteeDecision | None:
    """The decision in force, only once its session is closed (the dossier is then retenu, non retenu or ajourné)."""
    return current_decision(dossier)


@register.filter
def state_label(state: str) -> str:
    """« transmis » → « Transmis au comité »."""
    return lifecycle_state_label(state)
