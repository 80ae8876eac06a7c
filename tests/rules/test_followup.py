"""Follow-up of a convention: report periods and due dates, lateness, interim and final reports, variances."""

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pactes.rules.call_config import CallConfig
from pactes.rules.followup import (
    FollowupError,
    ReportFrequency,
    StatementLine,
    StatementSide,
    final_report_due,
    interim_report_due,
    line_variance,
    report_due_dates,
    report_periods,
    report_status,
    statement_problems,
    statement_totals,
)

DATA = Path(__file__).resolve().parents[2] / "pactes" / "calls" / "data"
TEXT = (DATA / "pts-occitanie-2024.yaml").read_text(encoding="utf-8")
CONFIG = CallConfig.from_yaml(TEXT)
D = Decimal
START = dt.date(2024, 12, 1)
END = dt.date(2025, 11, 30)
GRACE = dt.timedelta(days=15)


def _config(**changes: object) -> CallConfig:
    data = yaml.safe_load(TEXT)
    data["agreements"].update(changes)
    return CallConfig.from_dict(data)


# -- report periods ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frequency", "count"),
    [("mensuelle", 12), ("trimestrielle", 4), ("semestrielle", 2), ("annuelle", 1), ("ponctuelle", 1)],
)
def test_a_twelve_month_action_has_one_report_per_period_of_its_frequency(frequency, count):
    periods = report_periods(frequency=frequency, start=START, end=END, config=CONFIG)
    assert len(periods) == count
    assert periods[0].start == START and periods[-1].end == END
    assert [p.index for p in periods] == list(range(1, count + 1))


def test_quarterly_reports_are_due_fifteen_days_after_each_quarter():
    assert report_due_dates(frequency="trimestrielle", start=START, end=END, config=CONFIG) == (
        dt.date(2025, 3, 15),
        dt.date(2025, 6, 15),
        dt.date(2025, 9, 15),
        dt.date(2025, 12, 15),
    )


def test_the_last_period_ends_with_a_shorter_action():
    periods = report_periods(frequency="trimestrielle", start=START, end=dt.date(2025, 4, 15), config=CONFIG)
    assert [(p.start, p.end) for p in periods] == [
        (dt.date(2024, 12, 1), dt.date(2025, 2, 28)),
        (dt.date(2025, 3, 1), dt.date(2025, 4, 15)),
    ]


def test_a_one_off_report_is_due_after_the_end_of_the_action():
    assert report_due_dates(frequency="ponctuelle", start=START, end=END, config=CONFIG) == (END + GRACE,)


def test_grace_days_come_from_the_call():
    config = _config(indicator_report_grace_days=0)
    assert report_due_dates(frequency="annuelle", start=START, end=END, config=config) == (END,)


@given(
    start=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 1, 1)),
    length=st.integers(min_value=0, max_value=400),
    frequency=st.sampled_from(list(ReportFrequency)),
)
def test_periods_tile_the_action_without_gap_or_overlap(start, length, frequency):
    end = start + dt.timedelta(days=length)
    periods = report_periods(frequency=frequency, start=start, end=end, config=CONFIG)
    assert periods[0].start == start and periods[-1].end == end
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end + dt.timedelta(days=1)
    assert all(p.start <= p.end and p.due == p.end + GRACE for p in periods)


def test_unknown_frequency_or_inverted_dates_are_french_errors():
    with pytest.raises(FollowupError, match="Fréquence de suivi inconnue : « hebdomadaire »"):
        report_periods(frequency="hebdomadaire", start=START, end=END, config=CONFIG)
    with pytest.raises(FollowupError, match="précède son début"):
        report_periods(frequency="annuelle", start=END, end=START, config=CONFIG)


# -- interim and final reports ----------------------------------------------------------------------------------------
def test_interim_report_is_due_at_mid_term():
    assert interim_report_due(start=START, end=END, config=CONFIG) == dt.date(2025, 6, 1)
    assert interim_report_due(start=START, end=START + dt.timedelta(days=10), config=CONFIG) == dt.date(2024, 12, 6)


def test_no_interim_report_when_the_call_requires_none():
    config = _config(interim_report={"required": False})
    assert interim_report_due(start=START, end=END, config=config) is None


@pytest.mark.parametrize(
    ("end", "due"),
    [
        (dt.date(2025, 12, 31), dt.date(2026, 6, 30)),  # the DILA rule: six months after the end of the exercise
        (dt.date(2025, 11, 30), dt.date(2026, 5, 31)),  # end of month → end of month
        (dt.date(2025, 8, 31), dt.date(2026, 2, 28)),
        (dt.date(2025, 6, 15), dt.date(2025, 12, 15)),
    ],
)
def test_final_report_is_due_six_months_after_the_end_of_the_actions(end, due):
    assert final_report_due(end=end, config=CONFIG) == due


