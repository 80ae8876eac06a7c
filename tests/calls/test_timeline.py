"""The calendar of §1.7 against today: past, current, future steps and the « Aujourd'hui » marker."""

import datetime as dt

from pactes.calls.timeline import CURRENT, FUTURE, PAST, step_status, timeline
from pactes.rules.call_config import CalendarStep


def step(code, start, end):
    return CalendarStep(code=code, label=code, start=start, end=end)


STEPS = (
    step("lancement", dt.date(2024, 6, 18), dt.date(2024, 6, 18)),
    step("cloture", dt.date(2024, 9, 30), dt.date(2024, 9, 30)),
    step("instruction", dt.date(2024, 10, 1), dt.date(2024, 10, 10)),
    step("engagement", None, dt.date(2024, 11, 30)),
)


def test_a_step_is_current_while_today_is_within_it():
    assert step_status(STEPS[2], dt.date(2024, 10, 5)) == CURRENT
    assert step_status(STEPS[2], dt.date(2024, 10, 11)) == PAST
    assert step_status(STEPS[2], dt.date(2024, 9, 30)) == FUTURE


def test_a_deadline_without_start_is_future_until_it_passes():
    assert step_status(STEPS[3], dt.date(2024, 11, 30)) == CURRENT
    assert step_status(STEPS[3], dt.date(2024, 12, 1)) == PAST


def test_the_today_marker_goes_before_the_first_step_to_come():
    items = timeline(STEPS, dt.date(2024, 10, 5))
    assert [i.step.code if i.step else "aujourd'hui" for i in items] == [
        "lancement",
        "cloture",
        "instruction",
        "aujourd'hui",
        "engagement",
    ]
    assert [i.status for i in items if i.step] == [PAST, PAST, CURRENT, FUTURE]


def test_the_today_marker_is_last_when_every_step_is_past():
    items = timeline(STEPS, dt.date(2026, 1, 1))
    assert items[-1].is_today_marker
