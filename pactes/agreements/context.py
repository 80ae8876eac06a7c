"""What a convention says: the context its template is rendered with, built from the dossier and the call.

The context holds plain values built for the document (``pactes.core.document_sandbox``): strings, Decimals, dates,
lists and dicts — never a model instance nor a user, so that a template typed in the administration can reach
nothing else than what a convention says (ADR 0030).

Words: the *frequency* an applicant declared for an impact measure is free text; ``report_frequency_of`` maps it to
a ``ReportFrequency`` of the follow-up rules (trimestrielle when it says nothing recognisable).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pactes.agreements.models import Agreement
from pactes.core.document_sandbox import rules_values
from pactes.dossiers.models import ResourceKind
from pactes.rules.followup import ReportFrequency, final_report_due, interim_report_due
from pactes.rules.formatting import date_fr
from pactes.rules.money import euros
from pactes.rules.payments import payment_schedule

ZERO = Decimal("0.00")
FREQUENCY_WORDS: tuple[tuple[str, ReportFrequency], ...] = (
    ("mens", ReportFrequency.MONTHLY),
    ("trimes", ReportFrequency.QUARTERLY),
    ("semes", ReportFrequency.HALF_YEARLY),
    ("annu", ReportFrequency.YEARLY),
    ("ponct", ReportFrequency.ONE_OFF),
    ("fin d", ReportFrequency.ONE_OFF),
)


def report_frequency_of(text: str) -> ReportFrequency:
    """« tous les trimestres », « Mensuelle », « en fin d'action »… → ReportFrequency (default trimestrielle)."""
    lowered = (text or "").lower()
    for word, frequency in FREQUENCY_WORDS:
        if word in lowered:
            return frequency
    return ReportFrequency.QUARTERLY


def action_period(agreement: Agreement) -> tuple[dt.date | None, dt.date | None]:
    """The period of the actions of the convention: the earliest start and the latest end."""
    actions = list(agreement.dossier.actions.all())
    starts = [a.start for a in actions if a.start]
    ends = [a.end for a in actions if a.end]
    return (min(starts) if starts else None, max(ends) if ends else None)


def agreement_context(agreement: Agreement) -> dict[str, Any]:
    """The plain values of a convention (``ensure_plain`` holds for the result)."""
    dossier = agreement.dossier
    call = dossier.call
    rules = call.rules
    organisation = dossier.organisation
    publics = {p.code: p.label for p in rules.target_publics}
    actions = []
    for action in dossier.actions.all().prefetch_related("impact_measures"):
        measures = [
            {
                "indicator": m.indicator,
                "unit": m.unit,
                "baseline": m.baseline,
                "target": m.target,
                "method": m.method,
                "frequency": str(report_frequency_of(m.frequency).label),
            }
            for m in action.impact_measures.all()
        ]
        actions.append(
            {
                "title": action.title,
                "description": action.description,
                "start": date_fr(action.start) if action.start else "à préciser",
                "end": date_fr(action.end) if action.end else "à préciser",
                "publics": ", ".join(publics.get(code, code) for code in action.publics or []),
                "measures": measures,
            }
        )
    expenses = [
        {"category": e.category, "label": e.label, "amount": e.amount, "action": e.action.title if e.action else ""}
        for e in dossier.expenses.select_related("action")
    ]
    resources = [
        {
            "kind": str(r.get_kind_display()),
            "funder": r.funder,
            "status": "Attribué" if r.kind == ResourceKind.STATE_PTS else str(r.get_status_display()),
            "amount": agreement.awarded_amount if r.kind == ResourceKind.STATE_PTS else r.amount,
            "is_state": r.kind == ResourceKind.STATE_PTS,
        }
        for r in dossier.resources.all()
    ]
    if not any(r["is_state"] for r in resources):
        resources.insert(
            0,
            {
                "kind": str(ResourceKind.STATE_PTS.label),
                "funder": "État",
                "status": "Attribué",
                "amount": agreement.awarded_amount,
                "is_state": True,
            },
        )
    in_kind = [{"partner": k.partner, "label": k.label, "amount": k.amount} for k in dossier.in_kind_lines.all()]
    expense_total = sum((e["amount"] for e in expenses), ZERO)
    resource_total = sum((r["amount"] for r in resources), ZERO)
    in_kind_total = sum((k["amount"] for k in in_kind), ZERO)
    start, end = action_period(agreement)
    interim = interim_report_due(start=start, end=end, config=rules) if start and end and start < end else None
    final = final_report_due(end=end, config=rules) if end else None
    schedule = [
        {
            "label": str(p.label),
            "trigger": str(p.trigger.label),
            "share": p.share,
            "amount": p.amount,
            "code": str(p.code),
        }
        for p in payment_schedule(awarded=agreement.awarded_amount, config=rules)
    ]
    departement = dossier.departement
    state_share = (agreement.awarded_amount / expense_total) if expense_total > 0 else None
    departement_values = {"code": departement.code, "name": departement.name}
    return {
        "agreement": {
            "awarded_amount": agreement.awarded_amount,
            "awarded_label": euros(agreement.awarded_amount),
            "template_version": agreement.template_version,
            "commitment_number": agreement.commitment_number,
            "commitment_date": date_fr(agreement.commitment_date) if agreement.commitment_date else "",
            "sent_on": date_fr(agreement.sent_on) if agreement.sent_on else "",
        },
        "dossier": {
            "reference": dossier.reference,
            "title": dossier.title,
            "departement": departement_values,
            "legal_representative": dossier.applicant_legal_representative,
            "contact": dossier.applicant_contact,
        },
        "call": {"title": call.title, "short_title": call.short_title, "slug": call.slug},
        "rules": rules_values(rules),
        "organisation": {
            "name": organisation.name,
            "siret": organisation.siret,
            "address": organisation.address,
            "kind": organisation.kind,
        },
        "departement": departement_values,
        "prefect": f"le Préfet de la région {rules.region_name}",
        "ddets": f"la direction départementale de l'emploi, du travail, des solidarités et de la protection des "
        f"populations (DDETS-PP) — {departement.name} ({departement.code})",
        "legal_representative": dossier.applicant_legal_representative or "son représentant légal",
        "awarded": agreement.awarded_amount,
        "awarded_label": euros(agreement.awarded_amount),
        "funding_label": rules.funding_label,
        "actions": actions,
        "expenses": expenses,
        "resources": resources,
        "in_kind": in_kind,
        "expense_total": expense_total,
        "resource_total": resource_total,
        "in_kind_total": in_kind_total,
        "state_share": state_share,
        "schedule": schedule,
        "actions_start": date_fr(start) if start else "à préciser",
        "actions_end": date_fr(end) if end else "à préciser",
        "interim_report_due": date_fr(interim) if interim else "",
        "final_report_due": date_fr(final) if final else "à préciser",
        "final_report_months": rules.agreements.final_report_months_after_end,
        "latest_end": date_fr(rules.latest_end),
        "template_version": agreement.template_version,
    }
