"""Dates of the call: the filing deadline (§1.7), the window of each action and the length of the plan (§1.3.1, §1.4).

No Django here; times are aware and compared in the call's time zone (Europe/Paris). Words:
- *period end*: the last day of a period of N months starting on a day: 2024-12-01 + 12 months → 2025-11-30,
  2024-01-31 + 12 months → 2025-01-30; when the anniversary day does not exist (29 February), the period ends on the
  last day of the month before the one it would roll into (2024-02-29 + 12 months → 2025-02-28).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pactes.rules.call_config import CalendarStep, CallConfig
from pactes.rules.formatting import date_fr, datetime_fr
from pactes.rules.money import cited
from pactes.rules.verdict import Reason

ACTION_STARTS_TOO_LATE = "ACTION_STARTS_TOO_LATE"
ACTION_ENDS_TOO_LATE = "ACTION_ENDS_TOO_LATE"
ACTION_DATES_INVERTED = "ACTION_DATES_INVERTED"
PLAN_TOO_LONG = "PLAN_TOO_LONG"
DEADLINE_PASSED = "DEADLINE_PASSED"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the end of a shorter month (2024-01-31 + 1 → 2024-02-29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def period_end(start: dt.date, months: int) -> dt.date:
    """The last day of a period of ``months`` months that starts on ``start`` (see the module docstring)."""
    anniversary = add_months(start, months)
    if anniversary.day == start.day:
        return anniversary - dt.timedelta(days=1)
    return anniversary  # the anniversary day does not exist: the period ends on the last day of that month


def action_window_problems(
    *, start: dt.date, end: dt.date, config: CallConfig, label: str = "L'action"
) -> list[Reason]:
    # 1.4 FINANCEMENT: start on 1 December 2024 at the latest, end on 31 December 2025 at the latest.
    reasons: list[Reason] = []
    if end < start:
        section = config.section("action_plan.max_duration")
        reasons.append(
            Reason(
                ACTION_DATES_INVERTED,
                f"{label} : la date de fin ({date_fr(end)}) précède la date de début ({date_fr(start)}).",
                section=section,
            )
        )
    if start > config.latest_start:
        section = config.section("action_plan.latest_start")
        reasons.append(
            Reason(
                ACTION_STARTS_TOO_LATE,
                f"{label} : elle démarre le {date_fr(start)}, après la date limite de démarrage du "
                f"{date_fr(config.latest_start)}{cited(section)}.",
                section=section,
            )
        )
    if end > config.latest_end:
        section = config.section("action_plan.latest_end")
        reasons.append(
            Reason(
                ACTION_ENDS_TOO_LATE,
                f"{label} : elle se termine le {date_fr(end)}, après la date limite de fin du "
                f"{date_fr(config.latest_end)}{cited(section)}.",
                section=section,
            )
        )
    return reasons


def plan_duration_problems(periods: Sequence[tuple[dt.date, dt.date]], config: CallConfig) -> list[Reason]:
    # 1.3.1: a calendar of 12 months at most, from the first action's start to the last action's end.
    if not periods:
        return []
    first_start = min(start for start, _ in periods)
    last_end = max(end for _, end in periods)
    limit = period_end(first_start, config.max_duration_months)
    if last_end <= limit:
        return []
    section = config.section("action_plan.max_duration")
    return [
        Reason(
            PLAN_TOO_LONG,
            f"Le plan d'actions s'étend du {date_fr(first_start)} au {date_fr(last_end)} : il doit tenir en "
            f"{config.max_duration_months} mois et donc se terminer au plus tard le {date_fr(limit)}{cited(section)}.",
            section=section,
        )
    ]


def deadline_problems(now: dt.datetime, config: CallConfig) -> list[Reason]:
    # 1.7 CALENDRIER PREVISIONNEL: filing closes on 30 September 2024 (23:59:59, Europe/Paris, inclusive).
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("L'heure de dépôt doit porter son fuseau horaire (heure de Paris).")
    if now <= config.filing_closes_at:
        return []
    closes = config.filing_closes_at.astimezone(config.timezone)
    section = config.section("filing")
    return [
        Reason(
            DEADLINE_PASSED,
            f"Le dépôt des dossiers est clos depuis le {datetime_fr(closes)} (heure de Paris){cited(section)}.",
            section=section,
        )
    ]


@dataclass(frozen=True)
class UpcomingStep:
    step: CalendarStep
    on: dt.date  # the step's end, or its start when it has no end
    days_left: int


def next_deadline(config: CallConfig, today: dt.date) -> UpcomingStep | None:
    """The next step of the call's calendar (§1.7) whose date is today or later; None when the calendar is over."""
    upcoming: list[UpcomingStep] = []
    for step in config.calendar:
        on = step.end or step.start
        if on is not None and on >= today:
            upcoming.append(UpcomingStep(step=step, on=on, days_left=(on - today).days))
    return min(upcoming, key=lambda u: u.on, default=None)
