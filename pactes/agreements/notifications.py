"""E-mails of the convention: the convention sent to the applicants for signature.

Queued through the outbox (``pactes.outbox.services.email_queue``): recorded with the act, sent once after commit.
"""

from __future__ import annotations

from pactes.agreements.models import Agreement
from pactes.dossiers.selectors import applicant_emails
from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import Attachment, email_queue, email_subject


def agreement_sent_notify(*, agreement: Agreement) -> OutgoingEmail | None:
    """The convention (its PDF attached when produced) to the porteurs, for signature; once per « send » move."""
    dossier = agreement.dossier
    rules = dossier.call.rules
    move = agreement.transitions.filter(transition="send").order_by("-pk").values_list("pk", flat=True).first()
    attachments = (
        [Attachment.of(agreement.pdf_file, f"convention-{dossier.reference}.pdf")] if agreement.pdf_file else []
    )
    return email_queue(
        key=f"agreement-sent:{agreement.pk}:{move}",
        to=applicant_emails(dossier),
        subject=email_subject(rules.subject_prefix, f"Convention à signer — dossier {dossier.reference}"),
        template="emails/agreement_sent.txt",
        context={"agreement": agreement, "dossier": dossier, "rules": rules},
        attachments=attachments,
    )
