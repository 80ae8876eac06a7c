"""One lifecycle engine for every object that has a state: a table of transitions, who may fire each, and why not.

No Django here. A ``Lifecycle`` is data: its states with their French labels, its transitions (each names its one
source: no "from any state" wildcard), the fields stamped with the moment (and the actor) on reaching a state, and
the wording of its refusals. ``check_transition`` says why a transition may not be fired (empty list: it may).
The one writer of a state, ``pactes.core.transitions.fire``, asks it first, then writes the state and a log row.

The instances are the dossier (``pactes.rules.lifecycle``), the convention (``pactes.rules.agreement``), the report
(``pactes.rules.report_lifecycle``) and the committee session (``pactes.rules.committee_session``); all of them are
listed in ``pactes.rules.lifecycles``. Payments have no state: a payment is recorded once, never moved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pactes.rules.verdict import Reason


class Actor(StrEnum):
    """The roles that fire transitions (the values of ``accounts.Role``)."""

    APPLICANT = "porteur"
    INSTRUCTOR = "instructeur"
    DREETS = "dreets"
    JURY = "jury"
    ADMIN = "administrateur"
    # Not a role of a person: the system actor that records on Pactes the acts already made on démarches
    # simplifiées (ADR 0039); only the DS import fires its transitions.
    DS_IMPORT = "import_ds"


ACTOR_LABELS: dict[Actor, str] = {
    Actor.APPLICANT: "porteur",
    Actor.INSTRUCTOR: "DDETS-PP",
    Actor.DREETS: "DREETS",
    Actor.JURY: "jury",
    Actor.ADMIN: "administrateur",
    Actor.DS_IMPORT: "import démarches simplifiées",
}

# A guard reads the facts the service gives (plain values, never models) and returns why the move is refused.
Guard = Callable[[Mapping[str, object]], list[Reason]]


@dataclass(frozen=True)
class Transition:
    code: str
    label: str
    source: str
    target: str
    actors: frozenset[Actor]
    needs_reason: bool = False
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True)
class Stamp:
    """Fields set when a state is reached: ``at`` gets the moment of the act, ``by`` (if any) the actor."""

    at: str
    by: str | None = None


@dataclass(frozen=True)
class Wording:
    """How a lifecycle phrases its refusals (kept as each lifecycle had them: codes and French messages)."""

    code_prefix: str = ""
    unknown_message: str = "La transition « {code} » n'existe pas."
    not_from_state_message: str = "« {label} » n'est pas possible depuis l'état « {state} »."
    stale_code: str = "STATE_CHANGED"
    stale_message: str = "L'objet a changé d'état entre-temps : rechargez la page avant de recommencer."


@dataclass(frozen=True)
class Lifecycle:
    name: str
    label: str
    states: tuple[str, ...]
    labels: Mapping[Any, str]  # state → French label (keys are the lifecycle's StrEnum members)
    initial: str
    transitions: tuple[Transition, ...]
    stamps: Mapping[str, tuple[Stamp, ...]] = field(default_factory=dict)
    wording: Wording = Wording()

    def __post_init__(self) -> None:
        codes = [t.code for t in self.transitions]
        if len(codes) != len(set(codes)):
            raise ValueError(f"Le cycle de vie « {self.name} » nomme deux fois une transition.")
        unknown = {s for t in self.transitions for s in (t.source, t.target)} - set(self.states)
        if unknown or self.initial not in self.states or set(self.labels) != set(self.states):
            raise ValueError(f"Le cycle de vie « {self.name} » cite un état qu'il ne déclare pas.")

    def transition(self, code: str) -> Transition | None:
        return next((t for t in self.transitions if t.code == code), None)

    def transitions_from(self, state: str, actor: str | None = None) -> tuple[Transition, ...]:
        """The transitions leaving ``state`` (for ``actor`` when given): what a page may offer."""
        return tuple(t for t in self.transitions if t.source == state and (actor is None or actor in t.actors))

    def state_label(self, state: str) -> str:
        return self.labels.get(state, state)

    def code(self, name: str) -> str:
        return f"{self.wording.code_prefix}{name}"


def check_transition(
    lifecycle: Lifecycle,
    code: str,
    *,
    state: str,
    actor: str,
    reason: str = "",
    facts: Mapping[str, object] | None = None,
) -> list[Reason]:
    """Why the transition ``code`` may not be fired from ``state`` by ``actor`` (empty list: it may).

    The guards run only when the table allows the move; they read ``facts`` (plain values given by the service).
    """
    wording = lifecycle.wording
    transition = lifecycle.transition(code)
    if transition is None:
        return [Reason(lifecycle.code("TRANSITION_UNKNOWN"), wording.unknown_message.format(code=code))]
    problems: list[Reason] = []
    if state != transition.source:
        message = wording.not_from_state_message.format(label=transition.label, state=lifecycle.state_label(state))
        problems.append(Reason(lifecycle.code("TRANSITION_NOT_FROM_STATE"), message))
    if actor not in transition.actors:
        problems.append(
            Reason(lifecycle.code("TRANSITION_NOT_ALLOWED"), f"Votre rôle ne permet pas « {transition.label} ».")
        )
    if transition.needs_reason and not reason.strip():
        problems.append(
            Reason(lifecycle.code("TRANSITION_REASON_REQUIRED"), f"« {transition.label} » demande une motivation.")
        )
    if not problems:
        for guard in transition.guards:
            problems += guard(facts or {})
    return problems
