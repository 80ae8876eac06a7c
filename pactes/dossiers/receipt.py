"""A dossier document (format ``pactes.dossier/1``) shown to people, and the receipt PDF of a filed version.

Words: the *document* is the canonical dict of a dossier (``pactes.dossiers.interchange.dossier_to_document``), frozen
as the snapshot of a ``DossierVersion``; its *presentation* resolves the codes of the call into French labels and the
amounts into ``Decimal``, for the récapitulatif, a frozen version's page and the receipt alike. The *receipt* (accusé de
réception) is a PDF rendered by WeasyPrint from ``pdf/receipt.html`` with the Marianne font of the DSFR.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template.loader import render_to_string

from pactes.calls.models import Call, Measure
from pactes.core.document_sandbox import rules_values
from pactes.core.generated_files import store_once
from pactes.core.pdf import html_to_pdf, marianne_font_faces
from pactes.dossiers.interchange import document_budget
from pactes.dossiers.models import DossierVersion
from pactes.rules.budget import BudgetSummary, summarize_budget
from pactes.rules.formatting import datetime_fr
from pactes.territories.models import Commune, Epci

RESOURCE_KIND_LABELS = {
    "state_pts": "Subvention de l'État — pacte des solidarités",
    "public": "Autre financement public",
    "private": "Financement privé",
    "own_funds": "Fonds propres du porteur",
}
RESOURCE_STATUS_LABELS = {"acquired": "Acquis", "requested": "Demandé"}
CONTRIBUTION_LABELS = {"financial": "Financière", "in_kind": "En nature", "staff": "En moyens humains"}


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class DocumentPresentation:
    """Everything a person reads of a dossier document, labels resolved; ``budget`` holds the computed figures."""

    title: str
    applicant: dict[str, Any]
    perimeter_epcis: list[dict[str, str]]
    perimeter_communes: list[dict[str, str]]
    diagnostic: str
    complementarity: str
    priorities: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    partners: list[dict[str, Any]]
    expenses: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    in_kind: list[dict[str, Any]]
    expected_impact: str
    impact_measurement: str
    budget: BudgetSummary


def present_document(*, document: dict[str, Any], call: Call) -> DocumentPresentation:
    rules = call.rules
    publics = {p.code: p.label for p in rules.target_publics}
    levels = {lv.code: lv.label for lv in rules.territorial_levels}
    kinds = {k.code: k.label for k in rules.carrier_kinds}
    applicant = dict(document.get("applicant") or {})
    applicant["kind_label"] = kinds.get(str(applicant.get("kind") or ""), applicant.get("kind") or "")
    applicant["consortium"] = list(applicant.get("consortium") or [])
    perimeter = document.get("perimeter") or {}
    epci_sirens = [str(s) for s in perimeter.get("epci") or []]
    commune_codes = [str(c) for c in perimeter.get("communes") or []]
    epci_names = dict(Epci.objects.filter(siren__in=epci_sirens).values_list("siren", "name"))
    commune_names = dict(Commune.objects.filter(code_insee__in=commune_codes).values_list("code_insee", "name"))
    priorities_doc = list(document.get("priorities") or [])
    measure_codes = {str(code) for p in priorities_doc for code in p.get("measures") or []}
    measure_labels = dict(Measure.objects.filter(code__in=measure_codes).values_list("code", "label"))
    priorities = [
        {
            "number": index,
            "title": p.get("title") or "",
            "measures": [
                {"code": str(code), "label": measure_labels.get(str(code), "")} for code in p.get("measures") or []
            ],
            "local_justification": p.get("local_justification") or "",
            "publics": [publics.get(code, code) for code in p.get("publics") or []],
        }
        for index, p in enumerate(priorities_doc, start=1)
    ]
    actions_doc = list(document.get("actions") or [])
    actions = []
    for index, a in enumerate(actions_doc, start=1):
        priority_number = a.get("priority")
        priority = (
            priorities[priority_number - 1]
            if isinstance(priority_number, int) and 1 <= priority_number <= len(priorities)
            else None
        )
        actions.append(
            {
                "number": index,
                "title": a.get("title") or "",
                "description": a.get("description") or "",
                "priority": priority,
                "territorial_level": levels.get(str(a.get("territorial_level") or ""), a.get("territorial_level")),
                "publics": [publics.get(code, code) for code in a.get("publics") or []],
                "partners": list(a.get("partners") or []),
                "start": _date(a.get("start")),
                "end": _date(a.get("end")),
                "overlaps_departmental_contract": bool(a.get("overlaps_departmental_contract")),
                "articulation": a.get("articulation") or "",
                "impact_measures": list(a.get("impact_measures") or []),
            }
        )
    partners = [
        {
            **p,
            "contribution_label": CONTRIBUTION_LABELS.get(str(p.get("contribution")), p.get("contribution")),
            "amount": _amount(p.get("amount")),
            "valuation": p.get("valuation") or None,
        }
        for p in document.get("partners") or []
    ]
    budget = document.get("budget") or {}

    def action_title(number: Any) -> str:
        if isinstance(number, int) and 1 <= number <= len(actions):
            return f"Action {number} — {actions[number - 1]['title']}"
        return "Hors action (frais communs)"

    expenses = [
        {
            "action": action_title(e.get("action")),
            "category": e.get("category") or "",
            "label": e.get("label") or "",
            "amount": _amount(e.get("amount")),
        }
        for e in budget.get("expenses") or []
    ]
    resources = [
        {
            "kind": r.get("kind"),
            "kind_label": RESOURCE_KIND_LABELS.get(str(r.get("kind")), r.get("kind")),
            "funder": r.get("funder") or "",
            "status": RESOURCE_STATUS_LABELS.get(str(r.get("status")), r.get("status") or ""),
            "amount": _amount(r.get("amount")),
        }
        for r in budget.get("resources") or []
    ]
    in_kind = [
        {"partner": k.get("partner") or "", "label": k.get("label") or "", "amount": _amount(k.get("amount"))}
        for k in budget.get("in_kind") or []
    ]
    return DocumentPresentation(
        title=str(document.get("title") or ""),
        applicant=applicant,
        perimeter_epcis=[{"siren": s, "name": epci_names.get(s, "")} for s in epci_sirens],
        perimeter_communes=[{"code": c, "name": commune_names.get(c, "")} for c in commune_codes],
        diagnostic=str(document.get("diagnostic") or ""),
        complementarity=str(document.get("complementarity") or ""),
        priorities=priorities,
        actions=actions,
        partners=partners,
        expenses=expenses,
        resources=resources,
        in_kind=in_kind,
        expected_impact=str(document.get("expected_impact") or ""),
        impact_measurement=str(document.get("impact_measurement") or ""),
        budget=summarize_budget(document_budget(document, action_count=len(actions_doc)), rules),
    )


def filed_at_label(moment: dt.datetime, call: Call) -> str:
    """« 27 septembre 2024 à 16 h 30 », in the call's time zone (Europe/Paris)."""
    return datetime_fr(moment.astimezone(call.rules.timezone))


