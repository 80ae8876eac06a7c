"""Writes on dossiers. ``dossier_transition`` is the only writer of ``Dossier.state``."""

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


@transaction.atomic
def dossier_transition(*, dossier: Dossier, transition: str, by: User, reason: str = "") -> Dossier:
    """Fires ``transition`` on the locked row, under the state read from the database, and logs the move."""
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
        locked.submitted_at = timezone.now()
    locked.save(update_fields=["state", "submitted_at", "updated_at"])
    DossierTransitionLog.objects.create(
        dossier=locked, transition=move.code, from_state=from_state, to_state=locked.state, by=by, reason=reason
    )
    dossier.state, dossier.submitted_at = locked.state, locked.submitted_at
    return locked
