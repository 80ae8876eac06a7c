"""Writes of the exports: preparing and writing one now (``preparing``), a background job above the threshold
(``export_job_create``, run by ``pactes.exports.tasks``), and the log of every download (``export_download_record``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial

from django.db import transaction

from pactes.accounts.models import User
from pactes.exports.jobs import export_job_run, export_jobs_purge
from pactes.exports.models import ExportJob, JobState
from pactes.exports.preparing import (
    ExportRefused,
    Prepared,
    author_label,
    export_download_record,
    export_filename,
    export_format,
    export_prepare,
    export_write,
)
from pactes.exports.tasks import export_job_task

logger = logging.getLogger(__name__)

__all__ = [
    "ExportRefused",
    "Prepared",
    "author_label",
    "export_download_record",
    "export_filename",
    "export_format",
    "export_job_create",
    "export_job_run",
    "export_jobs_purge",
    "export_prepare",
    "export_write",
]


def export_job_create(
    *, user: User, prepared: Prepared, source: str, params: Mapping[str, str], link: str
) -> ExportJob:
    """Records the job and enqueues it once the transaction commits; the person follows it on « Mes exports »."""
    job = ExportJob.objects.create(
        owner=user,
        source=source,
        params=dict(params),
        format=prepared.fmt.code,
        title=prepared.selection.title,
        dossier_count=prepared.count,
    )
    transaction.on_commit(partial(_enqueue, job.pk, link))
    return job


def _enqueue(job_id: int, link: str) -> None:
    try:
        export_job_task.enqueue(job_id, link)
    except Exception:
        logger.exception("Échec de la mise en file de l'export %s.", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=JobState.FAILED, error="La mise en file a échoué : relancez l'export."
        )
