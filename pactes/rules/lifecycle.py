"""The lifecycle of a dossier: its states and the one table of transitions, with who may fire each.

No Django here. The service ``pactes.dossiers.services.dossier_transition`` is the only writer of a dossier's
state; it asks ``check_transition`` first and logs every move. Capabilities extend the table, never bypass it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pactes.rules.verdict import Reason


class DossierState(StrEnum):
    DRAFT = "brouillon"
    SUBMITTED = "depose"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[DossierState, str] = {
    DossierState.DRAFT: "Brouillon",
    DossierState.SUBMITTED: "Déposé",
}


class Actor(StrEnum):
    APPLICANT = "porteur"
    INSTRUCTOR = "instructeur"
    DREETS = "dreets"
    JURY = "jury"
    ADMIN = "administrateur"


@dataclass(frozen=True)
class Transition:
    code: str
    label: str
    source: DossierState
    target: DossierState
    actors: frozenset[Actor]
    needs_reason: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "submit", "Déposer le dossier", DossierState.DRAFT, DossierState.SUBMITTED, frozenset({Actor.APPLICANT})
    ),
)


def transition_named(code: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.code == code), None)


def check_transition(code: str, *, state: str, actor: str, reason: str = "") -> list[Reason]:
    """Why the transition ``code`` may not be fired from ``state`` by ``actor`` (empty list: it may)."""
    transition = transition_named(code)
    if transition is None:
        return [Reason("TRANSITION_UNKNOWN", f"La transition « {code} » n'existe pas.")]
    problems: list[Reason] = []
    if state != transition.source:
        problems.append(
            Reason(
                "TRANSITION_NOT_FROM_STATE",
                f"« {transition.label} » n'est pas possible depuis l'état « {_label(state)} ».",
            )
        )
    if actor not in transition.actors:
        problems.append(Reason("TRANSITION_NOT_ALLOWED", f"Votre rôle ne permet pas « {transition.label} »."))
    if transition.needs_reason and not reason.strip():
        problems.append(Reason("TRANSITION_REASON_REQUIRED", f"« {transition.label} » demande une motivation."))
    return problems


def _label(state: str) -> str:
    try:
        return DossierState(state).label
    except ValueError:
        return state
