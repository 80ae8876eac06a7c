"""The lifecycle of a convention (agreement): its states and the one table of transitions, with who may fire each.

No Django here. The table is one instance of the generic ``pactes.rules.state_machine.Lifecycle``; the one writer of
every state, ``pactes.core.transitions.fire``, asks it first and logs every move (who, when, from, to, why). There
is no "from any state" transition: each row names its source.

Words: a convention is drawn up by the DDETS-PP for a retained dossier from 21 October (§1.7); *brouillon* is the
generated document, still editable; *envoyée* means sent to the applicant for signature; *signée par le porteur*
means the applicant's signed scan is uploaded; *signée* means signed by the State (the préfet or the DDETS-PP by
delegation): the convention is in force, credits may be engaged (EJ) and paid; *soldée* means the final report is
validated and the balance paid or the reversal recorded; *résiliée* means terminated early, always motivated;
*abandonnée* means never concluded (the applicant withdrew before it was in force), always motivated.
"""

from __future__ import annotations

from enum import StrEnum

from pactes.rules.state_machine import Actor, Lifecycle, Transition, Wording
from pactes.rules.state_machine import check_transition as check_lifecycle_transition
from pactes.rules.verdict import Reason

TRANSITION_UNKNOWN = "TRANSITION_UNKNOWN"
TRANSITION_NOT_FROM_STATE = "TRANSITION_NOT_FROM_STATE"
TRANSITION_NOT_ALLOWED = "TRANSITION_NOT_ALLOWED"
TRANSITION_REASON_REQUIRED = "TRANSITION_REASON_REQUIRED"


class AgreementState(StrEnum):
    DRAFT = "brouillon"
    SENT = "envoyee"
    SIGNED_BY_APPLICANT = "signee_porteur"
    SIGNED = "signee"
    SETTLED = "soldee"
    TERMINATED = "resiliee"
    ABANDONED = "abandonnee"

    @property
    def label(self) -> str:
        return AGREEMENT_STATE_LABELS[self]


AGREEMENT_STATE_LABELS: dict[AgreementState, str] = {
    AgreementState.DRAFT: "Brouillon",
    AgreementState.SENT: "Envoyée au porteur",
    AgreementState.SIGNED_BY_APPLICANT: "Signée par le porteur",
    AgreementState.SIGNED: "Signée (en vigueur)",
    AgreementState.SETTLED: "Soldée",
    AgreementState.TERMINATED: "Résiliée",
    AgreementState.ABANDONED: "Abandonnée",
}

# The document may be regenerated or edited only as a draft.
AGREEMENT_EDITABLE_STATES: frozenset[AgreementState] = frozenset({AgreementState.DRAFT})
# In force: signed by both parties; credits may be engaged and paid, reports filed.
AGREEMENT_IN_FORCE_STATES: frozenset[AgreementState] = frozenset({AgreementState.SIGNED})
# Payments may be recorded while the convention is in force (a reversal is recorded when it is settled).
AGREEMENT_PAYABLE_STATES: frozenset[AgreementState] = AGREEMENT_IN_FORCE_STATES
# No transition leaves these states except a motivated reopening by the DREETS (settled only).
AGREEMENT_CLOSED_STATES: frozenset[AgreementState] = frozenset(
    {AgreementState.SETTLED, AgreementState.TERMINATED, AgreementState.ABANDONED}
)
# Which date of the convention must be set in each state (a service fills it when it fires the transition).
AGREEMENT_STATE_DATES: dict[AgreementState, tuple[str, ...]] = {
    AgreementState.DRAFT: (),
    AgreementState.SENT: ("sent_on",),
    AgreementState.SIGNED_BY_APPLICANT: ("sent_on", "applicant_signed_on"),
    AgreementState.SIGNED: ("sent_on", "applicant_signed_on", "state_signed_on"),
    AgreementState.SETTLED: ("sent_on", "applicant_signed_on", "state_signed_on", "settled_on"),
    AgreementState.TERMINATED: ("sent_on", "applicant_signed_on", "state_signed_on", "terminated_on"),
    AgreementState.ABANDONED: (),
}


# The one shape of a transition (kept under its former name for the callers).
AgreementTransition = Transition

_S = AgreementState
_INSTRUCTOR = frozenset({Actor.INSTRUCTOR})
_DREETS = frozenset({Actor.DREETS})
_APPLICANT_OR_INSTRUCTOR = frozenset({Actor.APPLICANT, Actor.INSTRUCTOR})
_INSTRUCTOR_OR_DREETS = frozenset({Actor.INSTRUCTOR, Actor.DREETS})

