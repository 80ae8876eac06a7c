"""The committee's decision on a dossier: its badge, and the decision in force for pages outside the committee (the
applicant's dossier page)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

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


# The DSFR badge of each decision (« À décider » when there is none yet).
DECISION_BADGES = {
    "retenu": ("fr-badge--success", "Retenu"),
    "non_retenu": ("fr-badge--error", "Non retenu"),
    "ajourne": ("fr-badge--warning", "Ajourné"),
}


@register.simple_tag
def decision_badge(decision: CommitteeDecision | None) -> SafeString:
    """Written in Python, not included: the agenda shows one per row (issue 12)."""
    found = DECISION_BADGES.get(decision.decision) if decision is not None else None
    if found is None:
        return format_html('<p class="fr-badge fr-badge--sm">{}</p>', "À décider")
    return format_html('<p class="fr-badge fr-badge--sm {}">{}</p>', *found)
