"""Scoped reads of the follow-up: which dossiers are followed, and the state of their reporting on a day.

Words: a *followed dossier* is a retained (or settled) dossier seen through ``dossiers_visible_to``: its applicants,
the DDETS-PP of its département, the DREETS and administrators; jury members and anonymous visitors see nothing.
The *declared frequency* of an indicator is free text in the dossier (« trimestrielle », « tous les mois »…); it is
read into a ``ReportFrequency`` (quarterly when it says nothing known). A *period* is reported when a value was
measured within it; its report is the day that value was entered (late when after the period's due date).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.dossiers.models import Action, Dossier, ImpactMeasure
from pactes.dossiers.selectors import dossiers_visible_to
from pactes.followup.models import ActionProgress, IndicatorMeasurement, Report
from pactes.followup.sparkline import Sparkline, sparkline
from pactes.rules.call_config import CallConfig
from pactes.rules.followup import (
    FollowupError,
    ReportFrequency,
    ReportPeriod,
    ReportStatus,
    final_report_due,
    interim_report_due,
    period_measured,
    report_periods,
    report_status,
)
from pactes.rules.lifecycle import DossierState
from pactes.rules.report_lifecycle import REPORT_SUBMITTED_STATES, ReportKind
from pactes.rules.verdict import Reason

FOLLOWED_STATES: frozenset[str] = frozenset({DossierState.RETAINED.value, DossierState.SETTLED.value})
FOLLOWUP_ROLES: frozenset[str] = frozenset({Role.APPLICANT, Role.INSTRUCTOR, Role.DREETS, Role.ADMIN})
SUBMITTED_STATES: frozenset[str] = frozenset(s.value for s in REPORT_SUBMITTED_STATES)

_FREQUENCY_WORDS: tuple[tuple[tuple[str, ...], ReportFrequency], ...] = (
    (("mensu", "mois", "month"), ReportFrequency.MONTHLY),
    (("trimes", "quarter"), ReportFrequency.QUARTERLY),
    (("semes", "semest"), ReportFrequency.HALF_YEARLY),
    (("annu", "an ", "year"), ReportFrequency.YEARLY),
    (("ponctu", "fin d", "unique", "une fois"), ReportFrequency.ONE_OFF),
)


def followed_dossiers_visible_to(user: User) -> QuerySet[Dossier]:
    """The retained or settled dossiers ``user`` may follow (none for jury members and anonymous visitors)."""
    if not user.is_authenticated or getattr(user, "role", None) not in FOLLOWUP_ROLES:
        return Dossier.objects.none()
    return dossiers_visible_to(user).filter(state__in=FOLLOWED_STATES)


def frequency_of(declared: str) -> ReportFrequency:
    """The ``ReportFrequency`` a free-text frequency means; quarterly when it says nothing known."""
    text = unicodedata.normalize("NFKD", f"{declared.strip().lower()} ")
    text = "".join(c for c in text if not unicodedata.combining(c))
    try:
        return ReportFrequency(text.strip())
    except ValueError:
        pass
    for words, frequency in _FREQUENCY_WORDS:
        if any(word in text for word in words):
            return frequency
    return ReportFrequency.QUARTERLY


def today_in(config: CallConfig) -> dt.date:
    return timezone.now().astimezone(config.timezone).date()


def _local_date(moment: dt.datetime, config: CallConfig) -> dt.date:
    return moment.astimezone(config.timezone).date()


# -- the follow-up of one dossier -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodRow:
    period: ReportPeriod
    measurements: tuple[IndicatorMeasurement, ...]
    status: ReportStatus | None  # None: not due yet and not reported

    @property
    def is_late(self) -> bool:
        return self.status is not None and self.status.is_late


@dataclass(frozen=True)
class MeasureRow:
    measure: ImpactMeasure
    frequency: ReportFrequency
    measurements: tuple[IndicatorMeasurement, ...]
    periods: tuple[PeriodRow, ...]
    chart: Sparkline | None
    reasons: tuple[Reason, ...] = ()

    @property
    def latest(self) -> IndicatorMeasurement | None:
        return self.measurements[-1] if self.measurements else None

    @property
    def late_count(self) -> int:
        return sum(1 for p in self.periods if p.is_late and not p.measurements)


@dataclass(frozen=True)
class ActionRow:
    action: Action
    progress: tuple[ActionProgress, ...]
    measures: tuple[MeasureRow, ...]

    @property
    def latest_progress(self) -> ActionProgress | None:
        return self.progress[-1] if self.progress else None


@dataclass(frozen=True)
class ReportRow:
    kind: ReportKind
    report: Report | None
    due: dt.date | None
    status: ReportStatus | None

    @property
    def label(self) -> str:
        return self.kind.label


@dataclass(frozen=True)
class DossierFollowup:
    dossier: Dossier
    today: dt.date
    actions: tuple[ActionRow, ...]
    reports: tuple[ReportRow, ...]
    start: dt.date | None
    end: dt.date | None
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def late_reasons(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.code == "REPORT_LATE")


def action_window(actions: list[Action]) -> tuple[dt.date | None, dt.date | None]:
    starts = [a.start for a in actions if a.start]
    ends = [a.end for a in actions if a.end]
    return (min(starts) if starts else None, max(ends) if ends else None)


def measure_periods(
    *,
    measure: ImpactMeasure,
    action: Action,
    measurements: tuple[IndicatorMeasurement, ...],
    config: CallConfig,
    today: dt.date,
    closed: bool = False,
) -> tuple[tuple[PeriodRow, ...], tuple[Reason, ...]]:
    """Each reporting period of an indicator with its values and, once due, its lateness; a closed (settled)
    dossier owes nothing more: only the reports actually made late are flagged."""
    if action.start is None or action.end is None:
        return (), ()
    try:
        periods = report_periods(
            frequency=frequency_of(measure.frequency).value, start=action.start, end=action.end, config=config
        )
    except FollowupError as exc:
        return (), (Reason("FOLLOWUP_INVALID", str(exc), blocking=False),)
    rows: list[PeriodRow] = []
    reasons: list[Reason] = []
    for period in periods:
        inside = tuple(m for m in measurements if period_measured(m.measured_on, periods) == period)
        submitted = min((_local_date(m.entered_at, config) for m in inside), default=None)
        status = None
        if submitted is not None or (today > period.due and not closed):
            status = report_status(
                due=period.due,
                submitted_on=submitted,
                today=today,
                label=f"Le relevé n° {period.index} de l'indicateur « {measure.indicator} »",
            )
            reasons.extend(status.reasons)
        rows.append(PeriodRow(period=period, measurements=inside, status=status))
    return tuple(rows), tuple(reasons)


def dossier_followup(*, dossier: Dossier, today: dt.date | None = None) -> DossierFollowup:
    """Everything the follow-up page shows for one dossier, in a fixed number of queries."""
    return dossiers_followup(dossiers=[dossier], today=today)[0]


def dossiers_followup(*, dossiers: list[Dossier], today: dt.date | None = None) -> list[DossierFollowup]:
    """``dossier_followup`` of each dossier (in their order), read together: the same five queries for a page of
    the follow-up list as for one dossier (each dossier's ``call`` already loaded)."""
    ids = [d.pk for d in dossiers]
    actions_of: dict[int, list[Action]] = {pk: [] for pk in ids}
    for action in (
        Action.objects.filter(dossier_id__in=ids)
        .prefetch_related(
            Prefetch("progress_notes", queryset=ActionProgress.objects.select_related("entered_by")),
            Prefetch(
                "impact_measures",
                queryset=ImpactMeasure.objects.prefetch_related(
                    Prefetch("measurements", queryset=IndicatorMeasurement.objects.select_related("entered_by"))
                ),
            ),
        )
        .order_by("position", "pk")
    ):
        actions_of[action.dossier_id].append(action)
    reports_of: dict[int, dict[str, Report]] = {pk: {} for pk in ids}
    for report in Report.objects.filter(dossier_id__in=ids):
        reports_of[report.dossier_id][report.kind] = report
    return [_followup(d, actions_of[d.pk], reports_of[d.pk], today) for d in dossiers]


def _followup(
    dossier: Dossier, actions: list[Action], reports: dict[str, Report], today: dt.date | None
) -> DossierFollowup:
    config = dossier.call.rules
    today = today or today_in(config)
    closed = dossier.state == DossierState.SETTLED.value
    reasons: list[Reason] = []
    action_rows: list[ActionRow] = []
    for action in actions:
        measure_rows: list[MeasureRow] = []
        for measure in action.impact_measures.all():
            measurements = tuple(sorted(measure.measurements.all(), key=lambda m: (m.measured_on, m.pk)))
            periods, measure_reasons = measure_periods(
                measure=measure, action=action, measurements=measurements, config=config, today=today, closed=closed
            )
            reasons.extend(measure_reasons)
            chart = sparkline(
                [m.value for m in measurements],
                baseline=measure.baseline,
                target=measure.target,
                label=measure.indicator,
            )
            measure_rows.append(
                MeasureRow(
                    measure=measure,
                    frequency=frequency_of(measure.frequency),
                    measurements=measurements,
                    periods=periods,
                    chart=chart,
                    reasons=measure_reasons,
                )
            )
        action_rows.append(
            ActionRow(action=action, progress=tuple(action.progress_notes.all()), measures=tuple(measure_rows))
        )
    start, end = action_window(actions)
    report_rows: list[ReportRow] = []
    for kind in ReportKind:
        report = reports.get(kind.value)
        due: dt.date | None = None
        if start is not None and end is not None and end >= start:
            due = (
                interim_report_due(start=start, end=end, config=config)
                if kind == ReportKind.INTERIM
                else final_report_due(end=end, config=config)
            )
        if kind == ReportKind.INTERIM and due is None and report is None:
            continue
        status = None
        if due is not None:
            submitted = None
            if report is not None and report.state in SUBMITTED_STATES and report.submitted_at is not None:
                submitted = _local_date(report.submitted_at, config)
            if submitted is not None or (today > due and not closed):
                status = report_status(due=due, submitted_on=submitted, today=today, label=f"Le {kind.label.lower()}")
                reasons.extend(status.reasons)
        report_rows.append(ReportRow(kind=kind, report=report, due=due, status=status))
    return DossierFollowup(
        dossier=dossier,
        today=today,
        actions=tuple(action_rows),
        reports=tuple(report_rows),
        start=start,
        end=end,
        reasons=tuple(reasons),
    )
