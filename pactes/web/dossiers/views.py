"""The applicant's dossier: creation, the eight steps of the editor with the live rules panel, co-editors, and the
read-only summary (``detail``) that every role in scope may open.

Every fetch goes through ``dossiers_visible_to`` (404 outside the scope); only applicants edit, and only a draft.
Every step form carries the ``lock_version`` it was loaded with; a stale save is refused and what was typed is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.forms import HiddenInput
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pactes.accounts.models import User
from pactes.calls.models import Call
from pactes.calls.selectors import calls_public, eligible_sirens
from pactes.dossiers.editing import (
    STEP_CODES,
    STEPS,
    EditRefused,
    ForgedReference,
    InvitationInvalid,
    SaveRefused,
    StaleEdit,
    StepSaved,
    dossier_can_be_edited_by,
    dossier_create,
    dossier_save_step,
    invitation_accept,
    invitation_create,
    invitation_usable,
    organisation_create,
    step_version,
)
from pactes.dossiers.interchange import dossier_verdict
from pactes.dossiers.models import ContributionNature, Dossier, DossierStepVersion, Invitation, ResourceKind
from pactes.dossiers.selectors import dossiers_visible_to
from pactes.instruction.selectors import may_exchange, open_complement_request
from pactes.organisations.models import Organisation
from pactes.rules.dossier import RULES
from pactes.territories.models import Commune, Departement, Epci, IndicatorValue
from pactes.territories.selectors import indicators_for

from . import forms as f

DASHBOARD = "/espace/"

# The live panel's groups: the step where each rule is fixed.
PANEL_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("porteur", "Porteur", ("SIRET_INVALID", "APPLICANT_NOT_ELIGIBLE")),
    ("perimetre", "Périmètre", ("PERIMETER_EMPTY", "PERIMETER_NOT_ELIGIBLE")),
    ("priorites", "Priorités", ("PRIORITIES_COUNT", "PRIORITY_WITHOUT_MEASURE", "PUBLIC_MISSING")),
    (
        "actions",
        "Plan d'actions",
        (
            "ACTION_PLAN_EMPTY",
            "ACTION_INCOMPLETE",
            "ACTION_STARTS_TOO_LATE",
            "ACTION_ENDS_TOO_LATE",
            "ACTION_DATES_INVERTED",
            "PLAN_TOO_LONG",
            "NO_IMPACT_MEASURE",
        ),
    ),
    ("partenaires", "Partenaires", ("CONTRIBUTION_NOT_VALUED", "CONTRIBUTIONS_MISMATCH")),
    ("budget", "Budget", ("BUDGET_UNBALANCED", "GRANT_MISSING", "GRANT_OVER_CAP", "COFINANCING_TOO_LOW")),
    ("impact", "Impact attendu", ("IMPACT_NOT_DESCRIBED",)),
    ("", "Dépôt", ("DEADLINE_PASSED",)),
)


# -- helpers -------------------------------------------------------------------------------------------------------
def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _visible(request: HttpRequest, reference: str) -> Dossier:
    return get_object_or_404(
        dossiers_visible_to(_user(request)).select_related("call", "organisation", "departement"), reference=reference
    )


def _editable(request: HttpRequest, reference: str) -> Dossier | HttpResponse:
    """The dossier when the person may edit it; a redirect to the summary when it is filed; 404 for other roles."""
    dossier = _visible(request, reference)
    user = _user(request)
    if not user.is_applicant:
        raise Http404("Seuls les porteurs modifient un dossier.")
    if not dossier_can_be_edited_by(dossier, user):
        if request.method == "POST":
            messages.error(
                request, "Ce dossier a été déposé : il n'est plus modifiable, vos saisies n'ont pas été enregistrées."
            )
        else:
            messages.info(request, "Ce dossier a été déposé : il est consultable en lecture seule.")
        return redirect("dossiers:detail", reference=dossier.reference)
    return dossier


def _filing_url(name: str, dossier: Dossier) -> str:
    try:
        return reverse(f"filing:{name}", kwargs={"reference": dossier.reference})
    except NoReverseMatch:
        return ""


@dataclass
class RuleLine:
    code: str
    label: str
    messages: list[str]
    blocking: bool

    @property
    def is_met(self) -> bool:
        return not self.messages


@dataclass
class RuleGroup:
    step: str
    title: str
    rules: list[RuleLine] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rules if not r.is_met)


def rules_panel(dossier: Dossier) -> dict[str, Any]:
    """Each rule of the call, met or not, grouped by the step that fixes it, with the budget's figures."""
    # The filing deadline is judged on a draft only: complements are answered during the instruction.
    verdict, summary = dossier_verdict(dossier, now=timezone.now() if dossier.is_draft else None)
    labels = {rule.code: rule.label for rule in RULES}
    placed = {code for _, _, codes in PANEL_GROUPS for code in codes}
    groups = [RuleGroup(step, title) for step, title, _ in PANEL_GROUPS]
    others = RuleGroup("", "Autres règles")
    for rule in RULES:
        reasons = [r for r in verdict.reasons if r.code == rule.code]
        line = RuleLine(rule.code, rule.label, [r.message for r in reasons], any(r.blocking for r in reasons))
        group = next((g for g, (_, _, codes) in zip(groups, PANEL_GROUPS, strict=True) if rule.code in codes), others)
        group.rules.append(line)
    for reason in verdict.reasons:
        if reason.code not in placed and reason.code not in labels:
            others.rules.append(RuleLine(reason.code, reason.code, [reason.message], reason.blocking))
    if others.rules:
        groups.append(others)
    return {"ok": verdict.ok, "groups": groups, "summary": summary, "failed": sum(g.failed for g in groups)}


