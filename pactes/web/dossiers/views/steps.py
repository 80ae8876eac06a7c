"""The forms of each step of the editor (``STEP_FORMS``), built from the dossier by the forms themselves, and what
each page shows beside them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse

from pactes.accounts.models import User
from pactes.core.prepared import PreparedQuery
from pactes.dossiers.models import ContributionNature, Dossier, DossierStepVersion, Invitation
from pactes.territories.models import IndicatorValue
from pactes.territories.selectors import indicators_for

from .. import forms as f
from ..forms.lines import TableHtml
from .budget_fields import FieldsHtml, fields_key, kept_fields


@dataclass
class StepForms:
    """The bound or unbound forms of one step (``saves`` False: a page that lists, with nothing to save)."""

    forms: dict[str, Any]
    saves: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.forms.values()])

    def to_data(self) -> dict[str, Any]:
        """The data of ``dossier_save_step``: the union of the forms' parts."""
        data: dict[str, Any] = {}
        for form in self.forms.values():
            data.update(form.to_step_data())
        return data


def _applicant_forms(dossier: Dossier, data: Any) -> StepForms:
    return StepForms(
        {
            "form": f.ApplicantForm.from_dossier(dossier, data),
            "consortium": f.ConsortiumFormSet.from_dossier(dossier, data),
        },
        extra={
            "invitation_form": f.InvitationForm(),
            "invitations": Invitation.objects.filter(dossier=dossier).order_by("-invited_at"),
            "editors": dossier.editors.all(),
            "members": User.objects.filter(memberships__organisation=dossier.organisation),
        },
    )


def _indicator_rows(level: str, code: str) -> list[IndicatorValue]:
    """The newest value of each indicator of one territory."""
    newest: dict[str, IndicatorValue] = {}
    for value in indicators_for(level, code):
        newest.setdefault(value.indicator.code, value)
    return list(newest.values())


def _territory(name: str, code: str, kind: str, eligible: bool, level: str) -> dict[str, Any]:
    return {"name": name, "code": code, "kind": kind, "eligible": eligible, "indicators": _indicator_rows(level, code)}


def _perimeter_forms(dossier: Dossier, data: Any) -> StepForms:
    form = f.PerimeterForm.from_dossier(dossier, data)
    eligible = form.eligible
    current_communes = list(dossier.communes.select_related("epci"))
    territories = [_territory(e.name, e.siren, "EPCI", e.siren in eligible, "epci") for e in dossier.epcis.all()]
    for commune in current_communes:
        siren = commune.epci.siren if commune.epci else ""
        territories.append(_territory(commune.name, commune.code_insee, "Commune", siren in eligible, "commune"))
    if current_communes and current_communes[0].epci:
        epci = current_communes[0].epci
        territories.append(_territory(epci.name, epci.siren, "EPCI (ensemble)", epci.siren in eligible, "epci"))
    return StepForms({"form": form}, extra={"territories": territories, "has_eligible_list": bool(eligible)})


def _diagnostic_forms(dossier: Dossier, data: Any) -> StepForms:
    return StepForms({"form": f.DiagnosticForm.from_dossier(dossier, data)})


def _priority_forms(dossier: Dossier, data: Any) -> StepForms:
    return StepForms(
        {"formset": f.priority_formset_from_dossier(dossier, data)},
        extra={"priorities_max": dossier.call.rules.priorities_max},
    )


def _action_list(dossier: Dossier, data: Any) -> StepForms:
    priorities = list(dossier.priorities.prefetch_related("actions__impact_measures"))
    versions = dict(
        DossierStepVersion.objects.filter(dossier=dossier, step__startswith="action-").values_list("step", "version")
    )
    for priority in priorities:
        for action in priority.actions.all():
            action.edit_version = versions.get(f"action-{action.pk}", 0)  # for its « Supprimer » form
    return StepForms({}, saves=False, extra={"priorities": priorities})


def _partner_forms(dossier: Dossier, data: Any) -> StepForms:
    return StepForms({"formset": f.PartnerFormSet.from_dossier(dossier, data)})


# The lines the budget step reads, once (a save re-reads the locked dossier; ``refresh_from_db`` forgets them).
BUDGET_LINES = ("resources", "in_kind_lines", "partners", "expenses", "actions")


