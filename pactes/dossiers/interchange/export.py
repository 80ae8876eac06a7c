"""A dossier of the database as a ``pactes.dossier/1`` document (the reverse of ``importing``).

Words: the *document* of a dossier has every key of the format, its rows in their order (``position``, then ``pk``);
priorities and actions are numbered from 1 as the format refers to them. Its canonical JSON is what filing freezes.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from pactes.dossiers.interchange.canonical import FORMAT, format_amount, format_number
from pactes.dossiers.interchange.lookups import applicant_territory
from pactes.dossiers.models import Action, Dossier, DossierSource, Partner, Priority


def dossier_to_document(dossier: Dossier) -> dict[str, Any]:
    """The canonical ``pactes.dossier/1`` document of a dossier: every key of the format, in the rows' order."""
    organisation = dossier.organisation
    applicant = {
        "name": organisation.name,
        "siret": organisation.siret,
        "kind": organisation.kind,
        "address": organisation.address,
        "consortium": [{"name": m.name, "siret": m.siret, "role": m.role} for m in dossier.consortium_members.all()],
        "legal_representative": dossier.applicant_legal_representative,
        "contact": dossier.applicant_contact,
    }
    applicant["territory"] = applicant_territory(applicant)  # not stored: found again from the SIRET
    priorities = list(Priority.objects.filter(dossier=dossier).prefetch_related("measures").order_by("position", "pk"))
    priority_numbers = {p.pk: i + 1 for i, p in enumerate(priorities)}
    actions = list(
        Action.objects.filter(dossier=dossier).prefetch_related("impact_measures").order_by("position", "pk")
    )
    action_numbers = {a.pk: i + 1 for i, a in enumerate(actions)}
    resources = list(dossier.resources.all())
    document: dict[str, Any] = {
        "format": FORMAT,
        "call": dossier.call.slug,
        "title": dossier.title,
        "applicant": applicant,
        "perimeter": {
            "epci": [e.siren for e in dossier.epcis.all().order_by("siren")],
            "communes": [c.code_insee for c in dossier.communes.all().order_by("code_insee")],
        },
        "diagnostic": dossier.diagnostic,
        "complementarity": dossier.complementarity,
        "priorities": [
            {
                "title": p.title,
                "measures": sorted(m.code for m in p.measures.all()),
                "local_justification": p.local_justification,
                "publics": list(p.publics),
                "other_public_justification": p.other_public_justification,
            }
            for p in priorities
        ],
        "actions": [
            {
                "title": a.title,
                "description": a.description,
                "priority": priority_numbers.get(a.priority_id),
                "territorial_level": a.territorial_level,
                "publics": list(a.publics),
                "partners": list(a.partners),
                "start": a.start.isoformat() if a.start else None,
                "end": a.end.isoformat() if a.end else None,
                "overlaps_departmental_contract": a.overlaps_departmental_contract,
                "articulation": a.articulation,
                "impact_measures": [
                    {
                        "indicator": m.indicator,
                        "unit": m.unit,
                        "baseline": format_number(m.baseline),
                        "target": format_number(m.target),
                        "method": m.method,
                        "frequency": m.frequency,
                    }
                    for m in a.impact_measures.all()
                ],
            }
            for a in actions
        ],
        "partners": [_partner_document(p) for p in dossier.partners.all()],
        "budget": {
            "expenses": [
                {
                    "action": action_numbers.get(e.action_id) if e.action_id else None,
                    "category": e.category,
                    "label": e.label,
                    "amount": format_amount(e.amount),
                }
                for e in dossier.expenses.all()
            ],
            "resources": [
                {"kind": r.kind, "funder": r.funder, "amount": format_amount(r.amount), "status": r.status}
                for r in resources
            ],
            "in_kind": [
                {"partner": k.partner, "label": k.label, "amount": format_amount(k.amount)}
                for k in dossier.in_kind_lines.all()
            ],
        },
        "expected_impact": dossier.expected_impact,
        "impact_measurement": dossier.impact_measurement,
    }
    if dossier.submitted_at is not None:
        document["submitted_at"] = timezone.localtime(dossier.submitted_at).isoformat()
    source = DossierSource.objects.filter(dossier=dossier).first()
    if source is not None:
        # A dossier imported from another platform says where from (ADR 0038).
        document["source"] = {
            "platform": source.platform,
            "demarche": source.procedure,
            "number": source.number,
            "state": source.platform_state,
            "submitted_at": timezone.localtime(source.platform_submitted_at).isoformat(),
        }
    return document


def _partner_document(partner: Partner) -> dict[str, Any]:
    valued = partner.contribution != "financial"
    return {
        "name": partner.name,
        "siret": partner.siret,
        "contribution": partner.contribution,
        "amount": format_amount(partner.amount) if partner.amount is not None else None,
        "valuation": {
            "quantity": format_number(partner.quantity),
            "unit": partner.unit,
            "unit_value": format_amount(partner.unit_value) if partner.unit_value is not None else None,
            "basis": partner.basis,
        }
        if valued
        else None,
    }
