"""Background tasks of the exports (Django's tasks framework; run by ``manage.py db_worker``, django-tasks-db)."""

from __future__ import annotations

from django.tasks import task

from pactes.exports.jobs import export_job_run, export_jobs_purge


@task()
def export_job_task(job_id: int, link: str = "") -> str:
    """Writes the export ``job_id``; returns its status."""
    return export_job_run(job_id=job_id, link=link).status


@task()
def export_jobs_purge_task() -> int:
    """Deletes the files of expired exports; returns how many."""
    return export_jobs_purge()
