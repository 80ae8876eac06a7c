"""Reminder e-mails before every open deadline, idempotent: each key of ``pactes.rules.reminders`` is sent once.

Open deadlines, computed on a day: the engagement deadline of the call (§1.7, 30 November) for every retained dossier
whose convention has no EJ yet (to the DDETS-PP of its département); for every convention in force, its indicator
reports not yet covered by a measured value, its interim and final reports not yet submitted, and the end of its
actions (to the applicants). ``reminders_send_due`` stores each key before sending (a UNIQUE column): the e-mails
leave once the keys are committed, and a second run the same day finds every key already sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Prefetch

from pactes.dossiers.models import Action, Dossier, ImpactMeasure
from pactes.followup.calendar_reminders import (
    APPLICANTS,
    INSTRUCTORS,
    complements_deadlines,
    filing_deadlines,
    person,
    recipient_users,
    unsigned_agreement_deadlines,
)
from pactes.followup.models import IndicatorMeasurement, ReminderSent, Report
from pactes.followup.notifications import reminder_notify
from pactes.followup.selectors import SUBMITTED_STATES, action_window, frequency_of
from pactes.rules.agreement import AgreementState
from pactes.rules.followup import REPORT_FREQUENCY_MONTHS, ReportFrequency, period_measured, report_periods
from pactes.rules.lifecycle import DossierState
from pactes.rules.reminders import (
    Deadline,
    DeadlineKind,
    Reminder,
    agreement_deadlines,
    engagement_deadline_for,
    reminders_due,
)
from pactes.rules.report_lifecycle import ReportKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueReminder:
    reminder: Reminder
    dossier: Dossier

    @property
    def key(self) -> str:
        return self.reminder.key


def _shortest_frequency(measures: Iterable[ImpactMeasure]) -> ReportFrequency:
    """The most frequent reporting declared among the dossier's indicators (quarterly when none is declared)."""
    frequencies = [frequency_of(m.frequency) for m in measures]
    if not frequencies:
        return ReportFrequency.QUARTERLY
    return min(frequencies, key=lambda f: REPORT_FREQUENCY_MONTHS[f] or 10_000)


def _dossiers() -> list[Dossier]:
    return list(
        Dossier.objects.filter(state=DossierState.RETAINED.value)
        .select_related("call", "departement", "agreement")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.prefetch_related(
                    Prefetch(
                        "impact_measures",
                        queryset=ImpactMeasure.objects.prefetch_related(
                            Prefetch(
                                "measurements", queryset=IndicatorMeasurement.objects.only("measure_id", "measured_on")
                            )
                        ),
                    )
                ),
            ),
            Prefetch("followup_reports", queryset=Report.objects.only("dossier_id", "kind", "state")),
        )
        .order_by("reference")
    )


def _open_agreement_deadlines(dossier: Dossier) -> list[Deadline]:
    config = dossier.call.rules
    actions = list(dossier.actions.all())
    start, end = action_window(actions)
    if start is None or end is None or end < start:
        return []
    measures = [m for a in actions for m in a.impact_measures.all()]
    frequency = _shortest_frequency(measures)
    deadlines = agreement_deadlines(
        object_id=dossier.reference,
        recipients=f"{APPLICANTS}:{dossier.pk}",
        start=start,
        end=end,
        frequency=frequency.value,
        config=config,
    )
    all_periods = report_periods(frequency=frequency.value, start=start, end=end, config=config)
    periods = {p.due: p for p in all_periods}
    submitted = {r.kind for r in dossier.followup_reports.all() if r.state in SUBMITTED_STATES}
    dates = [m.measured_on for measure in measures for m in measure.measurements.all()]
    open_ones: list[Deadline] = []
    for deadline in deadlines:
        if deadline.kind == DeadlineKind.INDICATOR_REPORT:
            period = periods.get(deadline.due)
            if period is not None and measures and any(period_measured(d, all_periods) == period for d in dates):
                continue
        if deadline.kind == DeadlineKind.INTERIM_REPORT and ReportKind.INTERIM.value in submitted:
            continue
        if deadline.kind == DeadlineKind.FINAL_REPORT and ReportKind.FINAL.value in submitted:
            continue
        open_ones.append(deadline)
    return open_ones