def _breadcrumb(dossier: Dossier, current: str) -> dict[str, Any]:
    return {
        "links": [
            {"url": DASHBOARD, "title": "Mon espace"},
            {"url": reverse("dossiers:detail", kwargs={"reference": dossier.reference}), "title": dossier.reference},
        ],
        "current": current,
    }


# -- summary -------------------------------------------------------------------------------------------------------
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _visible(request, reference)
    user = _user(request)
    can_edit = dossier_can_be_edited_by(dossier, user)
    return render(
        request,
        "dossiers/detail.html",
        {
            "page_title": f"Dossier {dossier.reference}",
            "dossier": dossier,
            "can_edit": can_edit,
            "complement_request": open_complement_request(dossier)
            if dossier.is_editable and not dossier.is_draft
            else None,
            "exchanges_url": reverse("instruction:messages", kwargs={"reference": dossier.reference})
            if may_exchange(user, dossier)
            else "",
            "panel": rules_panel(dossier) if user.is_applicant or not dossier.is_draft else None,
            "steps": STEPS,
            "summary_url": _filing_url("summary", dossier),
            "breadcrumb_data": {
                "links": [{"url": DASHBOARD, "title": "Mon espace"}],
                "current": f"Dossier {dossier.reference}",
            },
        },
    )


# -- new dossier ---------------------------------------------------------------------------------------------------
def _open_calls(now: dt.datetime) -> list[Call]:
    return [call for call in calls_public() if call.rules.is_filing_open(now)]


def new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.is_applicant:
        raise Http404("Seuls les porteurs de projet créent un dossier.")
    calls = _open_calls(timezone.now())
    organisations = list(Organisation.objects.filter(memberships__user=user).order_by("name"))
    kinds: dict[str, str] = {}
    for call in calls:
        kinds.update({k.code: k.label for k in call.rules.carrier_kinds})
    region_codes = {call.rules.region_code for call in calls}
    departements = Departement.objects.filter(region_code__in=region_codes).order_by("code")
    form = f.NewDossierForm(
        request.POST or None,
        calls=[(c.slug, c.title) for c in calls],
        organisations=[(str(o.pk), f"{o.name} — SIRET {o.siret}" if o.siret else o.name) for o in organisations],
        kinds=list(kinds.items()),
        departements=[(d.code, str(d)) for d in departements],
    )
    if request.method == "POST" and form.is_valid():
        call = next(c for c in calls if c.slug == form.cleaned_data["call"])
        data = form.cleaned_data
        organisation = None
        if data["organisation"]:
            organisation = next((o for o in organisations if str(o.pk) == data["organisation"]), None)
            if organisation is None:
                form.add_error("organisation", "Choisissez une de vos organisations.")
        elif Organisation.objects.filter(siret=data["new_siret"]).exists():
            form.add_error(
                "new_siret",
                "Une organisation de ce SIRET existe déjà sur Pactes : demandez à l'un de ses membres de vous inviter "
                "comme co-éditeur d'un dossier.",
            )
        elif call.rules.carrier_kind(data["new_kind"]) is None:
            form.add_error("new_kind", "Cette nature de porteur n'est pas prévue par l'appel choisi.")
        else:
            organisation = organisation_create(
                name=data["new_name"],
                siret=data["new_siret"],
                kind=data["new_kind"],
                address=data["new_address"],
                departement=departements.filter(code=data["new_departement"]).first(),
                by=user,
            )
        if organisation is not None:
            try:
                dossier = dossier_create(call=call, organisation=organisation, title=data["title"], by=user)
            except EditRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Le dossier {dossier.reference} est créé : complétez-le étape par étape.")
                return redirect("dossiers:step", reference=dossier.reference, step=STEP_CODES[0])
    return render(
        request,
        "dossiers/new.html",
        {
            "page_title": "Nouveau dossier",
            "form": form,
            "calls": calls,
            "breadcrumb_data": {"links": [{"url": DASHBOARD, "title": "Mon espace"}], "current": "Nouveau dossier"},
        },
    )


