"""Dates of §1.3.1, §1.4 and §1.7: action window, plan length (12 months), filing deadline in Europe/Paris."""

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pactes.rules.calendar import (
    ACTION_DATES_INVERTED,
    ACTION_ENDS_TOO_LATE,
    ACTION_STARTS_TOO_LATE,
    DEADLINE_PASSED,
    PLAN_TOO_LONG,
    action_window_problems,
    add_months,
    date_fr,
    deadline_problems,
    next_deadline,
    period_end,
    plan_duration_problems,
)
from pactes.rules.call_config import CallConfig

CONFIG = CallConfig.from_yaml(
    (Path(__file__).resolve().parents[2] / "pactes/calls/data/pts-occitanie-2024.yaml").read_text()
)
PARIS = ZoneInfo("Europe/Paris")
D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2024, 12, 1), 12, D(2025, 11, 30)),
        (D(2024, 1, 31), 12, D(2025, 1, 30)),
        (D(2024, 1, 1), 12, D(2024, 12, 31)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 3, 31), 1, D(2024, 4, 30)),
        (D(2024, 1, 30), 1, D(2024, 2, 29)),
        (D(2024, 10, 15), 3, D(2025, 1, 14)),
    ],
)
def test_period_end_is_the_last_day_of_the_period(start: dt.date, months: int, expected: dt.date) -> None:
    assert period_end(start, months) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(D(2024, 1, 31), 1, D(2024, 2, 29)), (D(2023, 1, 31), 1, D(2023, 2, 28)), (D(2024, 11, 30), 2, D(2025, 1, 30))],
)
def test_add_months_clamps_to_the_end_of_a_shorter_month(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 1, 1)), st.integers(min_value=1, max_value=36))
def test_period_end_never_reaches_the_next_anniversary(start: dt.date, months: int) -> None:
    end = period_end(start, months)
    assert start <= end
    assert add_months(start, months) >= end
    assert (end - start).days < months * 31


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        ([(D(2024, 12, 1), D(2025, 11, 30))], []),
        ([(D(2024, 12, 1), D(2025, 12, 1))], [PLAN_TOO_LONG]),
        ([(D(2024, 11, 1), D(2025, 3, 1)), (D(2024, 12, 1), D(2025, 10, 31))], []),
        ([(D(2024, 11, 1), D(2025, 3, 1)), (D(2024, 12, 1), D(2025, 11, 1))], [PLAN_TOO_LONG]),
        ([], []),
    ],
)
def test_plan_must_fit_in_12_months_from_first_start_to_last_end(
    periods: list[tuple[dt.date, dt.date]], expected: list[str]
) -> None:
    assert [r.code for r in plan_duration_problems(periods, CONFIG)] == expected


def test_plan_too_long_message_names_the_dates_and_the_limit() -> None:
    (reason,) = plan_duration_problems([(D(2024, 12, 1), D(2025, 12, 1))], CONFIG)
    assert reason.message == (
        "Le plan d'actions s'étend du 1er décembre 2024 au 1er décembre 2025 : il doit tenir en 12 mois et donc se "
        "terminer au plus tard le 30 novembre 2025 (§1.3.1)."
    )
    assert reason.section == CONFIG.section("action_plan.max_duration")


def test_plan_length_follows_the_config() -> None:
    six_months = dataclasses.replace(CONFIG, max_duration_months=6)
    assert [r.code for r in plan_duration_problems([(D(2024, 12, 1), D(2025, 6, 1))], six_months)] == [PLAN_TOO_LONG]
    assert plan_duration_problems([(D(2024, 12, 1), D(2025, 5, 31))], six_months) == []


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2024, 12, 1), D(2025, 11, 30), []),
        (D(2024, 12, 2), D(2025, 6, 30), [ACTION_STARTS_TOO_LATE]),
        (D(2025, 3, 1), D(2025, 12, 31), [ACTION_STARTS_TOO_LATE]),
        (D(2024, 11, 1), D(2026, 1, 1), [ACTION_ENDS_TOO_LATE]),
        (D(2024, 11, 1), D(2024, 10, 1), [ACTION_DATES_INVERTED]),
        (D(2025, 1, 10), D(2026, 1, 5), [ACTION_STARTS_TOO_LATE, ACTION_ENDS_TOO_LATE]),
    ],
)
def test_action_window_of_the_call(start: dt.date, end: dt.date, expected: list[str]) -> None:
    assert [r.code for r in action_window_problems(start=start, end=end, config=CONFIG)] == expected