def receipt_file_name(version: DossierVersion) -> str:
    return f"accuse-reception-{version.dossier.reference}-v{version.number}.pdf"


def arrival_label(moment: dt.datetime, call: Call) -> str:
    """« 30 septembre 2024 à 23 h 59 min 57 s »: the filing's arrival to the second, in the call's time zone (the
    date and the minute are the platform's one formatter, ``datetime_fr``)."""
    local = moment.astimezone(call.rules.timezone)
    return f"{datetime_fr(local)} min {local.second:02d} s"


def receipt_render(*, version: DossierVersion) -> bytes:
    """The receipt PDF of a filed version: its frozen snapshot, and the pieces joined at the moment of filing."""
    dossier = version.dossier
    call = dossier.call
    document = json.loads(version.snapshot)
    filer = version.submitted_by
    html = render_to_string(
        "pdf/receipt.html",
        {
            # Plain values built for the document, never a model instance nor a user (ADR 0030).
            "call": {"title": call.title},
            "rules": {
                **rules_values(call.rules),
                "cofinancing_excludes_in_kind": call.rules.cofinancing_excludes_in_kind,
            },
            "dossier": {
                "reference": dossier.reference,
                "title": dossier.title,
                "departement": str(dossier.departement),
            },
            "version": {
                "number": version.number,
                "sha256": version.sha256,
                "submitted_by": {"name": filer.get_full_name() or filer.email, "email": filer.email},
            },
            "filed_at": arrival_label(version.submitted_at, call),
            "doc": present_document(document=document, call=call),
            "attachments": [
                {"kind_label": str(a.get_kind_display()), "original_name": a.original_name, "sha256": a.sha256}
                for a in dossier.attachments.all()
            ],
            "font_faces": marianne_font_faces(),
        },
    )
    return html_to_pdf(html)


def receipt_is_pending(version: DossierVersion) -> bool:
    """The version is filed but its receipt PDF is not rendered yet (it is made after the filing's commit)."""
    return not version.receipt_pdf


def receipt_ensure(*, version_id: int) -> DossierVersion:
    """Renders and stores the receipt PDF of a version that has none (idempotent: a version never gets two
    receipts, even when the background task and an on-demand request render it at the same time). The render
    happens outside any transaction; storing it is one conditional update."""
    version = DossierVersion.objects.select_related("dossier__call", "submitted_by").get(pk=version_id)
    return store_once(version, "receipt_pdf", receipt_file_name(version), lambda: receipt_render(version=version))
