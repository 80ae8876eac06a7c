"""Background tasks of the filing (Django's tasks framework; run by ``manage.py db_worker``, django-tasks-db)."""

from __future__ import annotations

from django.tasks import task

from pactes.dossiers.models import DossierVersion
from pactes.dossiers.notifications import receipt_notify
from pactes.dossiers.receipt import receipt_ensure


def receipt_prepare(*, version_id: int) -> DossierVersion:
    """After a filing: the receipt PDF, then its e-mail, queued once (keyed by the version) through the outbox."""
    version = receipt_ensure(version_id=version_id)
    receipt_notify(version=version)
    return version


@task()
def receipt_prepare_task(version_id: int) -> str:
    """Renders the receipt PDF of a version filed a moment ago and e-mails it; returns the stored file's name."""
    return receipt_prepare(version_id=version_id).receipt_pdf.name
