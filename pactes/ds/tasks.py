"""The background import (Django's tasks framework, django-tasks-db, run by ``manage.py db_worker``).

A run (``ImportRun``) is created by the page, then this task reads DS and imports, recording its progress on the run
after each dossier (the page polls it) and its report at the end. A failure to reach DS is recorded on the run, in
French; any other error too, so that the page never waits for ever.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from pactes.ds.client import DsClient, DsUnavailable
from pactes.ds.models import ImportRun, RunStatus
from pactes.ds.services import procedure_import

logger = logging.getLogger(__name__)


def run_execute(*, run_id: int) -> str:
    """Executes a queued run once (a run already started or finished is left alone); returns its final status."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().select_related("procedure__call").get(pk=run_id)
        if run.status != RunStatus.QUEUED:
            return str(run.status)
        run.status = RunStatus.RUNNING
        run.save(update_fields=["status"])
    procedure = run.procedure

    def progress(done: int, total: int) -> None:
        ImportRun.objects.filter(pk=run.pk).update(processed=done, total=total)

    try:
        _procedure, report = procedure_import(
            call=procedure.call,
            number=procedure.number,
            client=DsClient(url=procedure.api_url),
            since=run.since,
            dry_run=run.dry_run,
            progress=progress,
        )
    except DsUnavailable as exc:
        ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc), finished_at=timezone.now())
        return RunStatus.FAILED
    except Exception as exc:
        logger.exception("Échec de l'import démarches simplifiées %s.", run.pk)
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            error=f"L'import s'est interrompu sur une erreur inattendue ({type(exc).__name__}) ; les dossiers déjà "
            "traités sont enregistrés, relancez l'import pour les autres.",
            finished_at=timezone.now(),
        )
        return RunStatus.FAILED
    ImportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, report=report.as_json(), finished_at=timezone.now()
    )
    return RunStatus.DONE


@task()
def import_run_task(run_id: int) -> str:
    return run_execute(run_id=run_id)
