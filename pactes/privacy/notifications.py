"""E-mails of the retention rules: the carriers of a draft are told a month before it is deleted."""

from __future__ import annotations

import datetime as dt

from pactes.dossiers.models import Dossier
from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import email_queue, email_subject


def draft_people(dossier: Dossier) -> list[str]:
    """The members of the carrying organisation and the invited co-editors, each once."""
    emails = {m.user.email for m in dossier.organisation.memberships.select_related("user") if m.user.is_active}
    emails |= {u.email for u in dossier.editors.filter(is_active=True)}
    return sorted(emails)


def draft_deletion_notify(*, dossier: Dossier, deletion_day: dt.date, link: str) -> OutgoingEmail | None:
    rules = dossier.call.rules
    return email_queue(
        key=f"retention-draft-reminder:{dossier.pk}",
        to=draft_people(dossier),
        subject=email_subject(rules.subject_prefix, f"Le brouillon {dossier.reference} sera supprimé"),
        template="emails/retention_draft_reminder.txt",
        context={"dossier": dossier, "call": dossier.call, "deletion_day": deletion_day, "link": link},
    )
