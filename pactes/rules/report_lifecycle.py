"""The lifecycle of a follow-up report (bilan intermédiaire, bilan final): its states and the one transition table.

No Django here. The follow-up service is the only writer of a report's state; it asks ``check_report_transition``
first and logs every move (who, when, from, to, why). Words: a *report* is written by the applicant (*brouillon*),
*submitted* (remis) to the DDETS-PP, which *validates* it or *returns* it (renvoyé au porteur) with a motivation;
a returned report is editable again, like a draft, and is submitted anew. The validation of the final report
settles the convention and the dossier (§1.4, §1.5: balance paid or reversal recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pactes.rules.lifecycle import Actor
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


@dataclass(frozen=True)
class ReportTransition:
    code: str
    label: str
    source: ReportState
    target: ReportState
    actors: frozenset[Actor]
    needs_reason: bool = False


_S = ReportState
_APPLICANT = frozenset({Actor.APPLICANT})
_INSTRUCTOR = frozenset({Actor.INSTRUCTOR})

REPORT_TRANSITIONS: tuple[ReportTransition, ...] = (
    ReportTransition("submit", "Remettre le bilan", _S.DRAFT, _S.SUBMITTED, _APPLICANT),
    ReportTransition("resubmit", "Remettre le bilan corrigé", _S.RETURNED, _S.SUBMITTED, _APPLICANT),
    # 1.5: the DDETS-PP follows the actions; it validates each report or sends it back, always motivated.
    ReportTransition("validate", "Valider le bilan", _S.SUBMITTED, _S.VALIDATED, _INSTRUCTOR),
    ReportTransition("return", "Renvoyer le bilan au porteur", _S.SUBMITTED, _S.RETURNED, _INSTRUCTOR, True),
)


def report_transition_named(code: str) -> ReportTransition | None:
    return next((t for t in REPORT_TRANSITIONS if t.code == code), None)


def report_transitions_from(state: str, actor: str | None = None) -> tuple[ReportTransition, ...]:
    """The transitions leaving ``state`` (for ``actor`` when given): what a page may offer."""
    return tuple(t for t in REPORT_TRANSITIONS if t.source == state and (actor is None or actor in t.actors))


def submit_transition_for(state: str) -> str:
    """The code that submits a report from ``state``: ``submit`` for a draft, ``resubmit`` once returned."""
    return "resubmit" if state == ReportState.RETURNED else "submit"


def check_report_transition(code: str, *, state: str, actor: str, reason: str = "") -> list[Reason]:
    """Why the transition ``code`` may not be fired from ``state`` by ``actor`` (empty list: it may)."""
    transition = report_transition_named(code)
    if transition is None:
        return [Reason(REPORT_TRANSITION_UNKNOWN, f"La transition « {code} » n'existe pas pour un bilan.")]
    problems: list[Reason] = []
    if state != transition.source:
        problems.append(
            Reason(
                REPORT_TRANSITION_NOT_FROM_STATE,
                f"« {transition.label} » n'est pas possible pour un bilan à l'état « {report_state_label(state)} ».",
            )
        )
    if actor not in transition.actors:
        problems.append(Reason(REPORT_TRANSITION_NOT_ALLOWED, f"Votre rôle ne permet pas « {transition.label} »."))
    if transition.needs_reason and not reason.strip():
        problems.append(Reason(REPORT_TRANSITION_REASON_REQUIRED, f"« {transition.label} » demande une motivation."))
    return problems


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
