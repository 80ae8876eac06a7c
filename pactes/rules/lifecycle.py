"""The lifecycle of a dossier: its states and the one table of transitions, with who may fire each.

No Django here. The table is one instance of the generic ``pactes.rules.state_machine.Lifecycle``; the one writer of
every state, ``pactes.core.transitions.fire``, asks it first and logs every move (who, when, from, to, why). There
is no "from any state" transition: each row names its source.

Words: *instruction* is the DDETS-PP's examination (§1.6); *compléments* are documents or answers the instructor
asks of the applicant, which reopen the dossier for editing until the applicant files them (a new version);
*recevable* / *irrecevable* is the admissibility decision; *évalué* means scored and proposed; *transmis* means
sent to the regional committee with the département's ranking; *retenu*, *non retenu*, *ajourné* are the
committee's decisions, applied when its session is closed; *soldé* means the final report was validated and the
balance paid or the reversal recorded; *classé sans suite* is a dossier closed without a decision on démarches
simplifiées (DS's ``sans_suite``), recorded by the DS import. A decision may be reopened by the DREETS, with a
motivation.
"""

from __future__ import annotations

from enum import StrEnum

from pactes.rules.state_machine import Actor, Lifecycle, Stamp, Transition, Wording
from pactes.rules.state_machine import check_transition as check_lifecycle_transition
from pactes.rules.verdict import Reason


class DossierState(StrEnum):
    DRAFT = "brouillon"
    SUBMITTED = "depose"
    UNDER_REVIEW = "en_instruction"
    COMPLEMENTS_REQUESTED = "complements_demandes"
    ADMISSIBLE = "recevable"
    INADMISSIBLE = "irrecevable"
    EVALUATED = "evalue"
    TRANSMITTED = "transmis"
    RETAINED = "retenu"
    REJECTED = "non_retenu"
    POSTPONED = "ajourne"
    SETTLED = "solde"
    CLOSED = "classe_sans_suite"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[DossierState, str] = {
    DossierState.DRAFT: "Brouillon",
    DossierState.SUBMITTED: "Déposé",
    DossierState.UNDER_REVIEW: "En instruction",
    DossierState.COMPLEMENTS_REQUESTED: "Compléments demandés",
    DossierState.ADMISSIBLE: "Recevable",
    DossierState.INADMISSIBLE: "Irrecevable",
    DossierState.EVALUATED: "Évalué",
    DossierState.TRANSMITTED: "Transmis au comité",
    DossierState.RETAINED: "Retenu",
    DossierState.REJECTED: "Non retenu",
    DossierState.POSTPONED: "Ajourné",
    DossierState.SETTLED: "Soldé",
    DossierState.CLOSED: "Classé sans suite",
}

# States in which the applicant may edit the dossier (a draft, or a dossier reopened for complements).
EDITABLE_STATES: frozenset[DossierState] = frozenset({DossierState.DRAFT, DossierState.COMPLEMENTS_REQUESTED})
# States a jury member may see: what was transmitted to the committee, and its outcome.
COMMITTEE_STATES: frozenset[DossierState] = frozenset(
    {
        DossierState.TRANSMITTED,
        DossierState.RETAINED,
        DossierState.REJECTED,
        DossierState.POSTPONED,
        DossierState.SETTLED,
    }
)
DECIDED_STATES: frozenset[DossierState] = frozenset(
    {DossierState.RETAINED, DossierState.REJECTED, DossierState.POSTPONED}
)


_S = DossierState
_APPLICANT = frozenset({Actor.APPLICANT})
_INSTRUCTOR = frozenset({Actor.INSTRUCTOR})
_DREETS = frozenset({Actor.DREETS})
_DS_IMPORT = frozenset({Actor.DS_IMPORT})

