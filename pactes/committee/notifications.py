"""E-mails of the committee: each decision letter, to the porteurs of its dossier, once the session is closed and
the letter rendered (``pactes.committee.tasks``, after the closing's commit).

Queued through the outbox (``pactes.outbox.services.email_queue``): keyed by the decision, recorded and sent once
whatever retries happen.
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
