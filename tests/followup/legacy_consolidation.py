"""The consolidation as it was computed before issue 12, by looping over every indicator and every dossier in
Python: the oracle the database's grouped figures are compared with (tests/followup/test_consolidation_sql.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from pactes.calls.models import Measure
from pactes.dossiers.models import Dossier, ImpactMeasure
from pactes.followup.consolidation import Execution, ExecutionRow, with_execution_amounts
from pactes.followup.models import IndicatorMeasurement
from pactes.rules.lifecycle import DossierState

ZERO = Decimal("0.00")


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


def legacy_indicator_groups(
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


def legacy_public_label(dossier: Dossier, code: str) -> str:
    if code == "—":
        return "Public non précisé"
    choice = dossier.call.rules.target_public(code)
    return choice.label if choice is not None else code


def engaged_amount(awarded: Decimal, is_engaged: bool) -> Decimal:
    """The engaged amount of one dossier: its awarded amount once its convention has an EJ."""
    return awarded if is_engaged else ZERO


def legacy_execution_of(dossiers: QuerySet[Dossier], envelope: Decimal | None) -> Execution:
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
