"""The sheets of the project as filed: priorities, actions, partners, expenses, resources, in-kind valuations and
impact indicators with each measured value. One row per line of the dossier, in the dossier's order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import F

from pactes.dossiers.models import (
    Action,
    ContributionNature,
    ExpenseLine,
    FunderKind,
    ImpactMeasure,
    InKindLine,
    Partner,
    Priority,
    ResourceKind,
    ResourceLine,
    ResourceStatus,
)
from pactes.exports.definition import Column, Kind, Labels, Row, Sheet, heads, in_dossier_order, joined
from pactes.followup.models import IndicatorMeasurement

DOSSIER = Column("Numéro de dossier", Kind.TEXT, "Dossier : numéro attribué à la création")
DEPARTEMENT = Column("Département", Kind.TEXT, "Dossier : code du département instructeur (DDETS-PP)")
POSITION = Column("Ordre", Kind.INTEGER, "Ordre de la ligne dans le dossier")

_CONTRIBUTIONS = dict(ContributionNature.choices)
_FUNDERS = dict(FunderKind.choices)
_STATUSES = dict(ResourceStatus.choices)
_RESOURCE_KINDS = dict(ResourceKind.choices)


def _priorities(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    head = heads(ids)
    rows = Priority.objects.filter(dossier_id__any=ids).order_by("position", "pk")
    codes: dict[int, list[str]] = {}
    for priority_id, code in Priority.measures.through.objects.filter(priority__dossier_id__any=ids).values_list(
        "priority_id", "measure__code"
    ):
        codes.setdefault(priority_id, []).append(code)
    for p in in_dossier_order(ids, rows, lambda r: r.dossier_id):
        h = head[p.dossier_id]
        yield (
            h.reference,
            h.departement,
            p.position + 1,
            p.title,
            joined(sorted(codes.get(p.pk, ()))),
            labels.publics(h.call_id, p.publics),
            p.local_justification,
            p.other_public_justification,
        )


def _actions(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    head = heads(ids)
    rows = (
        Action.objects.filter(dossier_id__any=ids)
        .annotate(priority_title=F("priority__title"))
        .order_by("position", "pk")
    )
    for a in in_dossier_order(ids, rows, lambda r: r.dossier_id):
        h = head[a.dossier_id]
        yield (
            h.reference,
            h.departement,
            a.position + 1,
            a.priority_title,  # type: ignore[attr-defined]
            a.title,
            a.description,
            a.territorial_level,
            labels.publics(h.call_id, a.publics),
            joined([str(p) for p in a.partners or []]),
            a.start,
            a.end,
            "oui" if a.overlaps_departmental_contract else "non",
        )


def _partners(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    head = heads(ids)
    rows = Partner.objects.filter(dossier_id__any=ids).order_by("position", "pk")
    for p in in_dossier_order(ids, rows, lambda r: r.dossier_id):
        h = head[p.dossier_id]
        financial = p.contribution == ContributionNature.FINANCIAL
        yield (
            h.reference,
            h.departement,
            p.position + 1,
            p.name,
            p.siret,
            _CONTRIBUTIONS.get(p.contribution, p.contribution),
            p.amount,
            p.quantity,
            p.unit,
            p.unit_value,
            _FUNDERS.get(p.funder_kind, p.funder_kind) if financial else "",
            _STATUSES.get(p.funding_status, p.funding_status) if financial else "",
        )


def _expenses(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    head = heads(ids)
    rows = (
        ExpenseLine.objects.filter(dossier_id__any=ids)
        .annotate(action_title=F("action__title"))
        .order_by("position", "pk")
    )
    for e in in_dossier_order(ids, rows, lambda r: r.dossier_id):
        h = head[e.dossier_id]
        yield (h.reference, h.departement, e.position + 1, e.action_title or "", e.category, e.label, e.amount)  # type: ignore[attr-defined]


def _resources(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    head = heads(ids)
    rows = ResourceLine.objects.filter(dossier_id__any=ids).order_by("position", "pk")
    for r in in_dossier_order(ids, rows, lambda r: r.dossier_id):
        h = head[r.dossier_id]
        yield (
            h.reference,
            h.departement,
            r.position + 1,
            _RESOURCE_KINDS.get(r.kind, r.kind),
            r.funder,
            r.amount,
            _STATUSES.get(r.status, r.status),
        )


def _in_kind(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    head = heads(ids)
    rows = InKindLine.objects.filter(dossier_id__any=ids).order_by("position", "pk")
    for v in in_dossier_order(ids, rows, lambda r: r.dossier_id):
        h = head[v.dossier_id]
        yield (h.reference, h.departement, v.position + 1, v.partner, v.label, v.amount)


def _indicators(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    head = heads(ids)
    measurements: dict[int, list[IndicatorMeasurement]] = {}
    for m in IndicatorMeasurement.objects.filter(measure__action__dossier_id__any=ids).order_by("measured_on", "pk"):
        measurements.setdefault(m.measure_id, []).append(m)
    rows = (
        ImpactMeasure.objects.filter(action__dossier_id__any=ids)
        .annotate(dossier_id=F("action__dossier_id"), action_title=F("action__title"))
        .order_by("action__position", "action_id", "position", "pk")
    )
    for i in in_dossier_order(ids, rows, lambda r: r.dossier_id):  # type: ignore[attr-defined]
        h = head[i.dossier_id]  # type: ignore[attr-defined]
        first = (h.reference, h.departement, i.action_title, i.indicator, i.unit)  # type: ignore[attr-defined]
        described = (*first, i.baseline, i.target, i.method, i.frequency)
        values = measurements.get(i.pk) or []
        if not values:
            yield (*described, None, None, "")
        for m in values:
            yield (*described, m.measured_on, m.value, m.comment)


PRIORITIES = Sheet(
    "priorites",
    "Les priorités de chaque dossier (1 à 3), leurs mesures du Pacte et leurs publics.",
    (
        DOSSIER,
        DEPARTEMENT,
        POSITION,
        Column("Priorité", Kind.TEXT, "Étape « Priorités » : intitulé"),
        Column("Mesures du Pacte", Kind.TEXT, "Étape « Priorités » : codes des mesures du Pacte des solidarités"),
        Column("Publics visés", Kind.TEXT, "Étape « Priorités » : publics de l'appel (libellés du fichier de l'appel)"),
        Column("Justification locale", Kind.TEXT, "Étape « Priorités » : contexte socio-économique local"),
        Column("Autre public précaire", Kind.TEXT, "Étape « Priorités » : précision sur l'autre public"),
    ),
    _priorities,
)
ACTIONS = Sheet(
    "actions",
    "Le plan d'actions : une ligne par action.",
    (
        DOSSIER,
        DEPARTEMENT,
        POSITION,
        Column("Priorité", Kind.TEXT, "Étape « Actions » : priorité de rattachement"),
        Column("Action", Kind.TEXT, "Étape « Actions » : intitulé"),
        Column("Description", Kind.TEXT, "Étape « Actions » : description"),
        Column("Échelon territorial", Kind.TEXT, "Étape « Actions » : échelon"),
        Column("Publics visés", Kind.TEXT, "Étape « Actions » : publics de l'appel"),
        Column("Partenaires engagés", Kind.TEXT, "Étape « Actions » : partenaires cités"),
        Column("Début", Kind.DATE, "Étape « Actions » : date de début"),
        Column("Fin", Kind.DATE, "Étape « Actions » : date de fin"),
        Column("Recoupe le contrat départemental", Kind.TEXT, "Étape « Actions » : oui ou non"),
    ),
    _actions,
)
PARTNERS = Sheet(
    "partenaires",
    "Les partenaires et leurs contributions (financières, en nature, en moyens humains).",
    (
        DOSSIER,
        DEPARTEMENT,
        POSITION,
        Column("Partenaire", Kind.TEXT, "Étape « Partenaires » : nom"),
        Column("SIRET", Kind.TEXT, "Étape « Partenaires » : SIRET"),
        Column("Nature de la contribution", Kind.TEXT, "Étape « Partenaires » : financière, en nature, humaine"),
        Column("Montant ou valorisation", Kind.MONEY, "Étape « Partenaires » : montant (€)"),
        Column("Quantité", Kind.NUMBER, "Étape « Partenaires » : quantité valorisée"),
        Column("Unité", Kind.TEXT, "Étape « Partenaires » : unité"),
        Column("Valeur unitaire", Kind.MONEY, "Étape « Partenaires » : valeur unitaire (€)"),
        Column("Nature du financeur", Kind.TEXT, "Étape « Partenaires » : public ou privé (contribution financière)"),
        Column("Statut du financement", Kind.TEXT, "Étape « Partenaires » : acquis ou demandé"),
    ),
    _partners,
)
EXPENSES = Sheet(
    "depenses",
    "Le budget prévisionnel : les lignes de dépenses.",
    (
        DOSSIER,
        DEPARTEMENT,
        POSITION,
        Column("Action", Kind.TEXT, "Étape « Budget » : action de la dépense"),
        Column("Catégorie", Kind.TEXT, "Étape « Budget » : catégorie"),
        Column("Libellé", Kind.TEXT, "Étape « Budget » : libellé"),
        Column("Montant", Kind.MONEY, "Étape « Budget » : montant (€)"),
    ),
    _expenses,
)
RESOURCES = Sheet(
    "ressources",
    "Le budget prévisionnel : subvention de l'État demandée, cofinancements, fonds propres.",
    (
        DOSSIER,
        DEPARTEMENT,
        POSITION,
        Column("Nature", Kind.TEXT, "Étape « Budget » : nature de la ressource"),
        Column("Financeur", Kind.TEXT, "Étape « Budget » ou « Partenaires » : financeur"),
        Column("Montant", Kind.MONEY, "Étape « Budget » : montant (€)"),
        Column("Statut", Kind.TEXT, "Étape « Budget » : acquis ou demandé"),
    ),
    _resources,
)
IN_KIND = Sheet(
    "valorisations",
    "Les contributions volontaires en nature et en moyens humains (valorisations).",
    (
        DOSSIER,
        DEPARTEMENT,
        POSITION,
        Column("Partenaire", Kind.TEXT, "Étape « Budget » ou « Partenaires » : partenaire"),
        Column("Libellé", Kind.TEXT, "Étape « Budget » : libellé"),
        Column("Valorisation", Kind.MONEY, "Étape « Budget » : valorisation (€)"),
    ),
    _in_kind,
)
INDICATORS = Sheet(
    "indicateurs",
    "Les indicateurs d'impact : valeur de départ, cible, puis une ligne par valeur mesurée pendant le suivi.",
    (
        DOSSIER,
        DEPARTEMENT,
        Column("Action", Kind.TEXT, "Étape « Impact » : action de l'indicateur"),
        Column("Indicateur", Kind.TEXT, "Étape « Impact » : indicateur"),
        Column("Unité", Kind.TEXT, "Étape « Impact » : unité"),
        Column("Valeur de départ", Kind.NUMBER, "Étape « Impact » : valeur de départ"),
        Column("Cible", Kind.NUMBER, "Étape « Impact » : cible"),
        Column("Méthode de mesure", Kind.TEXT, "Étape « Impact » : méthode"),
        Column("Fréquence", Kind.TEXT, "Étape « Impact » : fréquence"),
        Column("Date de la mesure", Kind.DATE, "Suivi : relevé de l'indicateur (vide sans relevé)"),
        Column("Valeur mesurée", Kind.NUMBER, "Suivi : valeur relevée"),
        Column("Commentaire", Kind.TEXT, "Suivi : commentaire du relevé"),
    ),
    _indicators,
)
