"""Background tasks of the filing (Django's tasks framework; run by ``manage.py db_worker``, django-tasks-db)."""

from __future__ import annotations

from django.tasks import task

from pactes.dossiers.filing import receipt_prepare


@task()
def receipt_prepare_task(version_id: int) -> str:
    """Renders the receipt PDF of a version filed a moment ago and e-mails it; returns the stored file's name."""
    return receipt_prepare(version_id=version_id).receipt_pdf.name
