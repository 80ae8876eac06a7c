"""The one task that sends e-mail (Django's tasks framework; run by ``manage.py db_worker``, django-tasks-db).

Every e-mail of Pactes is first recorded in the outbox (``pactes.outbox.services.email_queue``), then sent here.
"""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from pactes.outbox.models import OutgoingEmail

logger = logging.getLogger(__name__)


def email_send(*, email_id: int) -> int:
    """Sends a recorded e-mail unless it was sent already; returns the number of messages sent (0 or 1).

    The row is locked while sending, so two workers never send the same e-mail. A mail server failure is recorded
    on the row and logged, never raised: the e-mail can be sent again by enqueueing it again.
    """
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().get(pk=email_id)
        if email.is_sent:
            logger.info("Courriel %s déjà envoyé le %s : ignoré.", email.key, email.sent_at)
            return 0
        message = EmailMessage(subject=email.subject, body=email.body, to=email.recipient_list)
        try:
            for item in email.attachments:
                with default_storage.open(item["path"], "rb") as stored:
                    message.attach(item["name"], stored.read(), item["content_type"])
            sent = message.send()
        except Exception as exc:
            email.failed_at = timezone.now()
            email.error = f"{type(exc).__name__}: {exc}"[:2000]
            email.save(update_fields=["failed_at", "error"])
            logger.exception(
                "Échec de l'envoi du courriel %s (modèle %s) à %s.", email.key, email.template, email.recipients
            )
            return 0
        email.sent_at = timezone.now()
        email.save(update_fields=["sent_at"])
    logger.info("Courriel %s envoyé à %s (modèle %s).", email.key, ", ".join(email.recipient_list), email.template)
    return sent


@task()
def email_send_task(email_id: int) -> int:
    """Sends the recorded e-mail ``email_id`` once; returns the number of messages sent (0 when already sent)."""
    return email_send(email_id=email_id)
