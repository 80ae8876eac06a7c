"""Measured values of the impact indicators and progress notes, by the applicants; lateness of the reports."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from pactes.dossiers.models import ImpactMeasure
from pactes.followup.models import IndicatorMeasurement
from pactes.followup.selectors import dossier_followup, frequency_of
from pactes.followup.services import FollowupRefused, measurement_record, progress_record
from pactes.rules.call_config import CallConfig
from pactes.rules.followup import ReportFrequency, period_measured, report_periods

pytestmark = pytest.mark.django_db


def first_measure(dossier) -> ImpactMeasure:
    return ImpactMeasure.objects.filter(action__dossier=dossier).select_related("action").order_by("pk").first()


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("trimestrielle", ReportFrequency.QUARTERLY),
        ("Mensuelle", ReportFrequency.MONTHLY),
        ("tous les mois", ReportFrequency.MONTHLY),
        ("semestriel", ReportFrequency.HALF_YEARLY),
        ("annuelle", ReportFrequency.YEARLY),
        ("en fin d'action", ReportFrequency.ONE_OFF),
        ("", ReportFrequency.QUARTERLY),
        ("selon les besoins", ReportFrequency.QUARTERLY),
    ],
)
def test_declared_frequency_is_read_into_a_report_frequency_quarterly_by_default(declared, expected):
    assert frequency_of(declared) == expected


def test_applicant_records_a_measured_value_with_date_and_comment(retained_dossier, accounts):
    measure = first_measure(retained_dossier["09"])
    recorded = measurement_record(
        measure=measure,
        value=Decimal("7"),
        measured_on=measure.action.start + dt.timedelta(days=30),
        comment="Sept familles en emploi.",
        by=accounts["porteur.ariege"],
    )
    assert recorded.value == Decimal("7") and recorded.comment == "Sept familles en emploi."
    assert list(measure.measurements.values_list("value", flat=True)) == [Decimal("7.00")]


def test_another_applicant_cannot_report_on_the_dossier(retained_dossier, accounts):
    measure = first_measure(retained_dossier["09"])
    with pytest.raises(FollowupRefused) as refused:
        measurement_record(
            measure=measure, value=Decimal("1"), measured_on=measure.action.start, by=accounts["porteur.aude"]
        )
    assert [r.code for r in refused.value.reasons] == ["FOLLOWUP_NOT_ALLOWED"]
    assert not IndicatorMeasurement.objects.exists()


def test_the_instructor_does_not_enter_the_applicants_values(retained_dossier, accounts):
    measure = first_measure(retained_dossier["09"])
    with pytest.raises(FollowupRefused):
        measurement_record(
            measure=measure, value=Decimal("1"), measured_on=measure.action.start, by=accounts["instructeur.09"]
        )


def test_a_measure_dated_before_the_action_or_in_the_future_is_refused(retained_dossier, accounts):
    measure = first_measure(retained_dossier["09"])
    for day in (measure.action.start - dt.timedelta(days=1), timezone.localdate() + dt.timedelta(days=2)):
        with pytest.raises(FollowupRefused) as refused:
            measurement_record(measure=measure, value=Decimal("1"), measured_on=day, by=accounts["porteur.ariege"])
        assert refused.value.reasons[0].code == "MEASUREMENT_INVALID"


def test_progress_note_records_text_and_percent_and_refuses_over_100(retained_dossier, accounts):
    action = first_measure(retained_dossier["09"]).action
    note = progress_record(
        action=action,
        percent_done=40,
        text="Recrutement fait.",
        reported_on=action.start,
        by=accounts["porteur.ariege"],
    )
    assert note.percent_done == 40
    with pytest.raises(FollowupRefused) as refused:
        progress_record(
            action=action, percent_done=140, text="x", reported_on=action.start, by=accounts["porteur.ariege"]
        )
    assert refused.value.reasons[0].code == "PROGRESS_INVALID"


def test_an_indicator_period_without_value_after_its_due_date_is_flagged_late(retained_dossier):
    dossier = retained_dossier["09"]
    measure = first_measure(dossier)
    followup = dossier_followup(dossier=dossier, today=measure.action.start + dt.timedelta(days=120))
    row = followup.actions[0].measures[0]
    first = row.periods[0]
    assert first.is_late and first.status.days_late == 120 - (first.period.due - measure.action.start).days
    assert "REPORT_LATE" in [r.code for r in followup.late_reasons]
    assert row.late_count == 1


def test_a_value_entered_before_the_due_date_clears_the_period(retained_dossier, accounts):
    dossier = retained_dossier["09"]
    measure = first_measure(dossier)
    followup_before = dossier_followup(dossier=dossier, today=measure.action.start + dt.timedelta(days=120))
    period = followup_before.actions[0].measures[0].periods[0]
    entered = dt.datetime.combine(period.period.due - dt.timedelta(days=3), dt.time(10), tzinfo=dt.UTC)
    recorded = measurement_record(
        measure=measure,
        value=Decimal("4"),
        measured_on=measure.action.start,
        by=accounts["porteur.ariege"],
        at=entered,  # entered on time, recorded afterwards
    )
    assert recorded.entered_at == entered
    followup = dossier_followup(dossier=dossier, today=measure.action.start + dt.timedelta(days=120))
    first = followup.actions[0].measures[0].periods[0]
    assert first.measurements and not first.is_late
    assert followup.actions[0].measures[0].chart is not None


def test_the_final_report_is_late_after_its_due_date(retained_dossier):
    dossier = retained_dossier["09"]
    followup = dossier_followup(dossier=dossier)
    end = followup.end
    final = next(r for r in followup.reports if r.kind.value == "final")
    assert final.due > end
    later = dossier_followup(dossier=dossier, today=final.due + dt.timedelta(days=10))
    final_later = next(r for r in later.reports if r.kind.value == "final")
    assert final_later.status.is_late and final_later.status.days_late == 10


def test_a_measure_entered_in_the_future_is_refused_and_nothing_is_saved(retained_dossier, accounts):
    measure = first_measure(retained_dossier["09"])
    with pytest.raises(FollowupRefused, match="avenir"):
        measurement_record(
            measure=measure,
            value=Decimal("4"),
            measured_on=measure.action.start,
            by=accounts["porteur.ariege"],
            at=timezone.now() + dt.timedelta(days=1),
        )
    assert not IndicatorMeasurement.objects.filter(measure=measure).exists()


def test_a_settled_dossier_owes_no_more_reports_only_the_late_ones_stay_flagged(retained_dossier, accounts):
    from pactes.dossiers.services import dossier_transition

    dossier = retained_dossier["09"]
    measure = first_measure(dossier)
    long_after = measure.action.start + dt.timedelta(days=400)
    assert dossier_followup(dossier=dossier, today=long_after).late_reasons  # open: every period overdue
    dossier = dossier_transition(dossier=dossier, transition="settle", by=accounts["instructeur.09"])
    assert not dossier_followup(dossier=dossier, today=long_after).late_reasons


def test_a_value_measured_after_its_period_ends_but_before_the_report_is_due_counts_for_that_period(
    retained_dossier, accounts
):
    """Issue 16 (4): a value measured on 15/10 (due 19/10) reports the period ending 04/10; it is not late."""
    dossier = retained_dossier["09"]
    measure = first_measure(dossier)
    today = measure.action.start + dt.timedelta(days=140)
    first = dossier_followup(dossier=dossier, today=today).actions[0].measures[0].periods[0].period
    measured_on = first.end + dt.timedelta(days=11)
    assert first.end < measured_on < first.due
    entered = dt.datetime.combine(first.due, dt.time(9), tzinfo=dt.UTC)
    measurement_record(
        measure=measure, value=Decimal("7"), measured_on=measured_on, by=accounts["porteur.ariege"], at=entered
    )
    periods = dossier_followup(dossier=dossier, today=today).actions[0].measures[0].periods
    assert [m.value for m in periods[0].measurements] == [Decimal("7")]
    assert not periods[0].is_late
    assert not periods[1].measurements  # counted once, for the period it reports


def test_the_period_a_value_reports_is_the_earliest_whose_window_holds_its_date():
    config = CallConfig.from_yaml((settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml").read_text(encoding="utf-8"))
    periods = report_periods(
        frequency=ReportFrequency.QUARTERLY.value, start=dt.date(2025, 1, 5), end=dt.date(2025, 12, 31), config=config
    )
    assert period_measured(dt.date(2025, 4, 4), periods).index == 1
    assert period_measured(periods[0].due, periods).index == 1
    assert period_measured(periods[0].due + dt.timedelta(days=1), periods).index == 2
    assert period_measured(dt.date(2026, 3, 1), periods) is None