def open_deadlines(today: dt.date | None = None) -> list[tuple[Deadline, Dossier]]:
    """Every open deadline, with its dossier: those of the retained dossiers, and (given ``today``) the close of
    filing for the drafts, the complements awaited and the conventions sent but unsigned."""
    found: list[tuple[Deadline, Dossier]] = []
    if today is not None:
        found += filing_deadlines(today) + complements_deadlines() + unsigned_agreement_deadlines()
    for dossier in _dossiers():
        agreement = getattr(dossier, "agreement", None)
        if agreement is None or not agreement.has_commitment:
            deadline = engagement_deadline_for(
                object_id=dossier.reference,
                recipients=f"{INSTRUCTORS}:{dossier.departement_id}",
                config=dossier.call.rules,
            )
            if deadline is not None:
                found.append((deadline, dossier))
        if agreement is not None and agreement.state == AgreementState.SIGNED.value:
            found += [(d, dossier) for d in _open_agreement_deadlines(dossier)]
    return found


def reminders_pending(*, today: dt.date) -> tuple[list[DueReminder], list[ReminderSent]]:
    """What is due today and not sent yet, and what was already sent for the deadlines still open."""
    pairs = open_deadlines(today)
    by_deadline = {(d.kind, d.object_id, d.due): dossier for d, dossier in pairs}
    sent = set(ReminderSent.objects.values_list("key", flat=True))
    due: list[DueReminder] = []
    offsets_by_call: dict[int, list[tuple[Deadline, Dossier]]] = {}
    for deadline, dossier in pairs:
        offsets_by_call.setdefault(dossier.call_id, []).append((deadline, dossier))
    for group in offsets_by_call.values():
        config = group[0][1].call.rules
        before = [d for d, _ in group if d.kind != DeadlineKind.AGREEMENT_UNSIGNED]
        alerts = [d for d, _ in group if d.kind == DeadlineKind.AGREEMENT_UNSIGNED]
        found = reminders_due(before, today=today, offsets=config.agreements.reminder_offsets_days, already_sent=sent)
        found += reminders_due(alerts, today=today, offsets=(0,), already_sent=sent, alert_when_passed=True)
        for reminder in found:
            d = reminder.deadline
            due.append(DueReminder(reminder=reminder, dossier=by_deadline[(d.kind, d.object_id, d.due)]))
    due.sort(key=lambda r: (r.reminder.deadline.due, r.reminder.deadline.kind, r.reminder.deadline.object_id))
    open_keys = {f"{d.kind}:{d.object_id}:{d.due.isoformat()}:" for d, _ in pairs}
    already = [
        r for r in ReminderSent.objects.order_by("-sent_on", "key") if r.key.rsplit(":", 1)[0] + ":" in open_keys
    ]
    return due, already


def recipients_of(key: str, dossier: Dossier) -> list[str]:
    """The e-mail addresses behind a recipients key (``porteur:<dossier>``, ``ddets:<département>``…)."""
    return [u.email.lower() for u in recipient_users(key, dossier)]


def recipient_names(key: str, dossier: Dossier) -> str:
    """Who receives a reminder, by name: « Camille Roux <porteur.ariege@demo.test>, … » (« aucun destinataire »)."""
    return ", ".join(person(u) for u in recipient_users(key, dossier)) or "aucun destinataire"


def reminders_send_due(*, today: dt.date) -> list[ReminderSent]:
    """Records then e-mails every reminder due ``today`` whose key was never sent; returns the keys recorded."""
    due, _ = reminders_pending(today=today)
    recorded: list[ReminderSent] = []
    with transaction.atomic():
        for item in due:
            reminder, dossier = item.reminder, item.dossier
            deadline = reminder.deadline
            recipients = recipients_of(deadline.recipients, dossier)
            names = recipient_names(deadline.recipients, dossier)
            try:
                with transaction.atomic():
                    row = ReminderSent.objects.create(
                        key=reminder.key,
                        kind=deadline.kind,
                        object_id=deadline.object_id,
                        due=deadline.due,
                        offset_days=reminder.offset_days,
                        recipients=names if recipients else "",
                        sent_on=today,
                    )
            except IntegrityError:
                continue  # another worker recorded it first: it sends it
            recorded.append(row)
            if not recipients:
                logger.warning("Rappel %s : aucun destinataire.", reminder.key)
                continue
            rules = dossier.call.rules
            label = deadline.label or DeadlineKind(deadline.kind).label
            reminder_notify(
                key=reminder.key,
                dossier=dossier,
                recipients=recipients,
                label=label,
                due=deadline.due,
                context={
                    "deadline": deadline,
                    "days_left": reminder.days_left(today),
                    "rules": rules,
                    "for_instructors": deadline.recipients.startswith(f"{INSTRUCTORS}:"),
                    "agreement": getattr(dossier, "agreement", None)
                    if deadline.kind == DeadlineKind.AGREEMENT_UNSIGNED
                    else None,
                },
            )
    return recorded