# -- the steps -----------------------------------------------------------------------------------------------------
@dataclass
class StepForms:
    """The bound or unbound forms of one step, and how to turn them into the service's data."""

    forms: dict[str, Any]
    to_data: Callable[[], dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.forms.values()])


def _applicant_forms(dossier: Dossier, data: Any) -> StepForms:
    organisation = dossier.organisation
    config = dossier.call.rules
    main = f.ApplicantForm(
        data,
        config=config,
        initial={
            "title": dossier.title,
            "name": organisation.name,
            "siret": organisation.siret,
            "kind": organisation.kind,
            "address": organisation.address,
            "legal_representative": dossier.applicant_legal_representative,
            "contact": dossier.applicant_contact,
        },
    )
    consortium = f.ConsortiumFormSet(
        data,
        prefix="consortium",
        initial=[
            {"id": m.pk, "name": m.name, "siret": m.siret, "role": m.role} for m in dossier.consortium_members.all()
        ],
    )

    def to_data() -> dict[str, Any]:
        c = main.cleaned_data
        return {
            "title": c["title"],
            "organisation": {k: c[k] for k in ("name", "siret", "kind", "address")},
            "legal_representative": c["legal_representative"],
            "contact": c["contact"],
            "consortium": f.kept_rows(consortium),
            "consortium_deleted": f.deleted_ids(consortium),
        }

    invitations = Invitation.objects.filter(dossier=dossier).order_by("-invited_at")
    return StepForms(
        {"form": main, "consortium": consortium},
        to_data,
        {
            "invitation_form": f.InvitationForm(),
            "invitations": invitations,
            "editors": dossier.editors.all(),
            "members": User.objects.filter(memberships__organisation=organisation),
        },
    )


def _indicator_rows(level: str, code: str) -> list[IndicatorValue]:
    newest: dict[str, IndicatorValue] = {}
    for value in indicators_for(level, code):
        newest.setdefault(value.indicator.code, value)
    return list(newest.values())


def _perimeter_forms(dossier: Dossier, data: Any) -> StepForms:
    config = dossier.call.rules
    eligible = eligible_sirens(dossier.call)
    region_epcis = sorted(
        Epci.objects.filter(main_region_code=config.region_code).defer("geometry"),
        key=lambda e: (e.siren not in eligible, e.name),
    )
    epci_choices = [
        (e.siren, f"{e.name} — éligible" if e.siren in eligible else f"{e.name} — hors liste des EPCI éligibles")
        for e in region_epcis
    ]
    current_communes = list(dossier.communes.select_related("epci"))
    commune_epci = current_communes[0].epci.siren if current_communes and current_communes[0].epci else ""
    chosen_epci = (data.get("commune_epci") if data is not None else None) or commune_epci
    communes = list(Commune.objects.filter(epci__siren=chosen_epci).order_by("name")) if chosen_epci else []
    form = f.PerimeterForm(
        data,
        epci_choices=epci_choices,
        commune_choices=[(c.code_insee, f"{c.name} ({c.code_insee})") for c in communes],
        initial={
            "mode": "communes" if current_communes else "epci",
            "epcis": [e.siren for e in dossier.epcis.all()],
            "commune_epci": commune_epci,
            "communes": [c.code_insee for c in current_communes],
        },
    )

    def to_data() -> dict[str, Any]:
        c = form.cleaned_data
        if c["mode"] == "epci":
            return {"epcis": list(Epci.objects.filter(siren__in=c["epcis"])), "communes": []}
        return {"epcis": [], "communes": list(Commune.objects.filter(code_insee__in=c["communes"]))}

    territories = []
    for epci in dossier.epcis.all():
        territories.append(
            {
                "name": epci.name,
                "code": epci.siren,
                "kind": "EPCI",
                "eligible": epci.siren in eligible,
                "indicators": _indicator_rows("epci", epci.siren),
            }
        )
    for commune in current_communes:
        siren = commune.epci.siren if commune.epci else ""
        territories.append(
            {
                "name": commune.name,
                "code": commune.code_insee,
                "kind": "Commune",
                "eligible": siren in eligible,
                "indicators": _indicator_rows("commune", commune.code_insee),
            }
        )
    if current_communes and current_communes[0].epci:
        epci = current_communes[0].epci
        territories.append(
            {
                "name": epci.name,
                "code": epci.siren,
                "kind": "EPCI (ensemble)",
                "eligible": epci.siren in eligible,
                "indicators": _indicator_rows("epci", epci.siren),
            }
        )
    return StepForms({"form": form}, to_data, {"territories": territories, "has_eligible_list": bool(eligible)})


