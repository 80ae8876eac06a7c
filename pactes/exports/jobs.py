"""Background exports: writing a job's file with its progress, the e-mail when it is ready, and the daily purge.

A job's file is kept ``PACTES_EXPORT_RETENTION_DAYS`` (7) days, then ``export_jobs_purge`` (daily: ``manage.py
exports_purge``) deletes it; the job stays on « Mes exports », « Expiré ».
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from functools import partial

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from pactes.exports.models import ExportJob, JobState
from pactes.exports.notifications import export_ready_notify
from pactes.exports.preparing import ExportRefused, author_label, export_filename, export_prepare
from pactes.exports.sources import SourceUnavailable
from pactes.exports.workbook import Workbook

logger = logging.getLogger(__name__)


def export_job_run(*, job_id: int, link: str = "") -> ExportJob:
    """Writes the job's file (scoped again to its owner as it is now), then mails the owner. A failure is recorded
    on the job (state « Échec », message in French), never raised to the worker."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        if job.status != JobState.QUEUED:
            return job
        job.status, job.started_at = JobState.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        prepared = export_prepare(user=job.owner, source=job.source, params=job.params, fmt=job.format)
        book = Workbook.of(prepared.selection, exported_by=author_label(job.owner))
        ExportJob.objects.filter(pk=job.pk).update(steps=book.steps, dossier_count=len(book.dossier_ids))
        progress = partial(_progress, job.pk)
        with tempfile.TemporaryFile() as out:
            prepared.fmt.write(book, out, progress)
            out.seek(0)
            name = export_filename(prepared.selection, prepared.fmt, book.exported_at)
            job.refresh_from_db()
            job.file.save(name, File(out), save=False)
            job.size = job.file.size
    except (SourceUnavailable, ExportRefused) as exc:
        return _failed(job, str(exc))
    except Exception:
        logger.exception("Échec de l'export %s.", job.pk)
        return _failed(job, "L'export n'a pas pu être écrit : relancez-le ; si l'erreur persiste, signalez-la.")
    now = timezone.now()
    job.filename, job.status, job.finished_at = name, JobState.DONE, now
    job.progress = job.steps
    job.expires_at = now + dt.timedelta(days=settings.PACTES_EXPORT_RETENTION_DAYS)
    job.save(update_fields=["file", "filename", "size", "status", "progress", "finished_at", "expires_at"])
    with transaction.atomic():
        export_ready_notify(job=job, link=link)
    return job


def _progress(job_id: int, done: int, total: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(progress=done, steps=total)


def _failed(job: ExportJob, message: str) -> ExportJob:
    if job.file:
        job.file.delete(save=False)
    job.status, job.error, job.finished_at = JobState.FAILED, message, timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "file"])
    return job


def export_jobs_purge(*, now: dt.datetime | None = None) -> int:
    """Deletes the files of the jobs past their expiry (the job stays, « Expiré »); returns how many."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(status=JobState.DONE, expires_at__lte=now):
        if job.file:
            job.file.delete(save=False)
        job.status = JobState.EXPIRED
        job.save(update_fields=["file", "status"])
        count += 1
    return count
