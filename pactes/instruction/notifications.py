"""E-mails of the instruction: complements requested and answered, new messages of the exchanges.

Queued through the outbox (``pactes.outbox.services.email_queue``): recorded with the act, sent once after commit.
"""

from __future__ import annotations

from pactes.dossiers.models import Dossier, DossierVersion
from pactes.dossiers.selectors import applicant_emails, instructor_emails
from pactes.instruction.models import ComplementRequest, Message
from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import email_queue, email_subject


def complements_requested_notify(*, request: ComplementRequest, dossier: Dossier, link: str) -> OutgoingEmail | None:
    """The request for complements, to the porteurs."""
    rules = dossier.call.rules
    return email_queue(
        key=f"complements-requested:{request.pk}",
        to=applicant_emails(dossier),
        subject=email_subject(rules.subject_prefix, f"Compléments demandés sur le dossier {dossier.reference}"),
        template="instruction/emails/complements_requested.txt",
        context={"dossier": dossier, "request": request, "link": link, "rules": rules},
    )


def complements_answered_notify(*, dossier: Dossier, version: DossierVersion, link: str) -> OutgoingEmail | None:
    """The complements filed as ``version``, to the instructors of the département."""
    return email_queue(
        key=f"complements-answered:{version.pk}",
        to=instructor_emails(dossier),
        subject=email_subject(
            dossier.call.rules.subject_prefix, f"Compléments transmis sur le dossier {dossier.reference}"
        ),
        template="instruction/emails/complements_answered.txt",
        context={"dossier": dossier, "version": version, "link": link},
    )


def message_notify(*, message: Message, dossier: Dossier, from_instruction: bool, link: str) -> OutgoingEmail | None:
    """A new message of the exchanges, to the other side: the porteurs, or the instructors."""
    return email_queue(
        key=f"message:{message.pk}",
        to=applicant_emails(dossier) if from_instruction else instructor_emails(dossier),
        subject=email_subject(dossier.call.rules.subject_prefix, f"Nouveau message sur le dossier {dossier.reference}"),
        template="instruction/emails/new_message.txt",
        context={"dossier": dossier, "message": message, "from_instruction": from_instruction, "link": link},
    )
