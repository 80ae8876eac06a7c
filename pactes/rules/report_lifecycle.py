"""The lifecycle of a follow-up report (bilan intermédiaire, bilan final): its states and the one transition table.

No Django here. The table is one instance of the generic ``pactes.rules.state_machine.Lifecycle``; the one writer of
every state, ``pactes.core.transitions.fire``, asks it first and logs every move (who, when, from, to, why).

Words: a *report* is written by the applicant (*brouillon*),
*submitted* (remis) to the DDETS-PP, which *validates* it or *returns* it (renvoyé au porteur) with a motivation;
a returned report is editable again, like a draft, and is submitted anew. The validation of the final report
settles the convention and the dossier (§1.4, §1.5: balance paid or reversal recorded).
"""

from __future__ import annotations

from enum import StrEnum

from pactes.rules.state_machine import Actor, Lifecycle, Stamp, Transition, Wording
from pactes.rules.state_machine import check_transition as check_lifecycle_transition
from pactes.rules.verdict import Reason

REPORT_TRANSITION_UNKNOWN = "REPORT_TRANSITION_UNKNOWN"
REPORT_TRANSITION_NOT_FROM_STATE = "REPORT_TRANSITION_NOT_FROM_STATE"
REPORT_TRANSITION_NOT_ALLOWED = "REPORT_TRANSITION_NOT_ALLOWED"
REPORT_TRANSITION_REASON_REQUIRED = "REPORT_TRANSITION_REASON_REQUIRED"


class ReportKind(StrEnum):
    INTERIM = "intermediaire"
    FINAL = "final"

    @property
    def label(self) -> str:
        return REPORT_KIND_LABELS[self]


REPORT_KIND_LABELS: dict[ReportKind, str] = {
    ReportKind.INTERIM: "Bilan intermédiaire",
    ReportKind.FINAL: "Bilan final et compte rendu financier",
}


class ReportState(StrEnum):
    DRAFT = "brouillon"
    SUBMITTED = "remis"
    VALIDATED = "valide"
    RETURNED = "renvoye"

    @property
    def label(self) -> str:
        return REPORT_STATE_LABELS[self]


REPORT_STATE_LABELS: dict[ReportState, str] = {
    ReportState.DRAFT: "Brouillon",
    ReportState.SUBMITTED: "Remis à la DDETS-PP",
    ReportState.VALIDATED: "Validé",
    ReportState.RETURNED: "Renvoyé au porteur",
}

# The applicant may edit the report: a draft, or a report returned with a motivation.
REPORT_EDITABLE_STATES: frozenset[ReportState] = frozenset({ReportState.DRAFT, ReportState.RETURNED})
# A submitted or validated report has a submission date.
REPORT_SUBMITTED_STATES: frozenset[ReportState] = frozenset({ReportState.SUBMITTED, ReportState.VALIDATED})


# The one shape of a transition (kept under its former name for the callers).
ReportTransition = Transition

_S = ReportState
_APPLICANT = frozenset({Actor.APPLICANT})
_INSTRUCTOR = frozenset({Actor.INSTRUCTOR})

REPORT_TRANSITIONS: tuple[ReportTransition, ...] = (
    Transition("submit", "Remettre le bilan", _S.DRAFT, _S.SUBMITTED, _APPLICANT),
    Transition("resubmit", "Remettre le bilan corrigé", _S.RETURNED, _S.SUBMITTED, _APPLICANT),
    # 1.5: the DDETS-PP follows the actions; it validates each report or sends it back, always motivated.
    Transition("validate", "Valider le bilan", _S.SUBMITTED, _S.VALIDATED, _INSTRUCTOR),
    Transition("return", "Renvoyer le bilan au porteur", _S.SUBMITTED, _S.RETURNED, _INSTRUCTOR, True),
)


REPORT_LIFECYCLE = Lifecycle(
    name="report",
    label="Bilan",
    states=tuple(ReportState),
    labels=REPORT_STATE_LABELS,
    initial=ReportState.DRAFT,
    transitions=REPORT_TRANSITIONS,
    # Who submitted and validated the report, and when (a resubmission replaces the submission).
    stamps={
        ReportState.SUBMITTED: (Stamp("submitted_at", "submitted_by"),),
        ReportState.VALIDATED: (Stamp("validated_at", "validated_by"),),
    },
    wording=Wording(
        code_prefix="REPORT_",
        unknown_message="La transition « {code} » n'existe pas pour un bilan.",
        not_from_state_message="« {label} » n'est pas possible pour un bilan à l'état « {state} ».",
        stale_code="REPORT_STATE_CHANGED",
        stale_message="Le bilan a changé d'état entre-temps : rechargez la page.",
    ),
)


def report_transition_named(code: str) -> ReportTransition | None:
    return REPORT_LIFECYCLE.transition(code)


def report_transitions_from(state: str, actor: str | None = None) -> tuple[ReportTransition, ...]:
    """The transitions leaving ``state`` (for ``actor`` when given): what a page may offer."""
    return REPORT_LIFECYCLE.transitions_from(state, actor)


def submit_transition_for(state: str) -> str:
    """The code that submits a report from ``state``: ``submit`` for a draft, ``resubmit`` once returned."""
    return "resubmit" if state == ReportState.RETURNED else "submit"


def check_report_transition(code: str, *, state: str, actor: str, reason: str = "") -> list[Reason]:
    """Why the transition ``code`` may not be fired from ``state`` by ``actor`` (empty list: it may)."""
    return check_lifecycle_transition(REPORT_LIFECYCLE, code, state=state, actor=actor, reason=reason)


def is_report_editable(state: str) -> bool:
    return state in REPORT_EDITABLE_STATES


def report_state_label(state: str) -> str:
    try:
        return ReportState(state).label
    except ValueError:
        return state


def report_kind_label(kind: str) -> str:
    try:
        return ReportKind(kind).label
    except ValueError:
        return kind
