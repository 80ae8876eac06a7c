"""The DREETS's consolidated view: impact indicators across projects and the execution of the regional envelope.

Words: an indicator's *latest actual* is its most recent measured value; indicators are added up only within the
same *unit* (« familles », « personnes »…), grouped by measure of the Pacte (through the priority of the action),
by target public (of the action) and by département. The *execution* of the envelope: *awarded* (the convention's
amount, else the committee's decision), *engaged* (awarded on conventions with an EJ), *paid* (payments made),
*reversed* (reversals recorded), *remaining to pay* (open projects: awarded − paid), *unspent* (settled projects:
awarded − paid + reversed), *remaining* (regional envelope − awarded). Every figure comes from a fixed number
of queries (annotations and subqueries), whatever the number of projects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from pactes.agreements.models import Payment
from pactes.calls.models import Call, Measure
from pactes.committee.models import CommitteeDecision, Decision, SessionState
from pactes.dossiers.models import Dossier, ImpactMeasure
from pactes.followup.models import IndicatorMeasurement, Reversal
from pactes.rules.agreement import AgreementState
from pactes.rules.lifecycle import DossierState

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass
class IndicatorGroup:
    key: str
    label: str
    unit: str
    dossiers: set[int] = field(default_factory=set)
    indicators: int = 0
    measured: int = 0
    baseline: Decimal = ZERO
    target: Decimal = ZERO
    latest: Decimal = ZERO

    @property
    def projects(self) -> int:
        return len(self.dossiers)

    @property
    def achievement(self) -> Decimal | None:
        """Latest actuals / targets of the measured indicators' group (None without a target)."""
        return None if self.target <= 0 else self.latest / self.target


@dataclass
class ExecutionRow:
    label: str
    projects: int = 0
    awarded: Decimal = ZERO
    engaged: Decimal = ZERO
    paid: Decimal = ZERO
    reversed: Decimal = ZERO
    remaining_to_pay: Decimal = ZERO  # what open projects may still receive
    unspent: Decimal = ZERO  # what settled projects did not consume (awarded − paid + reversed)


@dataclass(frozen=True)
class Execution:
    rows: tuple[ExecutionRow, ...]
    total: ExecutionRow
    envelope: Decimal | None

    @property
    def remaining(self) -> Decimal | None:
        return None if self.envelope is None else self.envelope - self.total.awarded

    @property
    def consumed_rate(self) -> Decimal | None:
        return None if not self.envelope else self.total.awarded / self.envelope


@dataclass(frozen=True)
class Consolidation:
    by_measure: tuple[IndicatorGroup, ...]
    by_public: tuple[IndicatorGroup, ...]
    by_departement: tuple[IndicatorGroup, ...]
    execution: Execution
    dossier_count: int


def _latest_measurement() -> QuerySet[IndicatorMeasurement]:
    return IndicatorMeasurement.objects.filter(measure=OuterRef("pk")).order_by("-measured_on", "-pk")


def _add(groups: dict[tuple[str, str], IndicatorGroup], key: str, label: str, measure: ImpactMeasure) -> None:
    unit = measure.unit.strip() or "(sans unité)"
    group = groups.setdefault((key, unit), IndicatorGroup(key=key, label=label, unit=unit))
    group.dossiers.add(measure.action.dossier_id)
    group.indicators += 1
    group.baseline += measure.baseline or ZERO
    group.target += measure.target or ZERO
    if measure.latest_value is not None:  # type: ignore[attr-defined]
        group.measured += 1
        group.latest += measure.latest_value  # type: ignore[attr-defined]


def _sorted(groups: dict[tuple[str, str], IndicatorGroup]) -> tuple[IndicatorGroup, ...]:
    return tuple(sorted(groups.values(), key=lambda g: (g.key, g.unit)))


def indicator_groups(
    dossiers: QuerySet[Dossier], public_label: Callable[[Dossier, str], str]
) -> tuple[tuple[IndicatorGroup, ...], tuple[IndicatorGroup, ...], tuple[IndicatorGroup, ...]]:
    measures = (
        ImpactMeasure.objects.filter(action__dossier__in=dossiers)
        .select_related("action__dossier__departement", "action__dossier__call")
        .prefetch_related(Prefetch("action__priority__measures", queryset=Measure.objects.order_by("code")))
        .annotate(latest_value=Subquery(_latest_measurement().values("value")[:1]))
    )
    by_measure: dict[tuple[str, str], IndicatorGroup] = {}
    by_public: dict[tuple[str, str], IndicatorGroup] = {}
    by_departement: dict[tuple[str, str], IndicatorGroup] = {}
    for measure in measures:
        action = measure.action
        pacte_measures = list(action.priority.measures.all())
        for pacte in pacte_measures or [None]:
            if pacte is None:
                _add(by_measure, "—", "Sans mesure du Pacte", measure)
            else:
                _add(by_measure, pacte.code, f"{pacte.code} — {pacte.label}", measure)
        for code in action.publics or ["—"]:
            _add(by_public, code, public_label(action.dossier, code), measure)
        departement = action.dossier.departement
        _add(by_departement, departement.code, f"{departement.code} — {departement.name}", measure)
    return _sorted(by_measure), _sorted(by_public), _sorted(by_departement)


