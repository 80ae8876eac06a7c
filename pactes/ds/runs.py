"""Background runs of the DS import, as the page starts them: queued once committed, executed by ``pactes.ds.tasks``."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import User
from pactes.ds.models import ImportRun, Procedure, RunStatus
from pactes.ds.tasks import import_run_task


def run_start(*, procedure: Procedure, by: User, dry_run: bool, everything: bool = False) -> ImportRun:
    """Queues a background import (or dry run) of ``procedure``: by default only what changed on DS since its last
    complete import (``updatedSince``), everything when ``everything`` or never imported. Enqueued once committed."""
    run = ImportRun.objects.create(
        procedure=procedure,
        dry_run=dry_run,
        since=None if everything else procedure.last_imported_at,
        started_by=by,
    )
    transaction.on_commit(partial(_enqueue, run.pk))
    return run


def _enqueue(run_id: int) -> None:
    try:
        import_run_task.enqueue(run_id)
    except Exception as exc:
        ImportRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=f"L'import n'a pas pu être mis en file ({type(exc).__name__}) : relancez-le.",
            finished_at=timezone.now(),
        )