TRANSITIONS: tuple[Transition, ...] = (
    # Filing (§1.5), then the departmental instruction (§1.6, §1.7: 1–10 October).
    Transition("submit", "Déposer le dossier", _S.DRAFT, _S.SUBMITTED, _APPLICANT),
    Transition("start_review", "Commencer l'instruction", _S.SUBMITTED, _S.UNDER_REVIEW, _INSTRUCTOR),
    Transition(
        "request_complements",
        "Demander des compléments",
        _S.UNDER_REVIEW,
        _S.COMPLEMENTS_REQUESTED,
        _INSTRUCTOR,
        needs_reason=True,
    ),
    Transition(
        "answer_complements", "Transmettre les compléments", _S.COMPLEMENTS_REQUESTED, _S.UNDER_REVIEW, _APPLICANT
    ),
    Transition("declare_admissible", "Déclarer recevable", _S.UNDER_REVIEW, _S.ADMISSIBLE, _INSTRUCTOR),
    Transition(
        "declare_inadmissible", "Déclarer irrecevable", _S.UNDER_REVIEW, _S.INADMISSIBLE, _INSTRUCTOR, needs_reason=True
    ),
    Transition("complete_evaluation", "Clore l'évaluation", _S.ADMISSIBLE, _S.EVALUATED, _INSTRUCTOR),
    Transition("reopen_evaluation", "Rouvrir l'évaluation", _S.EVALUATED, _S.ADMISSIBLE, _INSTRUCTOR),
    Transition("transmit", "Transmettre au comité régional", _S.EVALUATED, _S.TRANSMITTED, _INSTRUCTOR),
    # The regional committee (§1.6): decisions are applied when the session is closed.
    Transition("retain", "Retenir", _S.TRANSMITTED, _S.RETAINED, _DREETS),
    Transition("reject", "Ne pas retenir", _S.TRANSMITTED, _S.REJECTED, _DREETS, needs_reason=True),
    Transition("postpone", "Ajourner", _S.TRANSMITTED, _S.POSTPONED, _DREETS, needs_reason=True),
    # Follow-up (§1.4, §1.5): validating the final report closes the dossier.
    # Settled when the convention is: by the instructor, or the DREETS recording the last payment of the balance.
    Transition("settle", "Solder le dossier", _S.RETAINED, _S.SETTLED, _INSTRUCTOR | _DREETS),
    # Reopening by the DREETS, always motivated, never silent.
    Transition(
        "reopen_inadmissible", "Rouvrir la recevabilité", _S.INADMISSIBLE, _S.UNDER_REVIEW, _DREETS, needs_reason=True
    ),
    Transition("reopen_retained", "Rouvrir la décision", _S.RETAINED, _S.TRANSMITTED, _DREETS, needs_reason=True),
    Transition("reopen_rejected", "Rouvrir la décision", _S.REJECTED, _S.TRANSMITTED, _DREETS, needs_reason=True),
    Transition("reopen_postponed", "Rouvrir la décision", _S.POSTPONED, _S.TRANSMITTED, _DREETS, needs_reason=True),
    # Import from démarches simplifiées (ADR 0039): a dossier filed, instructed or decided on DS is recorded here with
    # the acts DS made, at DS's moments, by the system actor « import démarches simplifiées » and by no one else. DS
    # decides only from « en instruction »; « classé sans suite » exists only for such dossiers (DS's sans_suite).
    Transition("import_submit", "Déposé sur démarches simplifiées", _S.DRAFT, _S.SUBMITTED, _DS_IMPORT),
    Transition(
        "import_start_review",
        "Passé en instruction sur démarches simplifiées",
        _S.SUBMITTED,
        _S.UNDER_REVIEW,
        _DS_IMPORT,
    ),
    Transition("import_accept", "Accepté sur démarches simplifiées", _S.UNDER_REVIEW, _S.RETAINED, _DS_IMPORT),
    Transition("import_refuse", "Refusé sur démarches simplifiées", _S.UNDER_REVIEW, _S.REJECTED, _DS_IMPORT),
    Transition("import_close", "Classé sans suite sur démarches simplifiées", _S.UNDER_REVIEW, _S.CLOSED, _DS_IMPORT),
    Transition(
        "reopen_closed", "Rouvrir le dossier classé sans suite", _S.CLOSED, _S.UNDER_REVIEW, _DREETS, needs_reason=True
    ),
)


DOSSIER_LIFECYCLE = Lifecycle(
    name="dossier",
    label="Dossier",
    states=tuple(DossierState),
    labels=STATE_LABELS,
    initial=DossierState.DRAFT,
    transitions=TRANSITIONS,
    # The filing moment: set on the first filing, never cleared (a database constraint ties it to the state).
    stamps={DossierState.SUBMITTED: (Stamp("submitted_at"),)},
    wording=Wording(stale_message="Le dossier a changé d'état entre-temps : rechargez la page avant de recommencer."),
)


def transition_named(code: str) -> Transition | None:
    return DOSSIER_LIFECYCLE.transition(code)


def transitions_from(state: str, actor: str | None = None) -> tuple[Transition, ...]:
    """The transitions leaving ``state`` (for ``actor`` when given): what a page may offer."""
    return DOSSIER_LIFECYCLE.transitions_from(state, actor)


def is_editable(state: str) -> bool:
    return state in EDITABLE_STATES


def check_transition(code: str, *, state: str, actor: str, reason: str = "") -> list[Reason]:
    """Why the transition ``code`` may not be fired from ``state`` by ``actor`` (empty list: it may)."""
    return check_lifecycle_transition(DOSSIER_LIFECYCLE, code, state=state, actor=actor, reason=reason)


def state_label(state: str) -> str:
    try:
        return DossierState(state).label
    except ValueError:
        return state
