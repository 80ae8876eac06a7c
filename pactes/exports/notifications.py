"""The e-mail that says a background export is ready (through the outbox: recorded, sent once after commit)."""

from __future__ import annotations

from pactes.exports.models import ExportJob
from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import email_queue, email_subject

SUBJECT_PREFIX = "Pactes"


def export_ready_notify(*, job: ExportJob, link: str) -> OutgoingEmail | None:
    return email_queue(
        key=f"export-ready:{job.pk}",
        to=[job.owner.email],
        subject=email_subject(SUBJECT_PREFIX, f"Votre export « {job.title} » est prêt"),
        template="emails/export_ready.txt",
        context={"job": job, "link": link},
    )
