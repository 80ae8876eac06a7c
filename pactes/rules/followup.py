"""Follow-up of a convention: report due dates, lateness, and the financial statement's variances (§1.5, DILA).

No Django here; dates are calendar days (Europe/Paris), money is Decimal. Words:
- *frequency*: how often the applicant reports its impact indicators (declared in its dossier): mensuelle,
  trimestrielle, semestrielle, annuelle, or ponctuelle (once, at the end of the action).
- *period*: the months one indicator report covers, from the action's start; the last period ends with the action.
  A report is *due* ``indicator_report_grace_days`` after the end of its period (call's YAML).
- *interim report*: due at ``interim_report_at_fraction`` of the action period (0.5: mid-term), when required.
- *final report* (bilan final and compte rendu financier): due ``final_report_months_after_end`` months after the end
  of the actions; the DILA rule is six months after the end of the exercise, the same date for actions ending on
  31 December. When the actions end on the last day of a month, so does the delay (30 Nov + 6 months → 31 May).
- *variance*: actual − planned on one line of the financial statement (CERFA 15059-like), in euros and as a rate of
  the planned amount; beyond the call's ``variance_threshold`` (strictly), the line needs an explanation.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from pactes.rules.calendar import add_months, period_end
from pactes.rules.call_config import CallConfig
from pactes.rules.formatting import date_fr
from pactes.rules.money import CENT, check_amount, cited, euros, percent
from pactes.rules.verdict import Reason

REPORT_LATE = "REPORT_LATE"
VARIANCE_UNEXPLAINED = "VARIANCE_UNEXPLAINED"

ZERO = Decimal("0.00")
RATE_PRECISION = Decimal("0.0001")


class FollowupError(ValueError):
    """Invalid input to a follow-up rule (message in French)."""


class ReportFrequency(StrEnum):
    MONTHLY = "mensuelle"
    QUARTERLY = "trimestrielle"
    HALF_YEARLY = "semestrielle"
    YEARLY = "annuelle"
    ONE_OFF = "ponctuelle"

    @property
    def label(self) -> str:
        return REPORT_FREQUENCY_LABELS[self]

    @property
    def months(self) -> int | None:
        """Months per period; None for a one-off report covering the whole action."""
        return REPORT_FREQUENCY_MONTHS[self]


REPORT_FREQUENCY_LABELS: dict[ReportFrequency, str] = {
    ReportFrequency.MONTHLY: "Mensuelle",
    ReportFrequency.QUARTERLY: "Trimestrielle",
    ReportFrequency.HALF_YEARLY: "Semestrielle",
    ReportFrequency.YEARLY: "Annuelle",
    ReportFrequency.ONE_OFF: "Ponctuelle (en fin d'action)",
}
REPORT_FREQUENCY_MONTHS: dict[ReportFrequency, int | None] = {
    ReportFrequency.MONTHLY: 1,
    ReportFrequency.QUARTERLY: 3,
    ReportFrequency.HALF_YEARLY: 6,
    ReportFrequency.YEARLY: 12,
    ReportFrequency.ONE_OFF: None,
}


@dataclass(frozen=True)
class ReportPeriod:
    index: int  # 1 for the first period
    start: dt.date
    end: dt.date
    due: dt.date


def _check_window(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise FollowupError(f"La fin de l'action ({date_fr(end)}) précède son début ({date_fr(start)}).")


def report_periods(*, frequency: str, start: dt.date, end: dt.date, config: CallConfig) -> tuple[ReportPeriod, ...]:
    # 1.5: the impact on beneficiaries is measured throughout the actions, at the frequency the applicant declared.
    _check_window(start, end)
    try:
        months = ReportFrequency(frequency).months
    except ValueError as exc:
        known = ", ".join(f.value for f in ReportFrequency)
        raise FollowupError(f"Fréquence de suivi inconnue : « {frequency} » (attendu : {known}).") from exc
    grace = dt.timedelta(days=config.agreements.indicator_report_grace_days)
    if months is None:
        return (ReportPeriod(1, start, end, end + grace),)
    periods: list[ReportPeriod] = []
    index = 1
    period_start = start
    while period_start <= end:
        period_last = min(period_end(start, index * months), end)
        periods.append(ReportPeriod(index, period_start, period_last, period_last + grace))
        period_start = period_last + dt.timedelta(days=1)
        index += 1
    return tuple(periods)


def period_measured(measured_on: dt.date, periods: Sequence[ReportPeriod]) -> ReportPeriod | None:
    """The period a value measured on ``measured_on`` reports on: the earliest whose reporting window (its start to
    its due date) holds that day. A value measured in the days after a period ends, before its report is due, is the
    report of that period (1.5); the day it was entered does not matter."""
    return next((p for p in periods if p.start <= measured_on <= p.due), None)


def report_due_dates(*, frequency: str, start: dt.date, end: dt.date, config: CallConfig) -> tuple[dt.date, ...]:
    return tuple(p.due for p in report_periods(frequency=frequency, start=start, end=end, config=config))


def interim_report_due(*, start: dt.date, end: dt.date, config: CallConfig) -> dt.date | None:
    """The interim report's due date (mid-term by default), or None when the call requires none."""
    _check_window(start, end)
    spec = config.agreements
    if not spec.interim_report_required:
        return None
    days = (Decimal((end - start).days) * spec.interim_report_at_fraction).to_integral_value(rounding=ROUND_HALF_UP)
    return start + dt.timedelta(days=int(days))


