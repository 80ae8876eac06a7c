"""E-mails about a dossier before instruction: the filing receipt and the invitation to co-edit.

Each function queues one notification through the outbox (``pactes.outbox.services.email_queue``): recorded in
the caller's transaction, sent once after it commits, under a key naming the event.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from pactes.accounts.models import User
from pactes.dossiers.models import Dossier, DossierVersion, Invitation
from pactes.dossiers.receipt import arrival_label, receipt_file_name
from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import Attachment, email_queue, email_subject


def receipt_recipients(*, version: DossierVersion) -> list[str]:
    """The filer and the dossier's contact (when it is an e-mail address), each once."""
    contact = str((json.loads(version.snapshot).get("applicant") or {}).get("contact") or "").strip()
    recipients = [version.submitted_by.email]
    try:
        validate_email(contact)
    except ValidationError:
        contact = ""
    if contact and contact.lower() not in {r.lower() for r in recipients}:
        recipients.append(contact)
    return [r for r in recipients if r]


def receipt_notify(*, version: DossierVersion) -> OutgoingEmail | None:
    """The receipt of a filed version, its PDF attached, to the filer and the dossier's contact."""
    dossier = version.dossier
    rules = dossier.call.rules
    return email_queue(
        key=f"filing-receipt:{version.pk}",
        to=receipt_recipients(version=version),
        subject=email_subject(rules.subject_prefix, f"Accusé de réception du dossier {dossier.reference}"),
        template="emails/filing_receipt.txt",
        context={
            "dossier": dossier,
            "call": dossier.call,
            "rules": rules,
            "version": version,
            "filed_at": arrival_label(version.submitted_at, dossier.call),
        },
        attachments=[Attachment.of(version.receipt_pdf, receipt_file_name(version))],
    )


def invitation_notify(
    *, invitation: Invitation, dossier: Dossier, by: User, link: str, validity: dt.timedelta
) -> OutgoingEmail | None:
    """The invitation to co-edit, with its one-time link, to the invited address."""
    return email_queue(
        key=f"invitation:{invitation.pk}",
        to=[invitation.email],
        subject=email_subject(
            dossier.call.rules.subject_prefix, f"Invitation à co-éditer le dossier {dossier.reference}"
        ),
        template="emails/invitation.txt",
        context={"dossier": dossier, "invited_by": by, "link": link, "validity_days": validity.days},
    )
