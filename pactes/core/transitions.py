"""The one writer of every lifecycle state: ``fire`` (ADR 0014).

Any model with a ``state`` field, a lifecycle table in ``pactes.rules`` (declared as its ``lifecycle``) and a log
model (a concrete ``pactes.core.models.TransitionLog`` whose foreign key to the object has
``related_name="transitions"``) moves through ``fire``: inside a transaction it locks the row, refuses a stale
state, checks the table (source, roles, motivation, guards), lets the caller's ``prepare`` check its own rules on
the locked row and set the fields that go with the move, stamps the lifecycle's fields (``submitted_at``…) with the
moment of the act, saves, writes one log row and schedules the caller's after-commit callbacks. ``core`` imports no
app: the caller names the lifecycle.

The moment of an act (``at``) defaults to now; an explicit moment is only given when an act is recorded afterwards
(the demonstration data of a past call, a paper filing): the views never pass it, and a moment in the future is
refused.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from pactes.core.journal import journal_record
from pactes.rules.state_machine import Lifecycle, Transition, check_transition
from pactes.rules.verdict import Reason

logger = logging.getLogger(__name__)

MOMENT_IN_FUTURE = "MOMENT_IN_FUTURE"
MOMENT_NAIVE = "MOMENT_NAIVE"


class TransitionRefused(Exception):
    """The transition may not be fired; ``reasons`` say why in French."""

    def __init__(self, reasons: list[Reason]) -> None:
        self.reasons = reasons
        super().__init__(" ".join(r.message for r in reasons))


@dataclass(frozen=True)
class Fired:
    """A committed move, as the hooks receive it (plain values: the hook reloads what it needs)."""

    lifecycle: str
    code: str
    model: str  # app_label.ModelName
    pk: Any
    from_state: str
    to_state: str
    by_id: Any
    at: dt.datetime
    reason: str


# Called once each transition is committed; a failing hook is logged, never raised. The e-mails of a transition do
# not plug in here: the service that fires it queues them through the outbox in the same transaction (ADR 0016).
AFTER_COMMIT_HOOKS: list[Callable[[Fired], None]] = []


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
def fire[M: models.Model](
    *,
    obj: M,
    lifecycle: Lifecycle,
    code: str,
    by: Any,
    reason: str = "",
    at: dt.datetime | None = None,
    actor: str | None = None,
    facts: Mapping[str, object] | None = None,
    prepare: Callable[[M, Transition], list[Reason]] | None = None,
    on_commit: Iterable[Callable[[], None]] = (),
) -> M:
    """Fires ``code`` of ``lifecycle`` on the locked row of ``obj`` by ``by`` (a user: its ``role`` is the actor
    unless ``actor`` is given) and returns the locked row, saved; ``obj`` gets the new state and stamps too.

    ``facts`` are read by the table's guards; ``prepare(locked, transition)`` returns the caller's own reasons (its
    scope, its dates) and may set the fields that go with the move; ``on_commit`` callbacks run once committed.
    Raises ``TransitionRefused`` (nothing is written then).
    """
    model = type(obj)
    if getattr(model, "lifecycle", lifecycle) is not lifecycle:
        raise ValueError(f"{model._meta.label} ne suit pas le cycle de vie « {lifecycle.name} ».")
    problems = moment_problems(at)
    if problems:
        raise TransitionRefused(problems)
    moment = at or timezone.now()
    locked = model._default_manager.select_for_update().get(pk=obj.pk)
    from_state: str = locked.state  # type: ignore[attr-defined]
    if obj.state != from_state:  # type: ignore[attr-defined]
        raise TransitionRefused([Reason(lifecycle.wording.stale_code, lifecycle.wording.stale_message)])
    problems = check_transition(lifecycle, code, state=from_state, actor=actor or by.role, reason=reason, facts=facts)
    move = lifecycle.transition(code)
    if not problems and move is not None and prepare is not None:
        problems = prepare(locked, move)
    if problems:
        raise TransitionRefused(problems)
    assert move is not None
    locked.state = str(move.target)  # type: ignore[attr-defined]
    changed = {"state"}
    for stamp in lifecycle.stamps.get(move.target, ()):
        setattr(locked, stamp.at, moment)
        changed.add(stamp.at)
        if stamp.by is not None:
            setattr(locked, stamp.by, by)
            changed.add(stamp.by)
    locked.save()
    log = locked.transitions.create(  # type: ignore[attr-defined]
        transition=move.code, from_state=from_state, to_state=locked.state, by=by, reason=reason.strip(), at=moment
    )
    journal_record(log, by=by)
    for name in changed:
        setattr(obj, name, getattr(locked, name))
    fired = Fired(
        lifecycle=lifecycle.name,
        code=move.code,
        model=model._meta.label,
        pk=locked.pk,
        from_state=from_state,
        to_state=str(move.target),
        by_id=getattr(by, "pk", None),
        at=moment,
        reason=reason.strip(),
    )
    for callback in on_commit:
        transaction.on_commit(callback)
    if AFTER_COMMIT_HOOKS:
        transaction.on_commit(lambda: _run_hooks(fired))
    return locked


def _run_hooks(fired: Fired) -> None:
    # The move is committed: a failing notification must not turn it into an error page.
    for hook in list(AFTER_COMMIT_HOOKS):
        try:
            hook(fired)
        except Exception:
            logger.exception(
                "Échec d'un traitement après la transition %s de %s %s.", fired.code, fired.model, fired.pk
            )
