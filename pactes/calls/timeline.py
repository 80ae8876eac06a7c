"""The calendar of a call (« 1.7 CALENDRIER PREVISIONNEL ») placed against today: past, current and future steps,
and where the « Aujourd'hui » marker goes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pactes.rules.call_config import CalendarStep

PAST = "past"
CURRENT = "current"
FUTURE = "future"


@dataclass(frozen=True)
class TimelineItem:
    step: CalendarStep | None  # None for the « Aujourd'hui » marker
    status: str
    date: dt.date

    @property
    def is_today_marker(self) -> bool:
        return self.step is None


def step_status(step: CalendarStep, today: dt.date) -> str:
    # A step with only a start (« à compter du ») lasts one day on the timeline; one with only an end is a deadline.
    start = step.start or step.end
    end = step.end or step.start
    if start is None or end is None:
        return FUTURE
    if end < today:
        return PAST
    if start <= today:
        return CURRENT
    return FUTURE


def timeline(steps: tuple[CalendarStep, ...], today: dt.date) -> list[TimelineItem]:
    """The steps in the call's order, with the marker before the first step still to come."""
    items = [TimelineItem(step=s, status=step_status(s, today), date=(s.start or s.end or today)) for s in steps]
    marker = TimelineItem(step=None, status=CURRENT, date=today)
    position = next((i for i, item in enumerate(items) if item.status == FUTURE), len(items))
    items.insert(position, marker)
    return items