def _lines_query(name: str) -> PreparedQuery[Any]:
    """``dossier.<name>.all()`` as a prepared query of the dossier's id (the related manager's filter and order)."""
    field = getattr(Dossier, name).field
    return PreparedQuery(
        lambda dossier_id: field.model._default_manager.filter(**{field.name: dossier_id}), kinds=(int,)
    )


# Compiled once per process: building these five querysets cost more than twice running them (ADR 0056).
_LINES = {name: _lines_query(name) for name in BUDGET_LINES}


def prefetch_lines(dossier: Dossier, names: tuple[str, ...]) -> None:
    """``prefetch_related_objects([dossier], *names)`` for lists of the dossier's lines, by prepared queries: each
    line knows its dossier, and ``dossier.<name>.all()`` gives them without a query."""
    cache = dossier.__dict__.setdefault("_prefetched_objects_cache", {})
    for name in names:
        manager = getattr(dossier, name)
        if manager.field.remote_field.cache_name in cache:
            continue
        rows = _LINES[name].all(dossier.pk)
        for row in rows:
            manager.field.set_cached_value(row, dossier)
        queryset = manager.get_queryset()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        cache[manager.field.remote_field.cache_name] = queryset


def _budget_forms(dossier: Dossier, data: Any) -> StepForms:
    # Read once for the request: the forms, the read-only tables and the rules panel share these lines.
    prefetch_lines(dossier, BUDGET_LINES)
    resources = list(dossier.resources.all())
    in_kind_lines = list(dossier.in_kind_lines.all())
    partners = list(dossier.partners.all())
    expenses = f.ExpenseFormSet.from_dossier(dossier, data)
    cofinancing = f.ResourceFormSet.from_dossier(dossier, data)
    forms = {
        # In the order of the page (the error summary follows it): expenses, grant and own funds, cofinancing.
        "expenses": expenses,
        "form": f.BudgetForm.from_dossier(dossier, data),
        "cofinancing": cofinancing,
    }
    extra = {
        "expenses_table": TableHtml(expenses, "Dépenses prévisionnelles"),
        "cofinancing_table": TableHtml(cofinancing, "Cofinancements"),
        "categories": f.EXPENSE_CATEGORIES,
        "config": dossier.call.rules,
        # Typed once, at step 6: shown here read-only, with a link back.
        "partner_resources": [r for r in resources if r.contributor_id is not None],
        "partner_in_kind": [k for k in in_kind_lines if k.contributor_id is not None],
        "unattached_in_kind": [k for k in in_kind_lines if k.contributor_id is None],
        "in_kind_total": sum((k.amount for k in in_kind_lines), Decimal(0)),
        "partners_url": reverse("dossiers:step", kwargs={"reference": dossier.reference, "step": "partenaires"}),
        "unvalued_partners": [
            p for p in partners if p.contribution != ContributionNature.FINANCIAL and p.amount is None
        ],
    }
    key = fields_key(dossier) if data is None else None  # only the stored values are kept
    extra["budget_fields"] = FieldsHtml({**forms, **extra}, key)
    return StepForms(forms, extra=extra)


def unbound_step_forms(dossier: Dossier, step: str) -> StepForms:
    """The forms of ``step`` with the stored values; for the budget step, its fields' HTML alone when this process
    has shown this version of them (``budget_fields``): no line read, no form built."""
    if step == "budget":
        html = kept_fields(dossier)
        if html is not None:
            return StepForms({}, extra={"budget_fields": html})
    return STEP_FORMS[step](dossier, None)


def _impact_forms(dossier: Dossier, data: Any) -> StepForms:
    return StepForms({"form": f.ImpactForm.from_dossier(dossier, data)})


STEP_FORMS: dict[str, Callable[[Dossier, Any], StepForms]] = {
    "porteur": _applicant_forms,
    "perimetre": _perimeter_forms,
    "diagnostic": _diagnostic_forms,
    "priorites": _priority_forms,
    "actions": _action_list,
    "partenaires": _partner_forms,
    "budget": _budget_forms,
    "impact": _impact_forms,
}


def action_forms(dossier: Dossier, action: Any, data: Any) -> StepForms:
    """One action of the plan (None: a new one) and its impact measures."""
    return StepForms(
        {
            "form": f.ActionForm.from_action(dossier, action, data),
            "measures": f.ImpactMeasureFormSet.from_action(action, data),
        },
        extra={"action": action, "plain_links": True},
    )
