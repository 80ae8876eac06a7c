"""Reminders before deadlines, and the alert on credits not engaged (§1.7): pure functions, no clock, no sending.

No Django here. Words:
- *deadline*: something due on a day for one object (a convention, a dossier): ``kind``, ``object_id``, ``due`` and
  a ``recipients`` key the caller resolves into e-mail addresses (e.g. ``porteur:12``, ``ddets:31``). The caller
  passes only open deadlines (a filed report's deadline is no longer open).
- *offset*: a reminder is sent ``offset`` days before the due date (call's YAML ``reminder_offsets_days``, e.g.
  14, 7 and 1); a negative offset is a reminder after the due date.
- *key*: ``kind:object_id:due:offset``, stable and unique; the worker stores the keys it sent and passes them back,
  so a reminder is never sent twice. When the worker missed days, only the latest reached offset of a deadline is
  sent (never a burst of older ones); the ones skipped are never sent later.
- *engagement*: the legal commitment (EJ, Chorus) of a retained project's credits, due by the calendar step
  ``engagement`` (30 November 2024, §1.7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pactes.rules.call_config import CallConfig
from pactes.rules.followup import final_report_due, interim_report_due, report_periods
from pactes.rules.formatting import date_fr
from pactes.rules.money import cited
from pactes.rules.verdict import Reason

ENGAGEMENT_DEADLINE_NEAR = "ENGAGEMENT_DEADLINE_NEAR"
ENGAGEMENT_DEADLINE_PASSED = "ENGAGEMENT_DEADLINE_PASSED"
ENGAGEMENT_STEP = "engagement"


class ReminderError(ValueError):
    """Invalid input to a reminder rule (message in French)."""


class DeadlineKind(StrEnum):
    ENGAGEMENT = "engagement"
    INDICATOR_REPORT = "releve_indicateurs"
    INTERIM_REPORT = "bilan_intermediaire"
    FINAL_REPORT = "bilan_final"
    ACTIONS_END = "fin_actions"
    FILING_CLOSE = "cloture_depot"
    COMPLEMENTS = "complements"
    AGREEMENT_UNSIGNED = "convention_non_signee"

    @property
    def label(self) -> str:
        return DEADLINE_KIND_LABELS[self]


DEADLINE_KIND_LABELS: dict[DeadlineKind, str] = {
    DeadlineKind.ENGAGEMENT: "Engagement des crédits",
    DeadlineKind.INDICATOR_REPORT: "Relevé des indicateurs d'impact",
    DeadlineKind.INTERIM_REPORT: "Bilan intermédiaire",
    DeadlineKind.FINAL_REPORT: "Bilan final et compte rendu financier",
    DeadlineKind.ACTIONS_END: "Fin des actions",
    DeadlineKind.FILING_CLOSE: "Clôture du dépôt des dossiers",
    DeadlineKind.COMPLEMENTS: "Transmission des compléments demandés",
    DeadlineKind.AGREEMENT_UNSIGNED: "Convention envoyée et toujours pas signée",
}


@dataclass(frozen=True)
class Deadline:
    kind: str
    object_id: str
    due: dt.date
    recipients: str
    label: str = ""

    def __post_init__(self) -> None:
        for name, value in (("kind", self.kind), ("object_id", self.object_id)):
            if not value or ":" in value:
                raise ReminderError(f"L'échéance doit avoir un « {name} » non vide et sans « : » (lu : {value!r}).")


@dataclass(frozen=True)
class Reminder:
    deadline: Deadline
    offset_days: int
    key: str

    @property
    def send_on(self) -> dt.date:
        return self.deadline.due - dt.timedelta(days=self.offset_days)

    def days_left(self, today: dt.date) -> int:
        return (self.deadline.due - today).days


def reminder_key(*, kind: str, object_id: str, due: dt.date, offset_days: int) -> str:
    return f"{kind}:{object_id}:{due.isoformat()}:{offset_days}"


def reminders_due(
    deadlines: Iterable[Deadline],
    *,
    today: dt.date,
    offsets: Sequence[int],
    already_sent: Collection[str] = frozenset(),
    alert_when_passed: bool = False,
) -> tuple[Reminder, ...]:
    """The reminders to send today, at most one per deadline, none whose key is in ``already_sent``.

    ``alert_when_passed``: the deadline is the day an alert becomes due (a convention unsigned 15 days after it was
    sent): a day missed by the worker does not cancel it, it is sent on the next run."""
    if not offsets:
        raise ReminderError("Aucun délai de rappel n'est défini (« agreements.reminder_offsets_days »).")
    sent = set(already_sent)
    due_now: list[Reminder] = []
    for deadline in deadlines:
        reached = [o for o in offsets if deadline.due - dt.timedelta(days=o) <= today]
        if not reached:
            continue
        offset = min(reached)  # the latest reached send date
        if offset >= 0 and today > deadline.due and not alert_when_passed:
            continue  # a reminder before a deadline that has passed is pointless
        key = reminder_key(kind=deadline.kind, object_id=deadline.object_id, due=deadline.due, offset_days=offset)
        if key in sent:
            continue
        sent.add(key)  # the same deadline passed twice yields one reminder
        due_now.append(Reminder(deadline=deadline, offset_days=offset, key=key))
    return tuple(sorted(due_now, key=lambda r: (r.deadline.due, r.deadline.kind, r.deadline.object_id)))


def agreement_deadlines(
    *,
    object_id: str,
    recipients: str,
    start: dt.date,
    end: dt.date,
    frequency: str,
    config: CallConfig,
) -> tuple[Deadline, ...]:
    """Every deadline of a convention's follow-up: indicator reports, interim and final reports, end of actions."""
    deadlines = [
        Deadline(DeadlineKind.INDICATOR_REPORT, object_id, p.due, recipients, f"Relevé des indicateurs n° {p.index}")
        for p in report_periods(frequency=frequency, start=start, end=end, config=config)
    ]
    interim = interim_report_due(start=start, end=end, config=config)
    if interim is not None:
        deadlines.append(
            Deadline(DeadlineKind.INTERIM_REPORT, object_id, interim, recipients, DeadlineKind.INTERIM_REPORT.label)
        )
    deadlines.append(Deadline(DeadlineKind.ACTIONS_END, object_id, end, recipients, DeadlineKind.ACTIONS_END.label))
    deadlines.append(
        Deadline(
            DeadlineKind.FINAL_REPORT,
            object_id,
            final_report_due(end=end, config=config),
            recipients,
            DeadlineKind.FINAL_REPORT.label,
        )
    )
    return tuple(sorted(deadlines, key=lambda d: (d.due, d.kind)))