def _diagnostic_forms(dossier: Dossier, data: Any) -> StepForms:
    form = f.DiagnosticForm(
        data, initial={"diagnostic": dossier.diagnostic, "complementarity": dossier.complementarity}
    )
    return StepForms({"form": form}, lambda: dict(form.cleaned_data))


def _priority_forms(dossier: Dossier, data: Any) -> StepForms:
    config = dossier.call.rules
    priorities = list(dossier.priorities.prefetch_related("measures"))
    protected = frozenset(dossier.actions.values_list("priority_id", flat=True))
    formset = f.priority_formset(config)(
        data,
        prefix="priorites",
        form_kwargs={"config": config, "protected_ids": protected},
        initial=[
            {
                "id": p.pk,
                "title": p.title,
                "measures": list(p.measures.all()),
                "local_justification": p.local_justification,
                "publics": p.publics,
                "other_public_justification": p.other_public_justification,
            }
            for p in priorities
        ],
    )

    def to_data() -> dict[str, Any]:
        return {"priorities": f.kept_rows(formset), "priorities_deleted": f.deleted_ids(formset)}

    return StepForms({"formset": formset}, to_data, {"priorities_max": config.priorities_max})


def _action_list(dossier: Dossier, data: Any) -> StepForms:
    priorities = list(dossier.priorities.prefetch_related("actions__impact_measures"))
    versions = dict(
        DossierStepVersion.objects.filter(dossier=dossier, step__startswith="action-").values_list("step", "version")
    )
    for priority in priorities:
        for action in priority.actions.all():
            action.edit_version = versions.get(f"action-{action.pk}", 0)  # for its « Supprimer » form
    return StepForms({}, None, {"priorities": priorities})


def _partner_forms(dossier: Dossier, data: Any) -> StepForms:
    formset = f.PartnerFormSet(
        data,
        prefix="partenaires",
        initial=[
            {
                "id": p.pk,
                "name": p.name,
                "siret": p.siret,
                "contribution": p.contribution,
                "amount": p.amount,
                "quantity": p.quantity,
                "unit": p.unit,
                "unit_value": p.unit_value,
                "basis": p.basis,
                "funder_kind": p.funder_kind,
                "funding_status": p.funding_status,
            }
            for p in dossier.partners.all()
        ],
    )
    return StepForms(
        {"formset": formset},
        lambda: {"partners": f.kept_rows(formset), "partners_deleted": f.deleted_ids(formset)},
    )


