"""The figures of the dashboard (« Tableau de bord ») of one call, within the viewer's scope: the DREETS sees the
region, a DDETS-PP its département (``dossiers_visible_to``).

Words: a *figure* is a labelled list of rows (label → one value per series) with its unit, so that the page draws it
as a chart, then as its data table, and offers it as CSV from the same rows. The amounts reuse their one owner:
*requested* is the « state_pts » resource lines (``with_requested_grant``), *proposed* the DDETS-PP's proposals,
*awarded*, *engaged* and *paid* the execution of ``consolidation.with_execution_amounts``; the indicators are the
consolidation's groups by measure. Counts and sums are computed by the database. An amount *by measure* (or axis, or
public) counts a project under each measure it declares: those totals do not add up to the awarded total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from pactes.accounts.models import Role, User
from pactes.assessment.models import Proposal
from pactes.calls.models import Axis, Call, Measure
from pactes.dossiers.models import Action, Dossier, Priority, ResourceKind, ResourceLine
from pactes.dossiers.selectors import dossiers_visible_to
from pactes.followup.consolidation import execution_of, indicator_groups, public_label, with_execution_amounts
from pactes.followup.selectors import FOLLOWED_STATES
from pactes.rules.lifecycle import DossierState
from pactes.rules.money import euros

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)
DASHBOARD_ROLES = frozenset({Role.DREETS, Role.ADMIN, Role.INSTRUCTOR})


@dataclass(frozen=True)
class Figure:
    key: str  # in the CSV's URL: /tableau-de-bord/<key>.csv
    title: str
    label_header: str
    series: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Decimal | int, ...]], ...]
    unit: str = ""  # « € », « dossiers »…
    note: str = ""
    horizontal: bool = False
    totals: tuple[Decimal | int, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.rows


def may_see_dashboard(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in DASHBOARD_ROLES)


def dashboard_dossiers(user: User, call: Call) -> QuerySet[Dossier]:
    """The filed dossiers of ``call`` that ``user`` sees (none for a role without a dashboard)."""
    if not may_see_dashboard(user):
        return Dossier.objects.none()
    return dossiers_visible_to(user).filter(call=call)


def _by_state(dossiers: QuerySet[Dossier]) -> Figure:
    counts = dict(dossiers.order_by().values_list("state").annotate(n=Count("pk")))
    rows = tuple((state.label, (counts[state.value],)) for state in DossierState if counts.get(state.value))
    return Figure("etats", "Dossiers par état", "État", ("Dossiers",), rows, unit="dossiers")


def _by_departement(dossiers: QuerySet[Dossier]) -> Figure:
    rows = (
        dossiers.order_by("departement__code")
        .values_list("departement__code", "departement__name")
        .annotate(n=Count("pk"))
    )
    return Figure(
        "departements",
        "Dossiers par département",
        "Département",
        ("Dossiers",),
        tuple((f"{code} — {name}", (n,)) for code, name, n in rows),
        unit="dossiers",
    )


def _sum(qs: QuerySet, expression: str) -> Decimal:
    return qs.aggregate(total=Coalesce(Sum(expression), Value(ZERO), output_field=MONEY))["total"]


def _amounts(dossiers: QuerySet[Dossier], envelope: Decimal | None) -> Figure:
    requested = _sum(ResourceLine.objects.filter(dossier__in=dossiers, kind=ResourceKind.STATE_PTS), "amount")
    proposed = _sum(Proposal.objects.filter(dossier__in=dossiers), "proposed_amount")
    execution = execution_of(dossiers.filter(state__in=FOLLOWED_STATES), envelope)
    total = execution.total
    rows = [
        ("Demandé (subvention de l'État)", (requested,)),
        ("Proposé par les DDETS-PP", (proposed,)),
        ("Attribué", (total.awarded,)),
        ("Engagé (EJ)", (total.engaged,)),
        ("Versé", (total.paid,)),
    ]
    note = "Les montants attribués, engagés et versés sont ceux des projets retenus (ou soldés)."
    if envelope is not None:
        rows.append(("Enveloppe régionale", (envelope,)))
        remaining = execution.remaining
        note += f" Reste à attribuer sur l'enveloppe régionale : {euros(remaining)}." if remaining is not None else ""
    return Figure(
        "montants", "Montants et enveloppe régionale", "Montant", ("Euros",), tuple(rows), unit="€", note=note
    )


def _awarded(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return with_execution_amounts(dossiers.filter(state__in=FOLLOWED_STATES)).filter(awarded__gt=0)


def _awarded_where(awarded: QuerySet[Dossier], priorities: QuerySet[Priority]) -> Subquery:
    """The awarded total (and the number) of the dossiers of ``awarded`` that have one of ``priorities`` (which refer
    to the outer row with ``OuterRef(OuterRef(...))``), each dossier once."""
    return Subquery(
        awarded.filter(pk__in=priorities.values("dossier_id"))
        .order_by()
        .values("call")
        .annotate(total=Sum("awarded"))
        .values("total")[:1],
        output_field=MONEY,
    )


def _awarded_by_measure(dossiers: QuerySet[Dossier]) -> Figure:
    awarded = _awarded(dossiers)
    measures = (
        Measure.objects.annotate(
            total=_awarded_where(awarded, Priority.objects.filter(measures=OuterRef(OuterRef("pk"))))
        )
        .filter(total__gt=0)
        .order_by("axis__position", "code")
        .values_list("code", "label", "total")
    )
    return Figure(
        "mesures",
        "Montants attribués par mesure du Pacte",
        "Mesure",
        ("Euros",),
        tuple((f"{code} — {label}", (total,)) for code, label, total in measures),
        unit="€",
        note="Un projet compte pour chacune des mesures qu'il déclare : ces montants ne s'additionnent pas.",
        horizontal=True,
    )


def _awarded_by_axis(dossiers: QuerySet[Dossier]) -> Figure:
    awarded = _awarded(dossiers)
    axes = (
        Axis.objects.annotate(
            total=_awarded_where(awarded, Priority.objects.filter(measures__axis=OuterRef(OuterRef("pk"))))
        )
        .filter(total__gt=0)
        .order_by("position", "code")
        .values_list("code", "label", "total")
    )
    return Figure(
        "axes",
        "Montants attribués par axe du Pacte",
        "Axe",
        ("Euros",),
        tuple((f"{code} — {label}", (total,)) for code, label, total in axes),
        unit="€",
        note="Un projet compte pour chacun des axes de ses mesures : ces montants ne s'additionnent pas.",
    )


def _awarded_by_public(dossiers: QuerySet[Dossier], call: Call) -> Figure:
    awarded = dict(_awarded(dossiers).values_list("pk", "awarded"))
    # Publics are a list of codes on each action (JSON): the database groups by dossier, Python by code.
    publics: dict[int, set[str]] = {}
    for dossier_id, codes in Action.objects.filter(dossier_id__in=list(awarded)).values_list("dossier_id", "publics"):
        publics.setdefault(dossier_id, set()).update(codes or ())
    rows = []
    for choice in call.rules.target_publics:
        ids = [pk for pk, codes in publics.items() if choice.code in codes]
        if ids:
            rows.append((choice.label, (sum((awarded[pk] for pk in ids), ZERO),)))
    return Figure(
        "publics",
        "Montants attribués par public visé",
        "Public",
        ("Euros",),
        tuple(rows),
        unit="€",
        note="Un projet compte pour chacun des publics de ses actions : ces montants ne s'additionnent pas.",
        horizontal=True,
    )


def _indicators(dossiers: QuerySet[Dossier], call: Call) -> Figure:
    by_measure, _by_public, _by_departement = indicator_groups(dossiers.filter(state__in=FOLLOWED_STATES), public_label)
    return Figure(
        "indicateurs",
        "Indicateurs d'impact : cibles et dernières valeurs mesurées",
        "Mesure (unité)",
        ("Cible", "Dernière valeur"),
        tuple((f"{g.label} ({g.unit})", (g.target, g.latest)) for g in by_measure),
        note="Valeurs additionnées par mesure du Pacte et par unité, sur les projets retenus.",
        horizontal=True,
    )


def dashboard_figures(*, user: User, call: Call) -> list[Figure]:
    dossiers = dashboard_dossiers(user, call)
    envelope = call.regional_envelope if user.role in (Role.DREETS, Role.ADMIN) else None
    return [
        _by_state(dossiers),
        _by_departement(dossiers),
        _amounts(dossiers, envelope),
        _awarded_by_measure(dossiers),
        _awarded_by_axis(dossiers),
        _awarded_by_public(dossiers, call),
        _indicators(dossiers, call),
    ]


def calls_for_dashboard(user: User) -> list[Call]:
    """Every call, the real ones first (the selector labels the demonstration)."""
    if not may_see_dashboard(user):
        return []
    return list(Call.objects.order_by("is_demo", "-filing_opens_at"))


@dataclass(frozen=True)
class EpciActivity:
    dossiers: int
    awarded: Decimal


def activity_by_epci(*, user: User, call: Call) -> dict[str, EpciActivity]:
    """For the staff layer of the map: per EPCI (SIREN) of a dossier's perimeter, the number of filed dossiers of
    ``call`` that ``user`` sees and the amount awarded to them (a dossier counts in each EPCI of its perimeter)."""
    dossiers = dashboard_dossiers(user, call)
    counts = dict(
        dossiers.filter(epcis__isnull=False)
        .order_by()
        .values_list("epcis__siren")
        .annotate(n=Count("pk", distinct=True))
    )
    awarded = dict(
        _awarded(dossiers).filter(epcis__isnull=False).order_by().values_list("epcis__siren").annotate(t=Sum("awarded"))
    )
    return {siren: EpciActivity(dossiers=n, awarded=awarded.get(siren) or ZERO) for siren, n in counts.items()}