# -- engagement of the credits (§1.7: by 30 November) ----------------------------------------------------------------
def engagement_deadline(config: CallConfig) -> dt.date | None:
    step = config.calendar_step(ENGAGEMENT_STEP)
    return None if step is None else step.end


def engagement_deadline_for(*, object_id: str, recipients: str, config: CallConfig) -> Deadline | None:
    due = engagement_deadline(config)
    if due is None:
        return None
    return Deadline(DeadlineKind.ENGAGEMENT, object_id, due, recipients, DeadlineKind.ENGAGEMENT.label)


def engagement_alert(
    *, has_commitment: bool, today: dt.date, config: CallConfig, label: str = "Ce projet retenu"
) -> list[Reason]:
    """An alert (not a refusal) when a retained project has no EJ and the engagement deadline is near or passed."""
    deadline = engagement_deadline(config)
    if has_commitment or deadline is None:
        return []
    section = config.section("agreements.engagement_alert_days") or config.section("calendar")
    days_left = (deadline - today).days
    if days_left < 0:
        return [
            Reason(
                ENGAGEMENT_DEADLINE_PASSED,
                f"{label} n'a pas d'engagement juridique (EJ) alors que les crédits devaient être engagés au plus "
                f"tard le {date_fr(deadline)}{cited(section)}.",
                blocking=False,
                section=section,
            )
        ]
    if days_left <= config.agreements.engagement_alert_days:
        when = "aujourd'hui" if days_left == 0 else f"dans {days_left} jour{'s' if days_left > 1 else ''}"
        return [
            Reason(
                ENGAGEMENT_DEADLINE_NEAR,
                f"{label} n'a pas encore d'engagement juridique (EJ) : les crédits doivent être engagés au plus tard "
                f"le {date_fr(deadline)}, {when}{cited(section)}.",
                blocking=False,
                section=section,
            )
        ]
    return []


# -- reminders the calendar implies before and after the committee (§1.7) --------------------------------------------
def filing_close_deadline(*, object_id: str, recipients: str, config: CallConfig) -> Deadline:
    """1.7: the close of filing, for an applicant whose dossier is still a draft (14, 7 and 1 days before)."""
    due = config.filing_closes_at.date()
    return Deadline(DeadlineKind.FILING_CLOSE, object_id, due, recipients, DeadlineKind.FILING_CLOSE.label)


def complements_deadline(*, object_id: str, recipients: str, due: dt.date) -> Deadline:
    """The date the instructor set for the complements asked of the applicant."""
    return Deadline(DeadlineKind.COMPLEMENTS, object_id, due, recipients, DeadlineKind.COMPLEMENTS.label)


def unsigned_agreement_alert(*, object_id: str, recipients: str, sent_on: dt.date, config: CallConfig) -> Deadline:
    """A convention sent for signature and not signed ``unsigned_alert_days`` later (call's YAML): the alert's day."""
    due = sent_on + dt.timedelta(days=config.agreements.unsigned_alert_days)
    return Deadline(DeadlineKind.AGREEMENT_UNSIGNED, object_id, due, recipients, DeadlineKind.AGREEMENT_UNSIGNED.label)