AGREEMENT_TRANSITIONS: tuple[AgreementTransition, ...] = (
    # Drawn up by the DDETS-PP from 21 October (§1.7), sent to the applicant for signature.
    Transition("send", "Envoyer au porteur pour signature", _S.DRAFT, _S.SENT, _INSTRUCTOR),
    Transition("withdraw", "Reprendre le projet de convention", _S.SENT, _S.DRAFT, _INSTRUCTOR, needs_reason=True),
    # The applicant uploads its signed scan (or the instructor uploads the one received by post).
    Transition(
        "upload_applicant_signature",
        "Déposer la convention signée par le porteur",
        _S.SENT,
        _S.SIGNED_BY_APPLICANT,
        _APPLICANT_OR_INSTRUCTOR,
    ),
    Transition(
        "refuse_applicant_signature",
        "Refuser le document signé déposé",
        _S.SIGNED_BY_APPLICANT,
        _S.SENT,
        _INSTRUCTOR,
        needs_reason=True,
    ),
    # Signed by the State: in force; actions start from the signature (§1.4).
    Transition("sign", "Enregistrer la signature de l'État", _S.SIGNED_BY_APPLICANT, _S.SIGNED, _INSTRUCTOR),
    # Closing: final report validated, balance paid or reversal recorded.
    # Settled once the final report is validated and its balance paid (or claimed back), by whoever records it.
    Transition("settle", "Solder la convention", _S.SIGNED, _S.SETTLED, _INSTRUCTOR_OR_DREETS),
    Transition("terminate", "Résilier la convention", _S.SIGNED, _S.TERMINATED, _INSTRUCTOR_OR_DREETS, True),
    # Never concluded: the applicant withdrew before the convention was in force.
    Transition("abandon_draft", "Abandonner la convention", _S.DRAFT, _S.ABANDONED, _INSTRUCTOR, True),
    Transition("abandon_sent", "Abandonner la convention", _S.SENT, _S.ABANDONED, _INSTRUCTOR, True),
    Transition(
        "abandon_signed_by_applicant",
        "Abandonner la convention",
        _S.SIGNED_BY_APPLICANT,
        _S.ABANDONED,
        _INSTRUCTOR,
        needs_reason=True,
    ),
    # Reopening by the DREETS (e.g. a reversal found after a control), always motivated.
    Transition("reopen_settled", "Rouvrir la convention soldée", _S.SETTLED, _S.SIGNED, _DREETS, True),
)


AGREEMENT_LIFECYCLE = Lifecycle(
    name="agreement",
    label="Convention",
    states=tuple(AgreementState),
    labels=AGREEMENT_STATE_LABELS,
    initial=AgreementState.DRAFT,
    transitions=AGREEMENT_TRANSITIONS,
    # The dates of the convention are days written on the document, set by the agreement service (``on``).
    wording=Wording(
        unknown_message="La transition « {code} » n'existe pas pour une convention.",
        not_from_state_message="« {label} » n'est pas possible pour une convention à l'état « {state} ».",
        stale_code="AGREEMENT_STATE_CHANGED",
        stale_message="La convention a changé d'état entre-temps : rechargez la page avant de recommencer.",
    ),
)


def agreement_transition_named(code: str) -> AgreementTransition | None:
    return AGREEMENT_LIFECYCLE.transition(code)


def agreement_transitions_from(state: str, actor: str | None = None) -> tuple[AgreementTransition, ...]:
    """The transitions leaving ``state`` (for ``actor`` when given): what a page may offer."""
    return AGREEMENT_LIFECYCLE.transitions_from(state, actor)


def check_agreement_transition(code: str, *, state: str, actor: str, reason: str = "") -> list[Reason]:
    """Why the transition ``code`` may not be fired from ``state`` by ``actor`` (empty list: it may)."""
    return check_lifecycle_transition(AGREEMENT_LIFECYCLE, code, state=state, actor=actor, reason=reason)


def is_agreement_editable(state: str) -> bool:
    return state in AGREEMENT_EDITABLE_STATES


def is_agreement_in_force(state: str) -> bool:
    return state in AGREEMENT_IN_FORCE_STATES


def is_agreement_payable(state: str) -> bool:
    return state in AGREEMENT_PAYABLE_STATES


def agreement_state_label(state: str) -> str:
    try:
        return AgreementState(state).label
    except ValueError:
        return state