def _budget_forms(dossier: Dossier, data: Any) -> StepForms:
    config = dossier.call.rules
    actions = [(str(a.pk), a.title) for a in dossier.actions.all()]
    resources = list(dossier.resources.select_related("contributor"))
    typed = [r for r in resources if r.contributor_id is None]
    grant = next((r.amount for r in typed if r.kind == ResourceKind.STATE_PTS), None)
    own = next((r.amount for r in typed if r.kind == ResourceKind.OWN_FUNDS), None)
    partners = list(dossier.partners.all())
    main = f.BudgetForm(data, config=config, initial={"state_grant": grant, "own_funds": own})
    expenses = f.ExpenseFormSet(
        data,
        prefix="depenses",
        form_kwargs={"actions": actions},
        initial=[
            {"id": e.pk, "action": str(e.action_id or ""), "category": e.category, "label": e.label, "amount": e.amount}
            for e in dossier.expenses.all()
        ],
    )
    cofinancing = f.ResourceFormSet(
        data,
        prefix="ressources",
        form_kwargs={"partner_names": tuple(p.name for p in partners)},
        initial=[
            {"id": r.pk, "kind": r.kind, "funder": r.funder, "amount": r.amount, "status": r.status}
            for r in typed
            if r.kind in (ResourceKind.PUBLIC, ResourceKind.PRIVATE)
        ],
    )

    def to_data() -> dict[str, Any]:
        action_rows = {str(a.pk): a for a in dossier.actions.all()}
        expense_rows = []
        for row in f.kept_rows(expenses):
            row["action"] = action_rows.get(row["action"] or "")
            expense_rows.append(row)
        return {
            "expenses": expense_rows,
            "expenses_deleted": f.deleted_ids(expenses),
            "state_grant": main.cleaned_data["state_grant"],
            "own_funds": main.cleaned_data["own_funds"],
            "resources": f.kept_rows(cofinancing),
            "resources_deleted": f.deleted_ids(cofinancing),
        }

    in_kind_lines = list(dossier.in_kind_lines.all())
    return StepForms(
        {"form": main, "expenses": expenses, "cofinancing": cofinancing},
        to_data,
        {
            "categories": f.EXPENSE_CATEGORIES,
            "config": config,
            # Typed once, at step 6: shown here read-only, with a link back.
            "partner_resources": [r for r in resources if r.contributor_id is not None],
            "partner_in_kind": [k for k in in_kind_lines if k.contributor_id is not None],
            "unattached_in_kind": [k for k in in_kind_lines if k.contributor_id is None],
            "in_kind_total": sum((k.amount for k in in_kind_lines), Decimal(0)),
            "partners_url": reverse("dossiers:step", kwargs={"reference": dossier.reference, "step": "partenaires"}),
            "unvalued_partners": [
                p for p in partners if p.contribution != ContributionNature.FINANCIAL and p.amount is None
            ],
        },
    )


def _impact_forms(dossier: Dossier, data: Any) -> StepForms:
    form = f.ImpactForm(
        data, initial={"expected_impact": dossier.expected_impact, "impact_measurement": dossier.impact_measurement}
    )
    return StepForms({"form": form}, lambda: dict(form.cleaned_data))


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


def _destination(request: HttpRequest, dossier: Dossier, step: str) -> str:
    """Where the buttons lead once the step is saved: previous, next, a step of the stepper, or the same page."""
    goto = request.POST.get("goto", "")
    index = STEP_CODES.index(step)
    if goto == "next":
        if index + 1 < len(STEP_CODES):
            goto = STEP_CODES[index + 1]
        else:
            return _filing_url("attachments", dossier) or reverse(
                "dossiers:step", kwargs={"reference": dossier.reference, "step": step}
            )
    elif goto == "previous":
        goto = STEP_CODES[max(index - 1, 0)]
    elif goto in ("attachments", "summary"):
        return _filing_url(goto, dossier) or reverse(
            "dossiers:step", kwargs={"reference": dossier.reference, "step": step}
        )
    if goto not in STEP_CODES:
        goto = step
    return reverse("dossiers:step", kwargs={"reference": dossier.reference, "step": goto})


def _posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        return -1  # a form without its version is treated as stale: nothing is overwritten blindly


def _refuse_tampered(step_forms: StepForms) -> None:
    """A list whose counts no page of ours sends (negative, missing) is refused whole: a French 400, nothing written
    (it once deleted every expense line)."""
    if any(isinstance(form, f.BaseLineFormSet) and form.is_tampered() for form in step_forms.forms.values()):
        raise BadRequest("Les lignes envoyées sont incohérentes : rien n'a été enregistré. Rechargez la page.")


def _save(request: HttpRequest, dossier: Dossier, step: str, data: dict[str, Any], version: int) -> StepSaved:
    try:
        return dossier_save_step(dossier=dossier, step=step, data=data, expected_version=version, by=_user(request))
    except ForgedReference as exc:
        raise BadRequest(
            f"Le formulaire désigne une ligne d'un autre dossier ({exc}) : rien n'a été enregistré."
        ) from exc


def _row_ids(data: dict[str, Any]) -> dict[str, str]:
    """Input name → id of every line the save created or updated, for the page's next save."""
    fields = {}
    for value in data.values():
        if isinstance(value, list):
            for row in value:
                if isinstance(row, dict) and row.get("_prefix") and row.get("id"):
                    fields[f"{row['_prefix']}-id"] = str(row["id"])
    return fields


