"""Writes on dossiers. ``dossier_transition`` is the only writer of ``Dossier.state``.

The moment of an act (``at``) defaults to now; an explicit moment is only given when an act is recorded afterwards
(the demonstration data of a past call): the views never pass it, and a moment in the future is refused.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import User
from pactes.dossiers.models import Dossier, DossierTransitionLog
from pactes.rules.lifecycle import DossierState, check_transition, transition_named
from pactes.rules.verdict import Reason


class TransitionRefused(Exception):
    """The transition may not be fired; ``reasons`` say why in French."""

    def __init__(self, reasons: list[Reason]) -> None:
        self.reasons = reasons
        super().__init__(" ".join(r.message for r in reasons))


MOMENT_IN_FUTURE = "MOMENT_IN_FUTURE"
MOMENT_NAIVE = "MOMENT_NAIVE"


def moment_problems(at: dt.datetime | None) -> list[Reason]:
    """Why an explicit moment of an act cannot be recorded: without a time zone, or in the future."""
    if at is None:
        return []
    if timezone.is_naive(at):
        return [Reason(MOMENT_NAIVE, "La date de l'acte doit préciser son fuseau horaire.")]
    if at > timezone.now():
        return [Reason(MOMENT_IN_FUTURE, "La date de l'acte ne peut pas être dans l'avenir.")]
    return []


@transaction.atomic
def dossier_transition(
    *, dossier: Dossier, transition: str, by: User, reason: str = "", at: dt.datetime | None = None
) -> Dossier:
    """Fires ``transition`` on the locked row, under the state read from the database, and logs the move at ``at``
    (now by default; an explicit moment is for acts recorded afterwards, never in the future)."""
    problems = moment_problems(at)
    if problems:
        raise TransitionRefused(problems)
    moment = at or timezone.now()
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.state != locked.state:
        raise TransitionRefused(
            [
                Reason(
                    "STATE_CHANGED", "Le dossier a changé d'état entre-temps : rechargez la page avant de recommencer."
                )
            ]
        )
    problems = check_transition(transition, state=locked.state, actor=by.role, reason=reason)
    if problems:
        raise TransitionRefused(problems)
    move = transition_named(transition)
    assert move is not None
    from_state = locked.state
    locked.state = move.target.value
    if move.target == DossierState.SUBMITTED and locked.submitted_at is None:
        locked.submitted_at = moment
    locked.save(update_fields=["state", "submitted_at", "updated_at"])
    DossierTransitionLog.objects.create(
        dossier=locked,
        transition=move.code,
        from_state=from_state,
        to_state=locked.state,
        by=by,
        reason=reason,
        at=moment,
    )
    dossier.state, dossier.submitted_at = locked.state, locked.submitted_at
    return locked
