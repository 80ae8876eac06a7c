"""E-mails of the follow-up: reports submitted, returned and validated, and the reminders of deadlines.

Queued through the outbox (``pactes.outbox.services.email_queue``): recorded with the act, sent once after commit.
A report event's key names the report's move (a report may be returned and submitted again).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import applicant_emails, instructor_emails
from pactes.followup.models import Report
from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import email_queue, email_subject
from pactes.rules.formatting import date_short


def _report_event(report: Report, event: str) -> str:
    move = report.transitions.order_by("-pk").values_list("pk", flat=True).first()
    return f"report-{event}:{report.pk}:{move}"


def report_submitted_notify(*, report: Report, dossier: Dossier) -> OutgoingEmail | None:
    """The report handed in, to the instructors of the département."""
    return email_queue(
        key=_report_event(report, "submitted"),
        to=instructor_emails(dossier),
        subject=email_subject(
            dossier.call.rules.subject_prefix, f"{report.kind_label} remis — dossier {dossier.reference}"
        ),
        template="emails/report_submitted.txt",
        context={"report": report, "dossier": dossier},
    )


def report_returned_notify(*, report: Report, dossier: Dossier, motivation: str) -> OutgoingEmail | None:
    """The report sent back with its motivation, to the porteurs."""
    return email_queue(
        key=_report_event(report, "returned"),
        to=applicant_emails(dossier),
        subject=email_subject(
            dossier.call.rules.subject_prefix, f"{report.kind_label} à reprendre — dossier {dossier.reference}"
        ),
        template="emails/report_returned.txt",
        context={"report": report, "dossier": dossier, "motivation": motivation},
    )


def report_validated_notify(*, report: Report, dossier: Dossier, outcome: Any) -> OutgoingEmail | None:
    """The report validated (with the payment, reversal or settlement it led to), to the porteurs."""
    return email_queue(
        key=_report_event(report, "validated"),
        to=applicant_emails(dossier),
        subject=email_subject(
            dossier.call.rules.subject_prefix, f"{report.kind_label} validé — dossier {dossier.reference}"
        ),
        template="emails/report_validated.txt",
        context={"report": report, "dossier": dossier, "outcome": outcome, "settled": report.is_final},
    )


def reminder_notify(
    *, key: str, dossier: Dossier, recipients: list[str], label: str, due: dt.date, context: dict[str, Any]
) -> OutgoingEmail | None:
    """A reminder of a deadline (``key``: the reminder's own key, recorded once in ``ReminderSent``)."""
    return email_queue(
        key=f"reminder:{key}",
        to=recipients,
        subject=email_subject(
            dossier.call.rules.subject_prefix, f"Rappel : {label} avant le {date_short(due)} — {dossier.reference}"
        ),
        template="emails/reminder.txt",
        context={"dossier": dossier, "label": label, **context},
    )