def final_report_due(*, end: dt.date, config: CallConfig) -> dt.date:
    # DILA (F3180, CERFA 15059): the financial statement within six months after the end of the exercise.
    months = config.agreements.final_report_months_after_end
    due = add_months(end, months)
    if end.day == _calendar.monthrange(end.year, end.month)[1]:
        return due.replace(day=_calendar.monthrange(due.year, due.month)[1])
    return due


@dataclass(frozen=True)
class ReportStatus:
    due: dt.date
    submitted_on: dt.date | None
    days_late: int
    reasons: tuple[Reason, ...] = ()

    @property
    def is_late(self) -> bool:
        return self.days_late > 0

    @property
    def is_submitted(self) -> bool:
        return self.submitted_on is not None


def report_status(
    *, due: dt.date, submitted_on: dt.date | None, today: dt.date, label: str = "Le rapport"
) -> ReportStatus:
    """Whether a report is late: not filed after its due date, or filed after it (a flag, not a refusal)."""
    if submitted_on is None:
        days = max(0, (today - due).days)
        message = f"{label} était attendu le {date_fr(due)} : {_days(days)} de retard."
    else:
        days = max(0, (submitted_on - due).days)
        message = f"{label} a été remis le {date_fr(submitted_on)}, {_days(days)} après l'échéance du {date_fr(due)}."
    reasons = (Reason(REPORT_LATE, message, blocking=False),) if days > 0 else ()
    return ReportStatus(due=due, submitted_on=submitted_on, days_late=days, reasons=reasons)


def _days(count: int) -> str:
    return f"{count} jour" if count == 1 else f"{count} jours"


# -- financial statement (compte rendu financier) --------------------------------------------------------------------
class StatementSide(StrEnum):
    EXPENSE = "charge"
    RESOURCE = "produit"

    @property
    def label(self) -> str:
        return "Charge" if self is StatementSide.EXPENSE else "Produit"


@dataclass(frozen=True)
class StatementLine:
    label: str
    planned: Decimal
    actual: Decimal
    side: StatementSide = StatementSide.EXPENSE
    explanation: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "planned", check_amount(self.planned))
        object.__setattr__(self, "actual", check_amount(self.actual))


@dataclass(frozen=True)
class LineVariance:
    line: StatementLine
    amount: Decimal  # actual − planned, signed
    rate: Decimal | None  # amount / planned to 0.0001; None when nothing was planned
    exceeds_threshold: bool
    reasons: tuple[Reason, ...] = ()

    @property
    def is_explained(self) -> bool:
        return bool(self.line.explanation.strip())


def line_variance(line: StatementLine, *, config: CallConfig) -> LineVariance:
    threshold = config.agreements.variance_threshold
    amount = (line.actual - line.planned).quantize(CENT)
    if line.planned == 0:
        rate = None
        exceeds = amount != 0
    else:
        rate = (amount / line.planned).quantize(RATE_PRECISION, rounding=ROUND_HALF_UP)
        exceeds = abs(amount) > threshold * line.planned
    reasons: tuple[Reason, ...] = ()
    if exceeds and not line.explanation.strip():
        section = config.section("agreements.variance_threshold")
        signed = f"+{euros(amount)}" if amount > 0 else euros(amount)
        shown_rate = "" if rate is None else f" ({'+' if rate > 0 else ''}{percent(rate)})"
        reasons = (
            Reason(
                VARIANCE_UNEXPLAINED,
                f"Ligne « {line.label} » : écart de {signed}{shown_rate} entre le prévu ({euros(line.planned)}) et le "
                f"réalisé ({euros(line.actual)}), au-delà du seuil de {percent(threshold)} : expliquez cet "
                f"écart{cited(section)}.",
                section=section,
            ),
        )
    return LineVariance(line=line, amount=amount, rate=rate, exceeds_threshold=exceeds, reasons=reasons)


def statement_variances(lines: Sequence[StatementLine], *, config: CallConfig) -> tuple[LineVariance, ...]:
    return tuple(line_variance(line, config=config) for line in lines)


def statement_problems(lines: Sequence[StatementLine], *, config: CallConfig) -> list[Reason]:
    """Every line whose variance exceeds the threshold without an explanation (``VARIANCE_UNEXPLAINED``)."""
    return [r for v in statement_variances(lines, config=config) for r in v.reasons]


@dataclass(frozen=True)
class StatementTotals:
    planned_expenses: Decimal
    actual_expenses: Decimal
    planned_resources: Decimal
    actual_resources: Decimal

    @property
    def actual_balance(self) -> Decimal:
        """Actual resources − actual expenses (positive: surplus)."""
        return self.actual_resources - self.actual_expenses


def statement_totals(lines: Sequence[StatementLine]) -> StatementTotals:
    expenses = [line for line in lines if line.side == StatementSide.EXPENSE]
    resources = [line for line in lines if line.side == StatementSide.RESOURCE]
    return StatementTotals(
        planned_expenses=sum((line.planned for line in expenses), ZERO),
        actual_expenses=sum((line.actual for line in expenses), ZERO),
        planned_resources=sum((line.planned for line in resources), ZERO),
        actual_resources=sum((line.actual for line in resources), ZERO),
    )