def test_final_report_delay_comes_from_the_call():
    assert final_report_due(end=dt.date(2025, 12, 31), config=_config(final_report_months_after_end=3)) == dt.date(
        2026, 3, 31
    )


# -- lateness -----------------------------------------------------------------------------------------------------------
def test_report_not_filed_after_its_due_date_is_late_by_the_days_elapsed():
    status = report_status(due=dt.date(2025, 3, 15), submitted_on=None, today=dt.date(2025, 3, 25), label="Le relevé")
    assert status.is_late and status.days_late == 10
    assert [r.code for r in status.reasons] == ["REPORT_LATE"]
    assert status.reasons[0].message == "Le relevé était attendu le 15 mars 2025 : 10 jours de retard."
    assert not status.reasons[0].blocking


@pytest.mark.parametrize(
    ("submitted_on", "today", "days_late"),
    [
        (None, dt.date(2025, 3, 15), 0),  # the due date itself is on time
        (None, dt.date(2025, 3, 16), 1),
        (dt.date(2025, 3, 10), dt.date(2025, 5, 1), 0),
        (dt.date(2025, 3, 15), dt.date(2025, 5, 1), 0),
        (dt.date(2025, 3, 18), dt.date(2025, 5, 1), 3),  # filed late stays flagged
    ],
)
def test_report_lateness_counts_calendar_days_after_the_due_date(submitted_on, today, days_late):
    status = report_status(due=dt.date(2025, 3, 15), submitted_on=submitted_on, today=today)
    assert status.days_late == days_late
    assert [r.code for r in status.reasons] == (["REPORT_LATE"] if days_late else [])


def test_filed_late_report_message_says_when_it_was_filed():
    status = report_status(due=dt.date(2025, 3, 15), submitted_on=dt.date(2025, 3, 16), today=dt.date(2025, 4, 1))
    assert (
        status.reasons[0].message == "Le rapport a été remis le 16 mars 2025, 1 jour après l'échéance du 15 mars 2025."
    )


# -- financial statement ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("planned", "actual", "explanation", "rate", "exceeds", "codes"),
    [
        ("10000", "11500", "", "0.1500", False, []),  # exactly 15 %: within the threshold
        ("10000", "11500.01", "", "0.1500", True, ["VARIANCE_UNEXPLAINED"]),
        ("10000", "8000", "", "-0.2000", True, ["VARIANCE_UNEXPLAINED"]),
        ("10000", "8000", "Un poste non pourvu pendant deux mois.", "-0.2000", True, []),
        ("0", "500", "", None, True, ["VARIANCE_UNEXPLAINED"]),  # unplanned spending
        ("0", "0", "", None, False, []),
    ],
)
def test_a_line_beyond_the_variance_threshold_needs_an_explanation(planned, actual, explanation, rate, exceeds, codes):
    variance = line_variance(StatementLine("Salaires", D(planned), D(actual), explanation=explanation), config=CONFIG)
    assert variance.amount == D(actual) - D(planned)
    assert variance.rate == (None if rate is None else D(rate))
    assert variance.exceeds_threshold is exceeds
    assert [r.code for r in variance.reasons] == codes


def test_variance_message_gives_amount_rate_and_threshold():
    line = StatementLine("Salaires", D("10000"), D("12000"))
    message = statement_problems([line], config=CONFIG)[0].message
    assert message == (
        "Ligne « Salaires » : écart de +2\u202f000\u00a0€ (+20\u00a0%) entre le prévu (10\u202f000\u00a0€) et le "
        "réalisé (12\u202f000\u00a0€), au-delà du seuil de 15\u00a0% : expliquez cet écart."
    )


def test_variance_threshold_comes_from_the_call():
    line = StatementLine("Salaires", D("10000"), D("12000"))
    assert statement_problems([line], config=_config(variance_threshold="0.25")) == []


def test_statement_totals_split_expenses_and_resources():
    lines = [
        StatementLine("Salaires", D("30000"), D("28000")),
        StatementLine("Locations", D("10000"), D("11000")),
        StatementLine("Subvention PTS", D("20000"), D("20000"), StatementSide.RESOURCE),
        StatementLine("Conseil départemental", D("20000"), D("18000"), StatementSide.RESOURCE),
    ]
    totals = statement_totals(lines)
    assert (totals.planned_expenses, totals.actual_expenses) == (D("40000"), D("39000"))
    assert (totals.planned_resources, totals.actual_resources) == (D("40000"), D("38000"))
    assert totals.actual_balance == D("-1000")


def test_negative_statement_amount_is_a_french_error():
    with pytest.raises(ValueError, match="ne peut pas être négatif"):
        StatementLine("Salaires", D("-1"), D("0"))
