"""E-mails of the assessment: a département's transmission to the committee, sent to the DREETS mailbox.

Queued through the outbox (``pactes.outbox.services.email_queue``): recorded with the act, sent once after commit.
"""

from __future__ import annotations

from django.utils import timezone

from pactes.assessment.models import Transmission
from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import Attachment, email_queue, email_subject


def transmission_subject(transmission: Transmission) -> str:
    return email_subject(
        transmission.call.rules.subject_prefix,
        f"Transmission au comité régional — DDETS-PP {transmission.departement.name} ({transmission.departement.code})",
    )


def transmission_notify(*, transmission: Transmission) -> OutgoingEmail | None:
    """The departmental summary (PDF attached) to the call's DREETS mailbox."""
    rules = transmission.call.rules
    return email_queue(
        key=f"transmission:{transmission.pk}",
        to=[rules.mailbox],
        subject=transmission_subject(transmission),
        template="instruction/assessment/transmission_email.txt",
        context={
            "transmission": transmission,
            "rules": rules,
            "dossiers": transmission.dossiers.order_by("reference"),
            "at": timezone.localtime(transmission.transmitted_at, rules.timezone),
        },
        attachments=[Attachment.of(transmission.summary_pdf, (transmission.summary_pdf.name or "").rsplit("/", 1)[-1])],
    )
