"""Field history where money or decisions move (ADR 0027): every previous value, who changed it and when.

django-simple-history keeps, for each registered model, a *historical* table (here, in this app: the business apps
keep their own migrations) with one row per save or deletion: the whole row as it was then, the author
(``history_user``), the moment (``history_date``) and the kind (``+`` creation, ``~`` change, ``-`` deletion).
The author is the person of the request; outside a request (a command, the demo), the model's own author field.
"""

from __future__ import annotations

from typing import Any

from simple_history import register

from pactes.agreements.models import Agreement, AgreementTemplate, Payment
from pactes.assessment.models import CriterionScore, Proposal, ScoreSheet
from pactes.calls.models import Call
from pactes.committee.models import CommitteeDecision
from pactes.followup.models import Reversal
from pactes.instruction.models import ChecklistCheck

# Where a row names its author when no request says who acted (in this order).
AUTHOR_FIELDS = (
    "updated_by",
    "checked_by",
    "decided_by",
    "recorded_by",
    "commitment_entered_by",
    "regional_envelope_set_by",
    "created_by",
    "instructor",
)


def history_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    """The author of a change: the one a service named, the person of the request, or the row's author field."""
    named = getattr(instance, "_history_user", None)
    if named is not None:
        return named
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    if isinstance(instance, CriterionScore):
        return instance.sheet.instructor
    for name in AUTHOR_FIELDS:
        if getattr(instance, f"{name}_id", None) is not None:
            return getattr(instance, name)
    return None


TRACKED: dict[type[Any], tuple[str, ...]] = {
    ScoreSheet: (),
    CriterionScore: (),
    Proposal: (),
    ChecklistCheck: (),
    Call: ("yaml_text",),
    CommitteeDecision: (),
    Agreement: (),
    Payment: (),
    Reversal: (),
    AgreementTemplate: (),
}

for tracked, excluded in TRACKED.items():
    register(tracked, app=__package__, get_user=history_user, excluded_fields=list(excluded))
