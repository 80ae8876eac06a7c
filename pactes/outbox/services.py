"""Queueing e-mails: the one way an app sends mail (from its ``notifications.py``).

``email_queue`` records the e-mail in the outbox inside the caller's transaction and, once that transaction
commits, enqueues ``pactes.outbox.tasks.email_send_task`` (Django's tasks framework, django-tasks-db in
production). A notification's key is unique: queued twice, it is recorded and sent once. ``email_subject`` writes
every subject with the call's prefix in one form: « [AMI 2024-PTS] … ».
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string

from pactes.outbox.models import OutgoingEmail
from pactes.outbox.tasks import email_send_task

logger = logging.getLogger(__name__)

# Mail is off when the default mailer drops everything (the demo loads fictional people): nothing is enqueued then.
MAIL_OFF_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
MAIL_OFF = "Non envoyé : l'envoi de courriels était désactivé par la configuration."


@dataclass(frozen=True)
class Attachment:
    """A stored file joined to an e-mail, read when the e-mail leaves."""

    path: str
    name: str
    content_type: str = "application/pdf"

    @classmethod
    def of(cls, file: FieldFile, name: str, content_type: str = "application/pdf") -> Attachment:
        return cls(path=file.name or "", name=name, content_type=content_type)


def email_subject(prefix: str, text: str) -> str:
    """« [AMI 2024-PTS] Accusé de réception du dossier … »: the call's prefix in brackets, then the subject."""
    head = f"[{prefix.strip().strip('[]').strip()}]"
    text = text.strip()
    if text.startswith(head):
        text = text[len(head) :].strip()
    return f"{head} {text}"


def email_queue(
    *,
    key: str,
    to: Sequence[str],
    subject: str,
    template: str,
    context: Mapping[str, Any],
    attachments: Sequence[Attachment] = (),
) -> OutgoingEmail | None:
    """Records the e-mail ``key`` (body rendered from ``template``) and sends it once the caller's transaction
    commits; None when there is nobody to write to. A key already recorded is neither recorded nor sent again."""
    recipients = sorted({address.strip() for address in to if address and address.strip()}, key=str.lower)
    if not recipients:
        logger.warning("Courriel %s (%s) : aucun destinataire.", key, template)
        return None
    body = render_to_string(template, dict(context))
    try:
        with transaction.atomic():
            email, created = OutgoingEmail.objects.get_or_create(
                key=key,
                defaults={
                    "template": template,
                    "subject": subject,
                    "body": body,
                    "recipients": "\n".join(recipients),
                    "attachments": [vars(a) for a in attachments],
                },
            )
    except IntegrityError:  # recorded at the same moment by another request
        return OutgoingEmail.objects.get(key=key)
    if created and mail_is_off():
        OutgoingEmail.objects.filter(pk=email.pk).update(error=MAIL_OFF)
        logger.info("Courriel %s (%s) non envoyé : envoi désactivé.", key, template)
    elif created:
        transaction.on_commit(partial(_enqueue, email.pk, key))
    else:
        logger.info("Courriel %s déjà enregistré : pas de second envoi.", key)
    return email


def mail_is_off() -> bool:
    return bool(settings.MAILERS["default"]["BACKEND"] == MAIL_OFF_BACKEND)


def _enqueue(email_id: int, key: str) -> None:
    # The act is committed: nothing here may turn it into an error page (the e-mail stays in the outbox).
    try:
        email_send_task.enqueue(email_id)
    except Exception:
        logger.exception("Échec de la mise en file du courriel %s.", key)
