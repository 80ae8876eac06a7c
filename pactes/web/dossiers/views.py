"""The applicant's dossier: creation, the eight steps of the editor with the live rules panel, co-editors, and the
read-only summary (``detail``) that every role in scope may open.

Every fetch goes through ``dossiers_visible_to`` (404 outside the scope); only applicants edit, and only a draft.
Every step form carries the ``lock_version`` it was loaded with; a stale save is refused and what was typed is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pactes.accounts.models import User
from pactes.calls.models import Call
from pactes.calls.selectors import calls_public
from pactes.dossiers.editing import (
    STEP_CODES,
    STEPS,
    EditRefused,
    InvitationInvalid,
    StaleEdit,
    dossier_can_be_edited_by,
    dossier_create,
    dossier_save_step,
    invitation_accept,
    invitation_create,
    invitation_usable,
    organisation_create,
)
from pactes.dossiers.models import Dossier, Invitation, ResourceKind
from pactes.dossiers.selectors import dossiers_visible_to
from pactes.instruction.selectors import may_exchange, open_complement_request
from pactes.organisations.models import Organisation
from pactes.rules.dossier import RULES
from pactes.territories.models import Commune, Departement, Epci, IndicatorValue

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
    ("partenaires", "Partenaires", ("CONTRIBUTION_NOT_VALUED",)),
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


def rules_panel(dossier: Dossier) -> dict[str, Any] | None:
    """Each rule of the call, met or not, grouped by the step that fixes it, with the budget's figures."""
    try:
        from pactes.dossiers.checks import dossier_verdict
    except ImportError:  # the checks module ships with the interchange format
        return None
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
        initial=[{"name": m.name, "siret": m.siret, "role": m.role} for m in dossier.consortium_members.all()],
    )

    def to_data() -> dict[str, Any]:
        c = main.cleaned_data
        return {
            "title": c["title"],
            "organisation": {k: c[k] for k in ("name", "siret", "kind", "address")},
            "legal_representative": c["legal_representative"],
            "contact": c["contact"],
            "consortium": f.kept_rows(consortium),
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
    try:
        from pactes.territories.selectors import indicators_for
    except ImportError:  # pragma: no cover - the territories app ships it
        return list(IndicatorValue.objects.filter(level=level, territory_code=code).select_related("indicator"))
    newest: dict[str, IndicatorValue] = {}
    for value in indicators_for(level, code):
        newest.setdefault(value.indicator.code, value)
    return list(newest.values())


def _eligible_sirens(call: Call) -> frozenset[str]:
    try:
        from pactes.dossiers.checks import eligible_sirens
    except ImportError:
        return frozenset()
    return eligible_sirens(call)


def _perimeter_forms(dossier: Dossier, data: Any) -> StepForms:
    config = dossier.call.rules
    eligible = _eligible_sirens(dossier.call)
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
        return {"priorities": f.kept_rows(formset)}

    return StepForms({"formset": formset}, to_data, {"priorities_max": config.priorities_max})


def _action_list(dossier: Dossier, data: Any) -> StepForms:
    priorities = list(dossier.priorities.prefetch_related("actions__impact_measures"))
    return StepForms({}, None, {"priorities": priorities})


def _partner_forms(dossier: Dossier, data: Any) -> StepForms:
    formset = f.PartnerFormSet(
        data,
        prefix="partenaires",
        initial=[
            {
                "name": p.name,
                "siret": p.siret,
                "contribution": p.contribution,
                "amount": p.amount,
                "quantity": p.quantity,
                "unit": p.unit,
                "unit_value": p.unit_value,
                "basis": p.basis,
            }
            for p in dossier.partners.all()
        ],
    )
    return StepForms({"formset": formset}, lambda: {"partners": f.kept_rows(formset)})


def _budget_forms(dossier: Dossier, data: Any) -> StepForms:
    config = dossier.call.rules
    actions = [(str(a.pk), a.title) for a in dossier.actions.all()]
    resources = list(dossier.resources.all())
    grant = next((r.amount for r in resources if r.kind == ResourceKind.STATE_PTS), None)
    own = next((r.amount for r in resources if r.kind == ResourceKind.OWN_FUNDS), None)
    main = f.BudgetForm(data, config=config, initial={"state_grant": grant, "own_funds": own})
    expenses = f.ExpenseFormSet(
        data,
        prefix="depenses",
        form_kwargs={"actions": actions},
        initial=[
            {"action": str(e.action_id or ""), "category": e.category, "label": e.label, "amount": e.amount}
            for e in dossier.expenses.all()
        ],
    )
    cofinancing = f.ResourceFormSet(
        data,
        prefix="ressources",
        initial=[
            {"kind": r.kind, "funder": r.funder, "amount": r.amount, "status": r.status}
            for r in resources
            if r.kind in (ResourceKind.PUBLIC, ResourceKind.PRIVATE)
        ],
    )
    in_kind = f.InKindFormSet(
        data,
        prefix="nature",
        initial=[{"partner": k.partner, "label": k.label, "amount": k.amount} for k in dossier.in_kind_lines.all()],
    )

    def to_data() -> dict[str, Any]:
        action_rows = {str(a.pk): a for a in dossier.actions.all()}
        expense_rows = []
        for row in f.kept_rows(expenses):
            row["action"] = action_rows.get(row["action"] or "")
            expense_rows.append(row)
        return {
            "expenses": expense_rows,
            "state_grant": main.cleaned_data["state_grant"],
            "own_funds": main.cleaned_data["own_funds"],
            "resources": f.kept_rows(cofinancing),
            "in_kind": f.kept_rows(in_kind),
        }

    declared = [p for p in dossier.partners.all() if p.contribution != "financial" and p.amount]
    return StepForms(
        {"form": main, "expenses": expenses, "cofinancing": cofinancing, "in_kind": in_kind},
        to_data,
        {"categories": f.EXPENSE_CATEGORIES, "declared_in_kind": declared, "config": config},
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


def _posted_lock_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        return -1  # a form without its version is treated as stale: nothing is overwritten blindly


def step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    if step not in STEP_FORMS:
        raise Http404("Étape inconnue.")
    dossier = _editable(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    lock_version = dossier.lock_version
    stale_message = ""
    if request.method == "POST" and request.headers.get("X-Pactes-Autosave") == "1":
        return _autosave(request, dossier, step)
    if request.method == "POST":
        lock_version = _posted_lock_version(request)
        step_forms = STEP_FORMS[step](dossier, request.POST)
        if "refresh" in request.POST:  # « Afficher les communes »: redisplay without saving
            pass
        elif step_forms.to_data is None:
            return redirect(_destination(request, dossier, step))
        elif step_forms.is_valid():
            try:
                dossier_save_step(
                    dossier=dossier,
                    step=step,
                    data=step_forms.to_data(),
                    expected_lock_version=lock_version,
                    by=_user(request),
                )
            except StaleEdit as exc:
                stale_message = str(exc)
            except EditRefused as exc:
                messages.error(request, str(exc))
                return redirect("dossiers:detail", reference=dossier.reference)
            else:
                messages.success(request, f"Étape « {dict(STEPS)[step]} » enregistrée.")
                return redirect(_destination(request, dossier, step))
        else:
            messages.error(request, "Certaines saisies sont à corriger : rien n'a été enregistré pour cette étape.")
    else:
        step_forms = STEP_FORMS[step](dossier, None)
    return _render_step(request, dossier, step, step_forms, lock_version=lock_version, stale_message=stale_message)


def _autosave(request: HttpRequest, dossier: Dossier, step: str) -> JsonResponse:
    """Background save of the step being typed (dossier.js): same service, same stale-edit refusal, JSON answer."""
    step_forms = STEP_FORMS[step](dossier, request.POST)
    if step_forms.to_data is None:
        return JsonResponse({"saved": False, "message": ""})
    if not step_forms.is_valid():
        return JsonResponse(
            {"saved": False, "message": "Saisie à compléter : enregistrement automatique en attente."}, status=422
        )
    try:
        saved = dossier_save_step(
            dossier=dossier,
            step=step,
            data=step_forms.to_data(),
            expected_lock_version=_posted_lock_version(request),
            by=_user(request),
        )
    except StaleEdit as exc:
        return JsonResponse({"saved": False, "stale": True, "message": str(exc)}, status=409)
    except EditRefused as exc:
        return JsonResponse({"saved": False, "message": str(exc)}, status=403)
    at = timezone.localtime().strftime("%H:%M")
    return JsonResponse(
        {"saved": True, "lock_version": saved.lock_version, "message": f"Enregistré automatiquement à {at}."}
    )


def _render_step(
    request: HttpRequest,
    dossier: Dossier,
    step: str,
    step_forms: StepForms,
    *,
    lock_version: int,
    stale_message: str = "",
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
        "lock_version": lock_version,
        "stale_message": stale_message,
        "panel": rules_panel(dossier),
        "attachments_url": _filing_url("attachments", dossier),
        "summary_url": _filing_url("summary", dossier),
        **step_forms.forms,
        **step_forms.extra,
    }
    status = 409 if stale_message else 200
    return render(request, template or f"dossiers/steps/{step}.html", context, status=status)


# -- one action of the plan ----------------------------------------------------------------------------------------
def action_edit(request: HttpRequest, reference: str, pk: int | None = None) -> HttpResponse:
    dossier = _editable(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    action = get_object_or_404(dossier.actions, pk=pk) if pk is not None else None
    priorities = list(dossier.priorities.all())
    if not priorities:
        messages.warning(request, "Définissez d'abord au moins une priorité : chaque action s'y rattache.")
        return redirect("dossiers:step", reference=dossier.reference, step="priorites")
    config = dossier.call.rules
    partner_names = [p.name for p in dossier.partners.all()]
    data = request.POST if request.method == "POST" else None
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
    lock_version = dossier.lock_version
    stale_message = ""
    if data is not None:
        lock_version = _posted_lock_version(request)
        if form.is_valid() & measures.is_valid():
            c = form.cleaned_data
            payload = {
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
            }
            try:
                dossier_save_step(
                    dossier=dossier, step="action", data=payload, expected_lock_version=lock_version, by=_user(request)
                )
            except StaleEdit as exc:
                stale_message = str(exc)
            except EditRefused as exc:
                messages.error(request, str(exc))
                return redirect("dossiers:detail", reference=dossier.reference)
            else:
                messages.success(request, f"Action « {c['title']} » enregistrée.")
                return redirect("dossiers:step", reference=dossier.reference, step="actions")
        else:
            messages.error(request, "Certaines saisies sont à corriger : l'action n'a pas été enregistrée.")
    title = f"Action « {action.title} »" if action else "Nouvelle action"
    return _render_step(
        request,
        dossier,
        "actions",
        StepForms({"form": form, "measures": measures}, None, {"action": action, "plain_links": True}),
        lock_version=lock_version,
        stale_message=stale_message,
        template="dossiers/steps/action_form.html",
        title=title,
    )


@require_POST
def action_delete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    dossier = _editable(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    action = get_object_or_404(dossier.actions, pk=pk)
    try:
        dossier_save_step(
            dossier=dossier,
            step="action_delete",
            data={"id": action.pk},
            expected_lock_version=_posted_lock_version(request),
            by=_user(request),
        )
    except StaleEdit as exc:
        messages.error(request, str(exc))
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