def test_action_starting_too_late_is_named_in_the_message() -> None:
    (reason,) = action_window_problems(
        start=D(2024, 12, 2), end=D(2025, 6, 30), config=CONFIG, label="Action 2 « Épicerie solidaire »"
    )
    assert reason.message == (
        "Action 2 « Épicerie solidaire » : elle démarre le 2 décembre 2024, après la date limite de démarrage du "
        "1er décembre 2024 (§1.4)."
    )


@pytest.mark.parametrize(
    ("now", "passed"),
    [
        (dt.datetime(2024, 9, 30, 23, 59, 59, tzinfo=PARIS), False),
        (dt.datetime(2024, 10, 1, 0, 0, 0, tzinfo=PARIS), True),
        (dt.datetime(2024, 9, 30, 21, 59, 59, tzinfo=dt.UTC), False),  # 23:59:59 in Paris (summer time)
        (dt.datetime(2024, 9, 30, 22, 0, 0, tzinfo=dt.UTC), True),  # 00:00:00 on 1 October in Paris
        (dt.datetime(2024, 7, 1, 12, 0, tzinfo=PARIS), False),
    ],
)
def test_filing_deadline_is_30_september_23_59_59_in_paris(now: dt.datetime, passed: bool) -> None:
    assert [r.code for r in deadline_problems(now, CONFIG)] == ([DEADLINE_PASSED] if passed else [])


def test_deadline_message_gives_the_closing_time_in_paris() -> None:
    (reason,) = deadline_problems(dt.datetime(2024, 10, 1, tzinfo=PARIS), CONFIG)
    assert "30 septembre 2024 à 23 h 59 (heure de Paris)" in reason.message
    assert reason.section == CONFIG.section("filing")


def test_deadline_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="fuseau"):
        deadline_problems(dt.datetime(2024, 9, 30, 12, 0), CONFIG)


def test_demo_offset_moves_the_deadline_with_the_call() -> None:
    text = (Path(__file__).resolve().parents[2] / "pactes/calls/data/pts-occitanie-2024.yaml").read_text()
    shifted = CallConfig.from_yaml(text, date_offset_days=10)
    assert deadline_problems(dt.datetime(2024, 10, 10, 23, 59, 59, tzinfo=PARIS), shifted) == []
    assert [r.code for r in deadline_problems(dt.datetime(2024, 10, 11, tzinfo=PARIS), shifted)] == [DEADLINE_PASSED]


@pytest.mark.parametrize(
    ("today", "code", "days_left"),
    [
        (D(2024, 6, 1), "lancement", 17),
        (D(2024, 9, 1), "cloture_depot", 29),
        (D(2024, 9, 30), "cloture_depot", 0),
        (D(2024, 10, 1), "instruction", 9),
        (D(2024, 11, 29), "engagement", 1),
        (D(2025, 6, 1), "fin_actions", 213),
    ],
)
def test_next_deadline_is_the_next_step_of_the_calendar(today: dt.date, code: str, days_left: int) -> None:
    upcoming = next_deadline(CONFIG, today)
    assert upcoming is not None
    assert (upcoming.step.code, upcoming.days_left) == (code, days_left)


def test_next_deadline_is_none_once_the_calendar_is_over() -> None:
    assert next_deadline(CONFIG, D(2026, 1, 1)) is None


def test_date_fr_writes_the_first_of_the_month_as_1er() -> None:
    assert date_fr(D(2024, 12, 1)) == "1er décembre 2024"
    assert date_fr(D(2025, 8, 15)) == "15 août 2025"
