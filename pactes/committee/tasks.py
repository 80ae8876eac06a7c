"""Background tasks of the committee's closing (Django's tasks framework; run by ``manage.py db_worker``,
django-tasks-db): the procès-verbal and the decision letters of a closed session, then each letter's e-mail.

Words: a document is *pending* while its PDF does not exist yet: the closing transaction only applies the decisions
and freezes the session; once committed it enqueues ``session_documents_task``, which *dispatches* one task for the
procès-verbal and one per *batch* of ``LETTER_BATCH`` letters (ADR 0054). Every step is idempotent: a document is
stored once (a conditional update keeps the first one), a letter's e-mail is keyed in the outbox and only queued once
its letter exists; running a task twice changes nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.tasks import task

from pactes.committee.documents import letter_filename, letter_render, minutes_filename, minutes_render
from pactes.committee.models import CommitteeDecision, CommitteeSession, SessionState
from pactes.committee.notifications import decision_letter_notify
from pactes.core.generated_files import store_once

logger = logging.getLogger(__name__)

# Letters per task: ~2.5 s of rendering (0.1 s each, ADR 0054), so that receipts and e-mails pass in between.
LETTER_BATCH = 25
# Below the filing receipts and the e-mails (priority 0): a closing of 4 000 letters never delays them.
DOCUMENTS_PRIORITY = -10
# A render is tried twice before the document is left pending (logged; the DREETS may relaunch it).
ATTEMPTS = 2


class DocumentsIncomplete(Exception):
    """Some documents of a closed session could not be rendered: they stay pending, the failure is logged."""


def _closed_session(session_id: int) -> CommitteeSession:
    return CommitteeSession.objects.select_related("call", "closed_by").get(pk=session_id, state=SessionState.CLOSED)


def minutes_ensure(*, session_id: int) -> CommitteeSession:
    """Renders and stores the procès-verbal of a closed session that has none (idempotent, like the receipt: the
    render happens outside any transaction, storing it is one conditional update; a concurrent render's file is
    deleted)."""
    session = _closed_session(session_id)
    return store_once(session, "minutes_pdf", minutes_filename(session), lambda: minutes_render(session=session))


def letter_ensure(*, decision: CommitteeDecision) -> CommitteeDecision:
    """Renders and stores the letter of a decision of a closed session that has none (idempotent, as above)."""
    return store_once(decision, "letter_pdf", letter_filename(decision), lambda: letter_render(decision=decision))


def _tried(what: str, action: Callable[[], object]) -> bool:
    # A render may fail once for a passing reason (storage, memory): tried again, then logged and left pending.
    for attempt in range(1, ATTEMPTS + 1):
        try:
            action()
        except Exception:
            logger.exception("Échec de la préparation de %s (essai %s sur %s).", what, attempt, ATTEMPTS)
        else:
            return True
    return False


def minutes_prepare(*, session_id: int) -> CommitteeSession:
    """The procès-verbal of a closed session; raises ``DocumentsIncomplete`` when it could not be rendered."""
    if not _tried(f"procès-verbal de la séance {session_id}", lambda: minutes_ensure(session_id=session_id)):
        raise DocumentsIncomplete(f"Procès-verbal de la séance {session_id} non produit.")
    return _closed_session(session_id)


def letters_prepare(*, session_id: int, decision_ids: Iterable[int] | None = None) -> int:
    """Each letter of a closed session (or of ``decision_ids`` among them), then its e-mail to the porteurs, queued
    once its letter exists (keyed: never twice). Returns how many letters exist; raises ``DocumentsIncomplete``
    after the others are done when some could not be rendered."""
    session = _closed_session(session_id)
    decisions = session.decisions.select_related("dossier__organisation", "dossier__departement")
    if decision_ids is not None:
        decisions = decisions.filter(pk__in=list(decision_ids))
    ready, failed = 0, []
    for decision in decisions:
        decision.session = session
        if not _tried(f"la lettre de décision {decision.pk}", lambda d=decision: letter_ensure(decision=d)):
            failed.append(decision.pk)
            continue
        ready += 1
        decision_letter_notify(decision=decision, session=session)
    if failed:
        raise DocumentsIncomplete(f"Lettres de décision non produites (séance {session_id}) : {failed}.")
    return ready


def pending_letter_ids(session_id: int) -> list[int]:
    pending = CommitteeDecision.objects.filter(session_id=session_id, letter_pdf="").order_by("pk")
    return list(pending.values_list("pk", flat=True))


def session_documents_dispatch(*, session_id: int) -> int:
    """Enqueues what a closed session still lacks: its procès-verbal, its letters by batches. Returns the number of
    tasks enqueued (0 when every document exists)."""
    session = _closed_session(session_id)
    enqueued = 0
    if not session.minutes_pdf:
        minutes_prepare_task.enqueue(session_id)
        enqueued += 1
    pending = pending_letter_ids(session_id)
    for start in range(0, len(pending), LETTER_BATCH):
        letters_prepare_task.enqueue(session_id, pending[start : start + LETTER_BATCH])
        enqueued += 1
    return enqueued


def session_documents_prepare(*, session_id: int) -> CommitteeSession:
    """Every document of a closed session at once, in this process (demo data): what the tasks do, in a row."""
    minutes_prepare(session_id=session_id)
    letters_prepare(session_id=session_id)
    return _closed_session(session_id)


@task(priority=DOCUMENTS_PRIORITY)
def session_documents_task(session_id: int) -> int:
    """After a closing: enqueues the procès-verbal's task and the letters' tasks; returns how many."""
    return session_documents_dispatch(session_id=session_id)


@task(priority=DOCUMENTS_PRIORITY)
def minutes_prepare_task(session_id: int) -> str:
    """Renders the procès-verbal of a session closed a moment ago; returns the stored file's name."""
    return minutes_prepare(session_id=session_id).minutes_pdf.name


@task(priority=DOCUMENTS_PRIORITY)
def letters_prepare_task(session_id: int, decision_ids: list[int]) -> int:
    """Renders a batch of decision letters and e-mails each one; returns how many letters of the batch exist."""
    return letters_prepare(session_id=session_id, decision_ids=decision_ids)
