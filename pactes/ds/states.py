"""DS states as Pactes states, and the import transitions that lead from one to the other (ADR 0039).

No database here. DS's five states map to Pactes states: ``en_construction`` → déposé, ``en_instruction`` → en
instruction, ``accepte`` → retenu, ``refuse`` → non retenu, ``sans_suite`` → classé sans suite. The import only moves a
dossier *forward* along its own transitions (``import_*`` of ``pactes.rules.lifecycle``, fired by the system actor):
a dossier that the instruction moved on in Pactes is never moved back, and a decision taken on DS for a dossier that
Pactes instructs is reported, not applied (the instructors' work is never overwritten).
"""

from __future__ import annotations

from dataclasses import dataclass

from pactes.dossiers.models import DS_STATE_LABELS  # re-exported: the dossier's source shows it too
from pactes.rules.lifecycle import DOSSIER_LIFECYCLE, DossierState, state_label
from pactes.rules.state_machine import Actor

DS_STATES: dict[str, DossierState] = {
    "en_construction": DossierState.SUBMITTED,
    "en_instruction": DossierState.UNDER_REVIEW,
    "accepte": DossierState.RETAINED,
    "refuse": DossierState.REJECTED,
    "sans_suite": DossierState.CLOSED,
}
DECISIONS = frozenset({DossierState.RETAINED, DossierState.REJECTED, DossierState.CLOSED})
# The DS date each import transition is recorded at (the first one present; dateDepot always is).
MOMENTS: dict[str, tuple[str, ...]] = {
    "import_submit": ("dateDepot",),
    "import_start_review": ("datePassageEnInstruction", "dateDepot"),
    "import_accept": ("dateTraitement", "datePassageEnInstruction", "dateDepot"),
    "import_refuse": ("dateTraitement", "datePassageEnInstruction", "dateDepot"),
    "import_close": ("dateTraitement", "datePassageEnInstruction", "dateDepot"),
}


@dataclass(frozen=True)
class StatePlan:
    transitions: tuple[str, ...] = ()
    problem: str = ""  # French: why the DS state cannot be recorded (the dossier is then skipped)


def import_path(current: str, target: str) -> tuple[str, ...] | None:
    """The import transitions from ``current`` to ``target`` (empty: already there; None: there is no such path)."""
    path: list[str] = []
    state = current
    while state != target:
        moves = [t for t in DOSSIER_LIFECYCLE.transitions_from(state, Actor.DS_IMPORT)]
        forward = [t for t in moves if t.target == target] or [t for t in moves if t.target not in DECISIONS]
        if not forward:
            return None
        path.append(forward[0].code)
        state = str(forward[0].target)
    return tuple(path)


def plan(*, current: str, ds_state: str, previous_ds_state: str | None) -> StatePlan:
    """What the import does with the state of a dossier that is ``current`` on Pactes and ``ds_state`` on DS."""
    target = DS_STATES.get(ds_state)
    if target is None:
        return StatePlan(problem=f"l'état « {ds_state} » de démarches simplifiées est inconnu de Pactes.")
    path = import_path(current, target)
    if path is not None:
        return StatePlan(transitions=path)
    if previous_ds_state == ds_state:
        return StatePlan()  # nothing new on DS: the instruction goes on in Pactes
    went_back = previous_ds_state is not None and _rank(ds_state) < _rank(previous_ds_state)
    if target in DECISIONS or went_back:
        return StatePlan(
            problem=f"le dossier est passé « {DS_STATE_LABELS.get(ds_state, ds_state)} » sur démarches simplifiées "
            f"alors qu'il est « {state_label(current)} » sur Pactes : cet état n'est pas repris (la décision et "
            "l'instruction faites sur Pactes sont conservées) ; à régler à la main."
        )
    return StatePlan()


def _rank(ds_state: str) -> int:
    return {"en_construction": 0, "en_instruction": 1}.get(ds_state, 2)
