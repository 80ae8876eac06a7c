"""The sheets of the decision and the money: one row per dossier (with its amounts), the score sheets, the
committee's decisions, the conventions and the payments. Every amount comes from its owner: the requested grant
from ``pactes.dossiers.selectors.with_requested_grant``, the awarded / engaged / paid amounts from
``pactes.followup.consolidation.with_execution_figures`` (the consolidated follow-up's figures), the cofinancing
rate from ``pactes.rules.budget.summarize_budget``, what remains to pay from ``pactes.rules.payments``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import F, Sum

from pactes.agreements.models import DATE_FIELDS as AGREEMENT_DATES
from pactes.agreements.models import Agreement, Payment
from pactes.agreements.services import payment_facts
from pactes.assessment.models import CriterionScore, Opinion, Proposal
from pactes.committee.models import CommitteeDecision, Decision, SessionState
from pactes.dossiers.models import Dossier, ExpenseLine, InKindLine, ResourceKind, ResourceLine
from pactes.dossiers.selectors import with_requested_grant
from pactes.exports.definition import Column, Kind, Labels, Row, Sheet, heads, in_dossier_order, joined, paris
from pactes.exports.sheets_project import DEPARTEMENT, DOSSIER
from pactes.followup.consolidation import with_execution_figures
from pactes.rules import budget
from pactes.rules.agreement import AgreementState
from pactes.rules.lifecycle import DossierState
from pactes.rules.payments import remaining_to_pay, total_paid

ZERO = Decimal("0.00")
RATE_STEP = Decimal("0.0001")
_OPINIONS = dict(Opinion.choices)
_DECISIONS = dict(Decision.choices)
_SESSION_STATES = dict(SessionState.choices)


def _sums(model: type, ids: Sequence[int], *group: str) -> dict[tuple[object, ...], Decimal]:
    rows = model.objects.filter(dossier_id__any=ids).order_by().values("dossier_id", *group).annotate(t=Sum("amount"))
    return {tuple(row[k] for k in ("dossier_id", *group)): row["t"] for row in rows}


def cofinancing_rates(dossiers: Sequence[Dossier], labels: Labels) -> dict[int, Decimal | None]:
    """Each dossier's cofinancing rate, by the call's rule (``summarize_budget``) on the totals of its budget."""
    ids = [d.pk for d in dossiers]
    expenses = _sums(ExpenseLine, ids)
    in_kind = _sums(InKindLine, ids)
    resources = _sums(ResourceLine, ids, "kind")
    rates: dict[int, Decimal | None] = {}
    for d in dossiers:
        grant = resources.get((d.pk, ResourceKind.STATE_PTS.value))
        other = (resources.get((d.pk, ResourceKind.PUBLIC.value)) or ZERO) + (
            resources.get((d.pk, ResourceKind.PRIVATE.value)) or ZERO
        )
        summary = budget.summarize_budget(
            budget.BudgetInput(
                expenses=(budget.ExpenseLine("", expenses.get((d.pk,)) or ZERO),),
                state_grant=grant,
                cofinancing=(budget.CofinancingLine("", other),),
                own_funds=resources.get((d.pk, ResourceKind.OWN_FUNDS.value)) or ZERO,
                in_kind=(budget.InKindValuation("", in_kind.get((d.pk,)) or ZERO),),
            ),
            labels.rules(d.call_id),
        )
        rate = summary.cofinancing_rate
        # Truncated like ``pactes.rules.money.percent``: 0,49999 reads 49,99 %, as on the pages, never 50 %.
        rates[d.pk] = None if rate is None else rate.quantize(RATE_STEP, rounding=ROUND_DOWN)
    return rates


# The dossier's long texts are never read by an export's rows.
LONG_TEXTS = ("diagnostic", "complementarity", "expected_impact", "impact_measurement", "search_text")


def _dossiers(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    qs = with_execution_figures(with_requested_grant(Dossier.objects.filter(pk__any=ids)))
    rows = list(
        qs.defer(*LONG_TEXTS).annotate(
            call_title=F("call__short_title"),
            departement_code=F("departement__code"),
            departement_name=F("departement__name"),
            organisation_name=F("organisation__name"),
            organisation_siret=F("organisation__siret"),
        )
    )
    epcis: dict[int, list[tuple[str, str]]] = {}
    for dossier_id, name, siren in (
        Dossier.epcis.through.objects.filter(dossier_id__any=ids)
        .order_by("epci__name")
        .values_list("dossier_id", "epci__name", "epci__siren")
    ):
        epcis.setdefault(dossier_id, []).append((name, siren))
    proposals = {p.dossier_id: p for p in Proposal.objects.filter(dossier_id__any=ids)}
    rates = cofinancing_rates(rows, labels)
    for d in in_dossier_order(ids, rows, lambda r: r.pk):
        proposal = proposals.get(d.pk)
        territory = epcis.get(d.pk, [])
        figures: Any = d  # annotated: requested_grant, awarded, is_engaged, paid_total, and the names above
        yield (
            d.reference,
            figures.call_title,
            DossierState(d.state).label,
            figures.departement_code,
            figures.departement_name,
            figures.organisation_name,
            figures.organisation_siret,
            joined([name for name, _ in territory]),
            joined([siren for _, siren in territory]),
            d.title,
            figures.requested_grant,
            proposal.proposed_amount if proposal else None,
            _OPINIONS.get(proposal.opinion, "") if proposal else "",
            proposal.rank if proposal else None,
            figures.awarded or None,
            figures.engaged or None,
            figures.paid_total,
            rates[d.pk],
            paris(d.submitted_at),
            paris(d.created_at),
            paris(d.updated_at),
        )


def _evaluations(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    head = heads(ids)
    rows = (
        CriterionScore.objects.filter(sheet__dossier_id__any=ids)
        .select_related("sheet__instructor")
        .annotate(dossier_id=F("sheet__dossier_id"))
        .order_by("sheet__instructor__email", "criterion")
    )
    for s in in_dossier_order(ids, rows, lambda r: r.dossier_id):  # type: ignore[attr-defined]
        sheet = s.sheet
        h = head[sheet.dossier_id]
        yield (
            h.reference,
            h.departement,
            sheet.instructor.get_full_name() or sheet.instructor.email,
            s.criterion,
            labels.criterion(h.call_id, s.criterion),
            s.score,
            s.justification,
            sheet.weighted_total,
            _OPINIONS.get(sheet.opinion, ""),
            sheet.proposed_amount,
        )


def _decisions(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    head = heads(ids)
    rows = (
        CommitteeDecision.objects.filter(dossier_id__any=ids)
        .annotate(session_date=F("session__date"), session_state=F("session__state"))
        .order_by("session__date", "decided_at", "pk")
    )
    for d in in_dossier_order(ids, rows, lambda r: r.dossier_id):
        h = head[d.dossier_id]
        annotated: Any = d
        yield (
            h.reference,
            h.departement,
            annotated.session_date,
            _SESSION_STATES.get(annotated.session_state, annotated.session_state),
            _DECISIONS.get(d.decision, d.decision),
            d.awarded_amount,
            d.motivation,
            paris(d.decided_at),
        )


def _agreements(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    head = heads(ids)
    rows = (
        Agreement.objects.filter(dossier_id__any=ids)
        .only(
            "pk",
            "dossier_id",
            "state",
            "awarded_amount",
            "commitment_number",
            "commitment_date",
            *AGREEMENT_DATES,
        )
        .prefetch_related("payments")
    )
    for a in in_dossier_order(ids, rows, lambda r: r.dossier_id):
        h = head[a.dossier_id]
        facts = payment_facts(a)
        yield (
            h.reference,
            h.departement,
            AgreementState(a.state).label,
            a.awarded_amount,
            a.commitment_number,
            a.commitment_date,
            a.sent_on,
            a.applicant_signed_on,
            a.state_signed_on,
            a.settled_on,
            a.terminated_on,
            total_paid(facts),
            remaining_to_pay(awarded=a.awarded_amount, payments=facts),
        )


def _payments(ids: Sequence[int], labels: Labels) -> Iterator[Row]:
    head = heads(ids)
    rows = (
        Payment.objects.filter(agreement__dossier_id__any=ids)
        .annotate(dossier_id=F("agreement__dossier_id"))
        .order_by("paid_on", "pk")
    )
    for p in in_dossier_order(ids, rows, lambda r: r.dossier_id):  # type: ignore[attr-defined]
        h = head[p.dossier_id]  # type: ignore[attr-defined]
        yield (
            h.reference,
            h.departement,
            labels.payment_step(h.call_id, p.step_code) if p.step_code else "",
            p.amount,
            p.paid_on,
            p.reference,
            p.accounting_year,
        )


DOSSIERS = Sheet(
    "dossiers",
    "Une ligne par dossier : identité, état, territoire et montants, du montant demandé au montant versé.",
    (
        DOSSIER,
        Column("Appel", Kind.TEXT, "Appel à projets : intitulé court"),
        Column("État", Kind.TEXT, "Cycle de vie du dossier : état actuel"),
        DEPARTEMENT,
        Column("Nom du département", Kind.TEXT, "Référentiel INSEE des départements"),
        Column("Porteur", Kind.TEXT, "Étape « Porteur » : raison sociale de l'organisation"),
        Column("SIRET", Kind.TEXT, "Étape « Porteur » : SIRET de l'organisation"),
        Column("EPCI", Kind.TEXT, "Étape « Périmètre » : EPCI du périmètre (référentiel INSEE)"),
        Column("SIREN des EPCI", Kind.TEXT, "Étape « Périmètre » : SIREN des EPCI"),
        Column("Intitulé du projet", Kind.TEXT, "Dossier : intitulé"),
        Column(
            "Montant demandé",
            Kind.MONEY,
            "Étape « Budget » : somme des lignes « Subvention de l'État — pacte des solidarités » (file d'instruction)",
        ),
        Column("Montant proposé", Kind.MONEY, "Évaluation : proposition de la DDETS-PP"),
        Column("Avis de la DDETS-PP", Kind.TEXT, "Évaluation : avis de la proposition"),
        Column("Rang dans le territoire", Kind.INTEGER, "Évaluation : classement du territoire (EPCI)"),
        Column(
            "Montant attribué",
            Kind.MONEY,
            "Convention : subvention attribuée, sinon décision « retenu » d'une séance close (vue consolidée)",
        ),
        Column(
            "Montant engagé", Kind.MONEY, "Convention : montant attribué une fois l'engagement juridique (EJ) saisi"
        ),
        Column("Montant versé", Kind.MONEY, "Versements enregistrés sur la convention (somme)"),
        Column(
            "Taux de cofinancement",
            Kind.RATE,
            "Règle de l'appel (§1.4) : cofinancements / budget total, calculés sur le budget du dossier",
        ),
        Column("Date de dépôt", Kind.DATETIME, "Dépôt : heure d'arrivée retenue (Paris)"),
        Column("Créé le", Kind.DATETIME, "Dossier : création du brouillon (Paris)"),
        Column("Modifié le", Kind.DATETIME, "Dossier : dernière modification (Paris)"),
    ),
    _dossiers,
)
EVALUATIONS = Sheet(
    "evaluations",
    "Les grilles d'évaluation : une ligne par note d'un critère, par instructeur.",
    (
        DOSSIER,
        DEPARTEMENT,
        Column("Évaluateur", Kind.TEXT, "Grille d'évaluation : instructeur"),
        Column("Code du critère", Kind.TEXT, "Fichier de l'appel : critères de sélection (§1.6)"),
        Column("Critère", Kind.TEXT, "Fichier de l'appel : libellé du critère"),
        Column("Note", Kind.INTEGER, "Grille d'évaluation : note du critère"),
        Column("Justification", Kind.TEXT, "Grille d'évaluation : justification"),
        Column("Note pondérée de la grille", Kind.NUMBER, "Grille d'évaluation : note pondérée (règle de notation)"),
        Column("Avis de l'évaluateur", Kind.TEXT, "Grille d'évaluation : avis"),
        Column("Montant proposé par l'évaluateur", Kind.MONEY, "Grille d'évaluation : montant proposé"),
    ),
    _evaluations,
)
DECISIONS = Sheet(
    "decisions",
    "Les décisions du comité régional, séance par séance (une séance ouverte : décisions provisoires).",
    (
        DOSSIER,
        DEPARTEMENT,
        Column("Date de la séance", Kind.DATE, "Comité régional : date de la séance"),
        Column("État de la séance", Kind.TEXT, "Comité régional : planifiée, ouverte ou close"),
        Column("Décision", Kind.TEXT, "Comité régional : retenu, non retenu, ajourné"),
        Column("Montant attribué", Kind.MONEY, "Comité régional : montant attribué (retenu)"),
        Column("Motivation", Kind.TEXT, "Comité régional : motivation"),
        Column("Saisie le", Kind.DATETIME, "Comité régional : saisie de la décision (Paris)"),
    ),
    _decisions,
)
AGREEMENTS = Sheet(
    "conventions",
    "Les conventions : état, engagement juridique (Chorus), dates de signature, versé et reste à verser.",
    (
        DOSSIER,
        DEPARTEMENT,
        Column("État de la convention", Kind.TEXT, "Convention : état"),
        Column("Subvention attribuée", Kind.MONEY, "Convention : subvention attribuée"),
        Column("Numéro d'EJ", Kind.TEXT, "Convention : engagement juridique (Chorus)"),
        Column("Date de l'EJ", Kind.DATE, "Convention : date de l'engagement juridique"),
        Column("Envoyée le", Kind.DATE, "Convention : envoi au porteur"),
        Column("Signée par le porteur le", Kind.DATE, "Convention : signature du porteur"),
        Column("Signée par l'État le", Kind.DATE, "Convention : signature de l'État"),
        Column("Soldée le", Kind.DATE, "Convention : solde"),
        Column("Résiliée le", Kind.DATE, "Convention : résiliation"),
        Column("Versé", Kind.MONEY, "Versements : total versé (page « Versements »)"),
        Column("Reste à verser", Kind.MONEY, "Règle des versements : subvention − versé, jamais négatif"),
    ),
    _agreements,
)
PAYMENTS = Sheet(
    "versements",
    "Les versements enregistrés sur les conventions.",
    (
        DOSSIER,
        DEPARTEMENT,
        Column("Échéance", Kind.TEXT, "Échéancier de l'appel : échéance du versement"),
        Column("Montant", Kind.MONEY, "Versement : montant"),
        Column("Date du versement", Kind.DATE, "Versement : date"),
        Column("Référence Chorus", Kind.TEXT, "Versement : référence"),
        Column("Année comptable", Kind.INTEGER, "Versement : année comptable (§1.4)"),
    ),
    _payments,
)
