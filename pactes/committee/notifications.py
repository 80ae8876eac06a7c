"""E-mails of the committee: each decision letter, to the porteurs of its dossier, when the session is closed.

Queued through the outbox (``pactes.outbox.services.email_queue``): recorded with the closing, sent once after it.
"""

from __future__ import annotations

from pactes.committee.documents import letter_filename
from pactes.committee.models import CommitteeDecision, CommitteeSession
from pactes.dossiers.selectors import applicant_emails
from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import Attachment, email_queue, email_subject


def decision_letter_notify(*, decision: CommitteeDecision, session: CommitteeSession) -> OutgoingEmail | None:
    """The decision letter (PDF attached) to the porteurs of the dossier; nothing when no letter was produced."""
    if not decision.letter_pdf:
        return None
    dossier = decision.dossier
    rules = session.call.rules
    return email_queue(
        key=f"decision-letter:{decision.pk}",
        to=applicant_emails(dossier),
        subject=email_subject(rules.subject_prefix, f"Décision du comité régional — dossier {dossier.reference}"),
        template="emails/decision.txt",
        context={"decision": decision, "dossier": dossier, "session": session, "rules": rules},
        attachments=[Attachment.of(decision.letter_pdf, letter_filename(decision))],
    )


def decision_letters_notify(*, session: CommitteeSession) -> int:
    """Every decision letter of a closed session; returns how many e-mails were queued."""
    queued = 0
    for decision in session.decisions.select_related("dossier__organisation", "dossier__departement"):
        if decision_letter_notify(decision=decision, session=session) is not None:
            queued += 1
    return queued
