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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf, Trim

from pactes.agreements.models import Payment
from pactes.calls.models import Call
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
    projects: int = 0  # distinct projects of the group
    indicators: int = 0
    measured: int = 0
    baseline: Decimal = ZERO
    target: Decimal = ZERO
    latest: Decimal = ZERO

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


NO_UNIT = "(sans unité)"
NO_KEY = "—"


def _measures(dossiers: QuerySet[Dossier]) -> QuerySet[ImpactMeasure]:
    """The impact measures of ``dossiers``, each with its ``unit_key`` and ``latest_value``, ready to be grouped."""
    return (
        ImpactMeasure.objects.filter(action__dossier__in=dossiers)
        .order_by()
        .annotate(
            unit_key=Coalesce(NullIf(Trim("unit"), Value("")), Value(NO_UNIT), output_field=CharField()),
            latest_value=Subquery(_latest_measurement().values("value")[:1], output_field=MONEY),
        )
    )


def _figures(*, with_projects: bool = True) -> dict[str, Any]:
    """The sums of one group of indicators, computed by the database."""
    figures: dict[str, Any] = {
        "n_indicators": Count("pk"),
        "n_measured": Count("latest_value"),
        "sum_baseline": Coalesce(Sum("baseline"), Value(ZERO), output_field=MONEY),
        "sum_target": Coalesce(Sum("target"), Value(ZERO), output_field=MONEY),
        "sum_latest": Coalesce(Sum("latest_value"), Value(ZERO), output_field=MONEY),
    }
    if with_projects:
        figures["n_projects"] = Count("action__dossier", distinct=True)
    return figures


def _merge(groups: dict[tuple[str, str], IndicatorGroup], key: str, label: str, unit: str, row: dict[str, Any]) -> None:
    """Adds one grouped row to its group (the rows merged under one key are of disjoint projects: other calls)."""
    group = groups.setdefault((key, unit), IndicatorGroup(key=key, label=label, unit=unit))
    group.projects += row.get("n_projects", 0)
    group.indicators += row["n_indicators"]
    group.measured += row["n_measured"]
    group.baseline += row["sum_baseline"]
    group.target += row["sum_target"]
    group.latest += row["sum_latest"]


def _sorted(groups: dict[tuple[str, str], IndicatorGroup]) -> tuple[IndicatorGroup, ...]:
    return tuple(sorted(groups.values(), key=lambda g: (g.key, g.unit)))


def _by_measure(measures: QuerySet[ImpactMeasure]) -> tuple[IndicatorGroup, ...]:
    # An indicator counts under each measure of the Pacte of its action's priority (« — » without any).
    groups: dict[tuple[str, str], IndicatorGroup] = {}
    rows = measures.values(
        "unit_key", code=F("action__priority__measures__code"), name=F("action__priority__measures__label")
    ).annotate(**_figures())
    for row in sorted(rows, key=lambda r: (r["code"] is None, r["code"] or "", r["name"] or "")):
        if row["code"] is None:
            _merge(groups, NO_KEY, "Sans mesure du Pacte", row["unit_key"], row)
        else:
            _merge(groups, row["code"], f"{row['code']} — {row['name']}", row["unit_key"], row)
    return _sorted(groups)


def _by_departement(measures: QuerySet[ImpactMeasure]) -> tuple[IndicatorGroup, ...]:
    groups: dict[tuple[str, str], IndicatorGroup] = {}
    rows = measures.values(
        "unit_key", code=F("action__dossier__departement__code"), name=F("action__dossier__departement__name")
    ).annotate(**_figures())
    for row in rows:
        _merge(groups, row["code"], f"{row['code']} — {row['name']}", row["unit_key"], row)
    return _sorted(groups)


def _publics_with(code: str) -> Q:
    """The indicators whose action lists the public ``code`` (« — »: lists none); on the list's JSON text, which both
    engines write ``["a", "b"]``, the codes being slugs."""
    if code == NO_KEY:
        return Q(publics_text="[]") | Q(action__publics__isnull=True)
    return Q(publics_text__contains=f'"{code}"')


def _by_public(
    measures: QuerySet[ImpactMeasure], label: Callable[[Call, str], str], calls: dict[int, Call]
) -> tuple[IndicatorGroup, ...]:
    # The publics of an action are a list: the database sums per (list, unit), each code of the list gets the sums;
    # the distinct projects of each code are then counted by the database, one filtered count per code.
    groups: dict[tuple[str, str], IndicatorGroup] = {}
    rows = (
        measures.values("unit_key", publics=F("action__publics"), call_id=F("action__dossier__call_id"))
        .annotate(**_figures(with_projects=False))
        .order_by("call_id")
    )
    for row in rows:
        for code in row["publics"] or [NO_KEY]:
            _merge(groups, code, label(calls[row["call_id"]], code), row["unit_key"], row)
    codes = sorted({code for code, _unit in groups})
    if codes:
        counts = (
            measures.annotate(publics_text=Cast("action__publics", TextField()))
            .values("unit_key")
            .annotate(
                **{
                    f"projects_{n}": Count("action__dossier", distinct=True, filter=_publics_with(code))
                    for n, code in enumerate(codes)
                }
            )
        )
        for row in counts:
            for n, code in enumerate(codes):
                if (code, row["unit_key"]) in groups:
                    groups[(code, row["unit_key"])].projects = row[f"projects_{n}"]
    return _sorted(groups)