def public_label(dossier: Dossier, code: str) -> str:
    if code == "—":
        return "Public non précisé"
    choice = dossier.call.rules.target_public(code)
    return choice.label if choice is not None else code


def with_execution_figures(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Annotates each dossier with its ``awarded`` amount (the convention's, else the committee's retained decision of a
    closed session, else 0), ``due`` (the final amount once the final report is validated, else the awarded one),
    ``is_engaged`` (a convention with an EJ), ``paid_total`` and ``reversed_total``: the one definition of these
    figures, for the pages, the dashboard and the exports (words in the module's docstring)."""
    decision_amount = (
        CommitteeDecision.objects.filter(
            dossier=OuterRef("pk"), decision=Decision.RETAINED, session__state=SessionState.CLOSED
        )
        .order_by("-session__closed_at", "-decided_at", "-pk")
        .values("awarded_amount")[:1]
    )
    paid = (
        Payment.objects.filter(agreement__dossier=OuterRef("pk"))
        .order_by()
        .values("agreement__dossier")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    reversed_ = (
        Reversal.objects.filter(dossier=OuterRef("pk"))
        .order_by()
        .values("dossier")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return dossiers.annotate(
        awarded=Coalesce(F("agreement__awarded_amount"), Subquery(decision_amount), Value(ZERO), output_field=MONEY),
        due=Coalesce(
            F("agreement__final_amount"),
            F("agreement__awarded_amount"),
            Subquery(decision_amount),
            Value(ZERO),
            output_field=MONEY,
        ),
        is_engaged=Case(
            When(Q(agreement__isnull=False) & ~Q(agreement__commitment_number=""), then=Value(True)),
            default=Value(False),
        ),
        paid_total=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY),
        reversed_total=Coalesce(Subquery(reversed_, output_field=MONEY), Value(ZERO), output_field=MONEY),
    )


def with_execution_amounts(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """The dossiers of the execution (abandoned conventions left out), with the figures of
    ``with_execution_figures``."""
    return with_execution_figures(dossiers.exclude(agreement__state=AgreementState.ABANDONED.value))


def engaged_amount(awarded: Decimal, is_engaged: bool) -> Decimal:
    """The engaged amount of one dossier: its awarded amount once its convention has an EJ."""
    return awarded if is_engaged else ZERO


def execution_of(dossiers: QuerySet[Dossier], envelope: Decimal | None) -> Execution:
    rows = (
        with_execution_amounts(dossiers)
        .values_list(
            "departement__code",
            "departement__name",
            "awarded",
            "is_engaged",
            "paid_total",
            "reversed_total",
            "state",
            "due",
        )
        .order_by("departement__code")
    )
    by_departement: dict[str, ExecutionRow] = {}
    total = ExecutionRow(label="Total")
    for code, name, awarded, engaged, paid_total, reversed_total, state, due in rows:
        row = by_departement.setdefault(code, ExecutionRow(label=f"{code} — {name}"))
        settled = state == DossierState.SETTLED.value
        for target in (row, total):
            target.projects += 1
            target.awarded += awarded
            target.engaged += engaged_amount(awarded, engaged)
            target.paid += paid_total
            target.reversed += reversed_total
            if settled:
                target.unspent += max(ZERO, awarded - paid_total + reversed_total)
            else:
                # What is still owed: the award, or once the final report is validated, the grant finally due.
                target.remaining_to_pay += max(ZERO, due - paid_total)
    return Execution(rows=tuple(by_departement.values()), total=total, envelope=envelope)


def consolidation(*, dossiers: QuerySet[Dossier], calls: Iterable[Call], show_envelope: bool) -> Consolidation:
    """Indicators and execution of the envelope over ``dossiers`` (already scoped to the viewer)."""
    by_measure, by_public, by_departement = indicator_groups(dossiers, public_label)
    envelopes = [c.regional_envelope for c in calls]
    envelope = None
    if show_envelope and envelopes and all(e is not None for e in envelopes):
        envelope = sum((e for e in envelopes if e is not None), ZERO)
    return Consolidation(
        by_measure=by_measure,
        by_public=by_public,
        by_departement=by_departement,
        execution=execution_of(dossiers, envelope),
        dossier_count=dossiers.count(),
    )
