"""The lifecycle of a session of the regional committee (§1.6, §1.7): planned, open, closed.

No Django here. The table is one instance of the generic ``pactes.rules.state_machine.Lifecycle``; the one writer of
every state, ``pactes.core.transitions.fire``, asks it first and logs every move (who, when, from, to, why).

Words: a *session* (séance) is *planifiée*, then *ouverte* by the DREETS (decisions are recorded), then *close*
(decisions frozen and applied to the dossiers, procès-verbal and letters produced). One session at a time is open
for a call. A closed session is never reopened: a decision is reopened on its dossier, with a motivation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum

from pactes.rules.formatting import date_short
from pactes.rules.state_machine import Actor, Lifecycle, Stamp, Transition
from pactes.rules.verdict import Reason

SESSION_ALREADY_OPEN = "SESSION_ALREADY_OPEN"
SESSION_NOT_YET_HELD = "SESSION_NOT_YET_HELD"
# The fact the service gives to ``open``: the date of another open session of the same call, if any.
OTHER_OPEN_SESSION_DATE = "other_open_session_date"
# The facts of ``open``: the date the session is held, and the day (Paris) of the opening act.
SESSION_DATE = "session_date"
OPENING_DAY = "opening_day"


class SessionState(StrEnum):
    PLANNED = "planifiee"
    OPEN = "ouverte"
    CLOSED = "close"

    @property
    def label(self) -> str:
        return SESSION_STATE_LABELS[self]


SESSION_STATE_LABELS: dict[SessionState, str] = {
    SessionState.PLANNED: "Planifiée",
    SessionState.OPEN: "Ouverte",
    SessionState.CLOSED: "Close",
}


def one_open_session_per_call(facts: Mapping[str, object]) -> list[Reason]:
    """1.6: the committee of a call sits in one session at a time."""
    other = facts.get(OTHER_OPEN_SESSION_DATE)
    if not isinstance(other, dt.date):
        return []
    return [
        Reason(
            SESSION_ALREADY_OPEN,
            f"La séance du {date_short(other)} est déjà ouverte pour cet appel : closez-la d'abord.",
        )
    ]


def held_on_its_date(facts: Mapping[str, object]) -> list[Reason]:
    """1.6: a session is opened on the day it is held, or recorded afterwards with its real date; never before."""
    held, opening = facts.get(SESSION_DATE), facts.get(OPENING_DAY)
    if not isinstance(held, dt.date) or not isinstance(opening, dt.date) or held <= opening:
        return []
    return [
        Reason(
            SESSION_NOT_YET_HELD,
            f"La séance est datée du {date_short(held)} : elle ne peut pas être ouverte avant ce jour. Si le comité "
            "s'est réuni plus tôt, corrigez d'abord la date de la séance.",
        )
    ]


_S = SessionState
_DREETS = frozenset({Actor.DREETS})

SESSION_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "open", "Ouvrir la séance", _S.PLANNED, _S.OPEN, _DREETS, guards=(one_open_session_per_call, held_on_its_date)
    ),
    # Closing applies the decisions to the dossiers; the committee service checks quorum, agenda and envelope first.
    Transition("close", "Clore la séance", _S.OPEN, _S.CLOSED, _DREETS),
)

SESSION_LIFECYCLE = Lifecycle(
    name="committee_session",
    label="Séance du comité régional",
    states=tuple(SessionState),
    labels=SESSION_STATE_LABELS,
    initial=SessionState.PLANNED,
    transitions=SESSION_TRANSITIONS,
    stamps={
        SessionState.OPEN: (Stamp("opened_at", "opened_by"),),
        SessionState.CLOSED: (Stamp("closed_at", "closed_by"),),
    },
)