def step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    if step not in STEP_FORMS:
        raise Http404("Étape inconnue.")
    dossier = _editable(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    if request.method != "POST":
        return _render_step(
            request, dossier, step, STEP_FORMS[step](dossier, None), version=step_version(dossier, step)
        )
    if request.headers.get("X-Pactes-Autosave") == "1":
        return _autosave(request, dossier, step)
    step_forms = STEP_FORMS[step](dossier, request.POST)
    _refuse_tampered(step_forms)
    version = _posted_version(request)
    if "refresh" in request.POST:  # « Afficher les communes »: redisplay without saving
        return _render_step(request, dossier, step, step_forms, version=version)
    if step_forms.to_data is None:
        return redirect(_destination(request, dossier, step))
    if not step_forms.is_valid():
        messages.error(request, "Certaines saisies sont à corriger : rien n'a été enregistré pour cette étape.")
        return _render_step(request, dossier, step, step_forms, version=version)
    try:
        _save(request, dossier, step, step_forms.to_data(), version)
    except StaleEdit as exc:
        return _render_conflict(request, dossier, step, step_forms, exc, STEP_FORMS[step](dossier, None))
    except SaveRefused as exc:
        messages.error(request, str(exc))
        return _render_step(request, dossier, step, step_forms, version=version)
    except EditRefused as exc:
        messages.error(request, str(exc))
        return redirect("dossiers:detail", reference=dossier.reference)
    messages.success(request, f"Étape « {dict(STEPS)[step]} » enregistrée.")
    return redirect(_destination(request, dossier, step))


def _autosave(request: HttpRequest, dossier: Dossier, step: str) -> JsonResponse:
    """Background save of the step being typed (dossier.js): same service, same stale-edit refusal, JSON answer.
    ``fields`` gives the page the new version and the ids of the lines it saved, so that the next save (automatic or
    typed) updates those rows instead of creating them again."""
    step_forms = STEP_FORMS[step](dossier, request.POST)
    _refuse_tampered(step_forms)
    if step_forms.to_data is None:
        return JsonResponse({"saved": False, "message": ""})
    if not step_forms.is_valid():
        return JsonResponse(
            {"saved": False, "message": "Saisie à compléter : enregistrement automatique en attente."}, status=422
        )
    data = step_forms.to_data()
    try:
        saved = _save(request, dossier, step, data, _posted_version(request))
    except StaleEdit as exc:
        return JsonResponse({"saved": False, "stale": True, "message": str(exc)}, status=409)
    except SaveRefused as exc:
        return JsonResponse({"saved": False, "message": str(exc)}, status=422)
    except EditRefused as exc:
        return JsonResponse({"saved": False, "message": str(exc)}, status=403)
    at = timezone.localtime().strftime("%H:%M")
    return JsonResponse(
        {
            "saved": True,
            "lock_version": saved.version,
            "fields": {"lock_version": str(saved.version), **_row_ids(data)},
            "message": f"Enregistré automatiquement à {at}.",
        }
    )


# -- a conflict on one step: both versions side by side ---------------------------------------------------------------
FORMSET_LABELS = {
    "consortium": "Membres du consortium",
    "expenses": "Dépenses",
    "cofinancing": "Autres cofinancements",
    "measures": "Mesures d'impact",
    "formset": "Lignes",
}


@dataclass
class Difference:
    label: str
    mine: list[str]
    saved: list[str]

    @property
    def differs(self) -> bool:
        return self.mine != self.saved


def _shown(field: Any) -> str:
    """What a bound field holds, as a person reads it (choice labels, not codes)."""
    value = field.value()
    choices = getattr(field.field, "choices", None)
    values = value if isinstance(value, list | tuple) else [value]
    texts = []
    labels = {str(k): str(v) for k, v in choices} if choices is not None else {}
    for item in values:
        if item in (None, "", False):
            continue
        text = labels.get(str(item), "oui" if item is True else str(item))
        texts.append(text)
    return ", ".join(texts)


def _line_texts(formset: Any) -> list[str]:
    lines = []
    for form in formset.forms:
        if form.is_bound and (not form.has_changed() or (form.is_valid() and form.cleaned_data.get("DELETE"))):
            continue
        parts = [_shown(form[name]) for name, field in form.fields.items() if name not in ("id", "DELETE")]
        text = " · ".join(p for p in parts if p)
        if text:
            lines.append(text)
    return lines


def step_comparison(mine: StepForms, saved: StepForms) -> list[Difference]:
    """Field by field (a list as its lines), what the person typed and what is stored, for the conflict view."""
    rows: list[Difference] = []
    for key, form in mine.forms.items():
        other = saved.forms[key]
        if isinstance(form, f.BaseLineFormSet):
            rows.append(Difference(FORMSET_LABELS.get(key, key), _line_texts(form), _line_texts(other)))
            continue
        for name in form.fields:
            if isinstance(form.fields[name].widget, HiddenInput):
                continue
            rows.append(Difference(str(form.fields[name].label), [_shown(form[name])], [_shown(other[name])]))
    return rows


def _render_conflict(
    request: HttpRequest,
    dossier: Dossier,
    step: str,
    mine: StepForms,
    stale: StaleEdit,
    saved: StepForms,
    **kwargs: Any,
) -> HttpResponse:
    """The page as typed (nothing thrown away), the stored version beside it, and the current version in the form:
    saving again knowingly replaces the other person's version."""
    return _render_step(
        request,
        dossier,
        step,
        mine,
        version=stale.current_version,
        stale_message=str(stale),
        comparison=step_comparison(mine, saved),
        **kwargs,
    )


def _render_step(
    request: HttpRequest,
    dossier: Dossier,
    step: str,
    step_forms: StepForms,
    *,
    version: int,
    stale_message: str = "",
    comparison: list[Difference] | None = None,
    template: str = "",
    title: str = "",
) -> HttpResponse:
    index = STEP_CODES.index(step)
    label = dict(STEPS)[step]
    context = {
        "page_title": f"{title or label} — dossier {dossier.reference}",
        "breadcrumb_data": _breadcrumb(dossier, title or label),
        "dossier": dossier,
        "config": dossier.call.rules,
        "step": step,
        "steps": [(i + 1, code, name) for i, (code, name) in enumerate(STEPS)],
        "step_number": index + 1,
        "step_label": label,
        "next_label": dict(STEPS)[STEP_CODES[index + 1]] if index + 1 < len(STEP_CODES) else "Pièces jointes",
        "total_steps": len(STEPS) + 2,
        "lock_version": version,
        "autosave_seconds": settings.PACTES_AUTOSAVE_SECONDS,
        "stale_message": stale_message,
        "comparison": comparison or [],
        "panel": rules_panel(dossier),
        "attachments_url": _filing_url("attachments", dossier),
        "summary_url": _filing_url("summary", dossier),
        **step_forms.forms,
        **step_forms.extra,
    }
    status = 409 if stale_message else 200
    return render(request, template or f"dossiers/steps/{step}.html", context, status=status)


# -- one action of the plan ----------------------------------------------------------------------------------------
def _action_forms(dossier: Dossier, action: Any, priorities: list[Any], data: Any) -> StepForms:
    config = dossier.call.rules
    partner_names = [p.name for p in dossier.partners.all()]
    initial: dict[str, Any] = {}
    measures_initial: list[dict[str, Any]] = []
    if action is not None:
        initial = {
            "priority": str(action.priority_id),
            "title": action.title,
            "description": action.description,
            "territorial_level": action.territorial_level,
            "publics": action.publics,
            "partner_choices": [p for p in action.partners if p in partner_names],
            "other_partners": [p for p in action.partners if p not in partner_names],
            "start": action.start,
            "end": action.end,
            "overlaps_departmental_contract": action.overlaps_departmental_contract,
            "articulation": action.articulation,
        }
        measures_initial = [
            {
                "id": m.pk,
                "indicator": m.indicator,
                "unit": m.unit,
                "baseline": m.baseline,
                "target": m.target,
                "method": m.method,
                "frequency": m.frequency,
            }
            for m in action.impact_measures.all()
        ]
    form = f.ActionForm(
        data,
        config=config,
        priorities=[(str(p.pk), f"Priorité {i + 1} — {p.title}") for i, p in enumerate(priorities)],
        partners=partner_names,
        initial=initial,
    )
    measures = f.ImpactMeasureFormSet(data, prefix="mesures", initial=measures_initial)

    def to_data() -> dict[str, Any]:
        c = form.cleaned_data
        return {
            "id": action.pk if action else None,
            "priority": next(p for p in priorities if str(p.pk) == c["priority"]),
            "title": c["title"],
            "description": c["description"],
            "territorial_level": c["territorial_level"],
            "publics": list(c["publics"]),
            "partners": form.partners(),
            "start": c["start"],
            "end": c["end"],
            "overlaps_departmental_contract": c["overlaps_departmental_contract"],
            "articulation": c["articulation"],
            "impact_measures": f.kept_rows(measures),
            "impact_measures_deleted": f.deleted_ids(measures),
        }

    return StepForms({"form": form, "measures": measures}, to_data, {"action": action, "plain_links": True})


def action_edit(request: HttpRequest, reference: str, pk: int | None = None) -> HttpResponse:
    dossier = _editable(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    action = get_object_or_404(dossier.actions, pk=pk) if pk is not None else None
    priorities = list(dossier.priorities.all())
    if not priorities:
        messages.warning(request, "Définissez d'abord au moins une priorité : chaque action s'y rattache.")
        return redirect("dossiers:step", reference=dossier.reference, step="priorites")
    title = f"Action « {action.title} »" if action else "Nouvelle action"
    render_kwargs: dict[str, Any] = {"template": "dossiers/steps/action_form.html", "title": title}
    if request.method != "POST":
        forms = _action_forms(dossier, action, priorities, None)
        version = step_version(dossier, f"action-{action.pk}") if action else 0
        return _render_step(request, dossier, "actions", forms, version=version, **render_kwargs)
    forms = _action_forms(dossier, action, priorities, request.POST)
    _refuse_tampered(forms)
    version = _posted_version(request) if action else 0
    if not forms.is_valid():
        messages.error(request, "Certaines saisies sont à corriger : l'action n'a pas été enregistrée.")
        return _render_step(request, dossier, "actions", forms, version=version, **render_kwargs)
    assert forms.to_data is not None
    try:
        _save(request, dossier, "action", forms.to_data(), version)
    except StaleEdit as exc:
        saved = _action_forms(dossier, action, priorities, None)
        return _render_conflict(request, dossier, "actions", forms, exc, saved, **render_kwargs)
    except SaveRefused as exc:
        messages.error(request, str(exc))
        return _render_step(request, dossier, "actions", forms, version=version, **render_kwargs)
    except EditRefused as exc:
        messages.error(request, str(exc))
        return redirect("dossiers:detail", reference=dossier.reference)
    messages.success(request, f"Action « {forms.forms['form'].cleaned_data['title']} » enregistrée.")
    return redirect("dossiers:step", reference=dossier.reference, step="actions")


@require_POST
def action_delete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    dossier = _editable(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    action = get_object_or_404(dossier.actions, pk=pk)
    try:
        _save(request, dossier, "action_delete", {"id": action.pk}, _posted_version(request))
    except StaleEdit as exc:
        messages.error(
            request,
            f"L'action « {action.title} » a été modifiée par {exc.by_name} entre-temps : elle n'a pas été supprimée. "
            "Relisez-la avant de recommencer.",
        )
    else:
        messages.success(request, f"Action « {action.title} » supprimée.")
    return redirect("dossiers:step", reference=dossier.reference, step="actions")


# -- co-editors ----------------------------------------------------------------------------------------------------
@require_POST
def invite(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _editable(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    form = f.InvitationForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        invitation_create(
            dossier=dossier,
            email=email,
            by=_user(request),
            accept_url=lambda token: request.build_absolute_uri(reverse("dossiers:invitation", args=[token])),
        )
        messages.success(request, f"Invitation envoyée à {email}.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("dossiers:step", reference=dossier.reference, step="porteur")


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = Invitation.objects.select_related("dossier", "invited_by").filter(token=token).first()
    if found is None:
        raise Http404("Ce lien d'invitation n'est pas valide.")
    problem = invitation_usable(found)
    if request.method == "POST" and not problem:
        try:
            dossier = invitation_accept(token=token, by=_user(request))
        except InvitationInvalid as exc:
            problem = str(exc)
        else:
            messages.success(request, f"Vous êtes désormais co-éditeur du dossier {dossier.reference}.")
            return redirect("dossiers:step", reference=dossier.reference, step=STEP_CODES[0])
    return render(
        request,
        "dossiers/invitation.html",
        {
            "page_title": "Invitation à co-éditer un dossier",
            "invitation": found,
            "problem": problem,
            "breadcrumb_data": {"links": [{"url": DASHBOARD, "title": "Mon espace"}], "current": "Invitation"},
        },
        status=200 if not problem else 410,
    )


def edit(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _editable(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    return redirect("dossiers:step", reference=dossier.reference, step=STEP_CODES[0])