def indicator_groups(
    dossiers: QuerySet[Dossier],
    public_label: Callable[[Call, str], str],
    *,
    calls: Iterable[Call] | None = None,
) -> tuple[tuple[IndicatorGroup, ...], tuple[IndicatorGroup, ...], tuple[IndicatorGroup, ...]]:
    """The indicators of ``dossiers`` added up by measure of the Pacte, by public and by département, within each
    unit: a fixed number of grouped queries, whatever the number of projects. ``calls``: those of ``dossiers`` when
    the caller already holds them (their publics' labels)."""
    measures = _measures(dossiers)
    if calls is None:
        calls = Call.objects.filter(pk__in=dossiers.values("call_id"))
    by_pk = {c.pk: c for c in sorted(calls, key=lambda c: c.pk)}
    return _by_measure(measures), _by_public(measures, public_label, by_pk), _by_departement(measures)


def public_label(call: Call, code: str) -> str:
    if code == NO_KEY:
        return "Public non précisé"
    choice = call.rules.target_public(code)
    return choice.label if choice is not None else code


def with_execution_figures(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Annotates each dossier with its ``awarded`` amount (the convention's, else the committee's retained decision of a
    closed session, else 0), ``due`` (the final amount once the final report is validated, else the awarded one),
    ``is_engaged`` (a convention with an EJ), ``engaged`` (the awarded amount once engaged, else 0), ``paid_total``,
    ``reversed_total``, ``remaining_to_pay`` (open projects: due − paid, not below 0) and ``unspent`` (settled projects:
    awarded − paid + reversed, not below 0): the one definition of these figures, for the pages, the dashboard and the
    exports (words in the module's docstring)."""
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
    settled = Q(state=DossierState.SETTLED.value)
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
        engaged=Case(When(is_engaged=True, then=F("awarded")), default=Value(ZERO), output_field=MONEY),
        paid_total=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY),
        reversed_total=Coalesce(Subquery(reversed_, output_field=MONEY), Value(ZERO), output_field=MONEY),
        # What is still owed: the award, or once the final report is validated, the grant finally due.
        remaining_to_pay=Case(
            When(settled, then=Value(ZERO)),
            default=Greatest(Value(ZERO), F("due") - F("paid_total")),
            output_field=MONEY,
        ),
        unspent=Case(
            When(settled, then=Greatest(Value(ZERO), F("awarded") - F("paid_total") + F("reversed_total"))),
            default=Value(ZERO),
            output_field=MONEY,
        ),
    )


def with_execution_amounts(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """The dossiers of the execution (abandoned conventions left out), with the figures of
    ``with_execution_figures``."""
    return with_execution_figures(dossiers.exclude(agreement__state=AgreementState.ABANDONED.value))


EXECUTION_SUMS = ("awarded", "engaged", "paid", "reversed", "remaining_to_pay", "unspent")


def execution_of(dossiers: QuerySet[Dossier], envelope: Decimal | None) -> Execution:
    """The execution by département and its total: one grouped query (GROUP BY département)."""
    sums = {
        name: Coalesce(Sum(source), Value(ZERO), output_field=MONEY)
        for name, source in zip(
            EXECUTION_SUMS,
            ("awarded", "engaged", "paid_total", "reversed_total", "remaining_to_pay", "unspent"),
            strict=True,
        )
    }
    rows = (
        with_execution_amounts(dossiers)
        .order_by()
        .values("departement__code", "departement__name")
        .annotate(projects=Count("pk"), **{f"sum_{name}": expression for name, expression in sums.items()})
        .order_by("departement__code")
    )
    by_departement: list[ExecutionRow] = []
    total = ExecutionRow(label="Total")
    for row in rows:
        line = ExecutionRow(
            label=f"{row['departement__code']} — {row['departement__name']}",
            projects=row["projects"],
            **{name: row[f"sum_{name}"] for name in EXECUTION_SUMS},
        )
        by_departement.append(line)
        total.projects += line.projects
        for name in EXECUTION_SUMS:
            setattr(total, name, getattr(total, name) + getattr(line, name))
    return Execution(rows=tuple(by_departement), total=total, envelope=envelope)


def consolidation(*, dossiers: QuerySet[Dossier], calls: Iterable[Call], show_envelope: bool) -> Consolidation:
    """Indicators and execution of the envelope over ``dossiers`` (already scoped to the viewer)."""
    # The calls of the dossiers (their publics' labels), each with how many of ``dossiers`` it holds: one query.
    theirs = list(
        Call.objects.filter(pk__in=dossiers.values("call_id")).annotate(
            n_dossiers=Count("dossiers", filter=Q(dossiers__in=dossiers.order_by().values("pk")))
        )
    )
    by_measure, by_public, by_departement = indicator_groups(dossiers, public_label, calls=theirs)
    envelopes = [c.regional_envelope for c in calls]
    envelope = None
    if show_envelope and envelopes and all(e is not None for e in envelopes):
        envelope = sum((e for e in envelopes if e is not None), ZERO)
    return Consolidation(
        by_measure=by_measure,
        by_public=by_public,
        by_departement=by_departement,
        execution=execution_of(dossiers, envelope),
        dossier_count=sum(c.n_dossiers for c in theirs),  # type: ignore[attr-defined]
    )
