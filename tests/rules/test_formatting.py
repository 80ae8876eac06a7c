"""The one French way of writing dates, times, moments, years, amounts and rates (``pactes.rules.formatting``)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pactes.rules import formatting
from pactes.rules.formatting import (
    NARROW_NBSP,
    NBSP,
    date_fr,
    date_short,
    datetime_fr,
    euros,
    number,
    percent,
    time_fr,
    year,
)

D = dt.date
UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (D(2024, 12, 1), "1er décembre 2024"),
        (D(2026, 12, 4), "4 décembre 2026"),
        (D(2025, 8, 15), "15 août 2025"),
        (D(2026, 2, 1), "1er février 2026"),
        (D(2025, 12, 31), "31 décembre 2025"),
    ],
)
def test_date_fr_writes_the_day_the_month_in_full_and_1er_for_the_first(day, text):
    assert date_fr(day) == text


def test_date_short_is_the_compact_form_of_tables_never_an_abbreviated_month():
    assert date_short(D(2026, 12, 4)) == "04/12/2026"
    assert date_short(D(2024, 9, 27)) == "27/09/2024"


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (dt.time(4, 12), "4 h 12"),
        (dt.time(23, 59), "23 h 59"),
        (dt.time(0, 5), "0 h 05"),
        (dt.time(12, 0), "12 h 00"),
    ],
)
def test_time_fr_writes_hours_without_leading_zero(moment, text):
    assert time_fr(moment) == text


def test_datetime_fr_reads_an_aware_moment_on_the_paris_wall_clock():
    # 4 December 2026, 3:12 UTC is 4:12 in Paris (winter time, UTC+1).
    assert datetime_fr(dt.datetime(2026, 12, 4, 3, 12, tzinfo=UTC)) == "4 décembre 2026 à 4 h 12"
    # 30 September 2024, 21:59 UTC is 23:59 in Paris (summer time, UTC+2).
    assert datetime_fr(dt.datetime(2024, 9, 30, 21, 59, tzinfo=UTC)) == "30 septembre 2024 à 23 h 59"
    # 30 November 2024, 23:30 UTC is already the 1st of December in Paris.
    assert datetime_fr(dt.datetime(2024, 11, 30, 23, 30, tzinfo=UTC)) == "1er décembre 2024 à 0 h 30"


def test_a_date_of_a_moment_is_the_paris_day_and_a_naive_moment_is_taken_as_local():
    late = dt.datetime(2024, 11, 30, 23, 30, tzinfo=UTC)
    assert date_fr(late) == "1er décembre 2024"
    assert date_short(late) == "01/12/2024"
    assert time_fr(late) == "0 h 30"
    assert datetime_fr(dt.datetime(2026, 12, 4, 4, 12)) == "4 décembre 2026 à 4 h 12"
    assert datetime_fr(late, ZoneInfo("UTC")) == "30 novembre 2024 à 23 h 30"


def test_a_year_has_no_thousands_separator():
    assert year(2026) == "2026"
    assert year(D(2019, 1, 1)) == "2019"


def test_amounts_rates_and_numbers_are_written_by_the_same_module():
    assert euros(Decimal("62000")) == f"62{NARROW_NBSP}000{NBSP}€"
    assert euros(Decimal("61999.99")) == f"61{NARROW_NBSP}999,99{NBSP}€"
    assert euros(Decimal("62000.00")) == f"62{NARROW_NBSP}000{NBSP}€"  # cents only when there are some
    assert percent(Decimal("0.4999")) == f"49,99{NBSP}%"
    assert percent(Decimal("0.49999")) == f"49,99{NBSP}%"  # truncated, never rounded up to the threshold
    assert percent(Decimal("0.5")) == f"50{NBSP}%"
    assert number(Decimal("2.5")) == "2,50"
    assert number(1234) == f"1{NARROW_NBSP}234"


def test_the_calendar_rules_write_dates_with_the_formatting_module():
    from pactes.rules import calendar

    assert calendar.date_fr is formatting.date_fr


def test_a_balance_under_a_ceiling_reads_as_an_overrun_when_negative():
    assert formatting.balance(Decimal("12000")) == f"12{NARROW_NBSP}000{NBSP}€"
    assert formatting.balance(Decimal("-50000")) == f"dépassement de 50{NARROW_NBSP}000{NBSP}€"
    assert formatting.balance(Decimal("0")) == f"0{NBSP}€"
