"""Writes on dossiers. ``dossier_transition`` fires a transition of the dossier's lifecycle through the one engine,
``pactes.core.transitions.fire`` (the only writer of ``Dossier.state`` and ``submitted_at``).

The moment of an act (``at``) defaults to now; an explicit moment is only given when an act is recorded afterwards
(the demonstration data of a past call): the views never pass it, and a moment in the future is refused.
"""

import datetime as dt

from pactes.accounts.models import User
from pactes.core.transitions import MOMENT_IN_FUTURE, MOMENT_NAIVE, TransitionRefused, fire, moment_problems
from pactes.dossiers.models import Dossier
from pactes.dossiers.search import dossier_search_refresh
from pactes.rules.lifecycle import DOSSIER_LIFECYCLE

# Re-exported: the callers import them from here.
__all__ = ["MOMENT_IN_FUTURE", "MOMENT_NAIVE", "TransitionRefused", "dossier_transition", "moment_problems"]


def dossier_transition(
    *, dossier: Dossier, transition: str, by: User, reason: str = "", at: dt.datetime | None = None
) -> Dossier:
    """Fires ``transition`` on the locked row, under the state read from the database, and logs the move at ``at``
    (now by default; an explicit moment is for acts recorded afterwards, never in the future). A ``submit`` stamps
    ``submitted_at`` with that moment."""
    fired = fire(obj=dossier, lifecycle=DOSSIER_LIFECYCLE, code=transition, by=by, reason=reason, at=at)
    dossier_search_refresh(fired)  # the queue searches what was filed: number, title, organisation, perimeter
    return fired
