"""Public pages of the calls (list, call page with its eligibility checker) and the administrator's proposal screen."""

from pathlib import Path
from typing import Any

import markdown
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from pactes.accounts.permissions import can_import_from_ds
from pactes.calls.models import Axis, Call, EligibleList
from pactes.calls.selectors import (
    TerritoryEligibility,
    calls_public,
    current_eligible_list,
    eligibility_of,
    eligible_list_proposal,
    list_label,
    region_departement_names,
    territories_matching,
)
from pactes.calls.services import CallDataError, eligible_list_arrest
from pactes.calls.timeline import timeline
from pactes.rules.formatting import date_fr

from .forms import ArrestListForm, EligibilityQueryForm, IndicatorChoiceForm


@login_not_required
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    calls = [(call, call.rules.is_filing_open(now)) for call in calls_public()]
    return render(
        request,
        "calls/index.html",
        {"page_title": "Appels", "calls": calls, "breadcrumb_data": {"links": [], "current": "Appels"}},
    )


def _call_text(call: Call) -> SafeString:
    path = Path(settings.PACTES_CALLS_DIR) / call.rules.text_file
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return mark_safe("")
    # The call text is a versioned file of the platform, not user input. Its headings sit under the page's
    # « Texte de l'appel » (h2): they start at h3, so the page keeps a single h1.
    html = markdown.markdown(text, extensions=["sane_lists"])
    for level in range(4, 0, -1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return mark_safe(html)


def _envelope_source(call: Call) -> str:
    """Where the regional envelope comes from: the administrator who set it (with the day), else the call's text."""
    if call.regional_envelope_set_at is not None:
        return f"fixée par l'administrateur le {date_fr(call.regional_envelope_set_at)}"
    return call.rules.section("funding.regional_envelope") or "non publiée par l'appel"


def _key_figures(call: Call) -> list[dict[str, Any]]:
    r = call.rules
    return [
        {"label": "Subvention maximale par projet", "amount": r.grant_cap, "section": r.section("funding.grant_cap")},
        {
            "label": "Montant cumulé maximal par territoire",
            "amount": r.territory_cap,
            "section": r.section("funding.territory_cap"),
        },
        {
            "label": "Cofinancement minimal"
            + (" (hors valorisation des apports en nature)" if r.cofinancing_excludes_in_kind else ""),
            "rate": r.min_cofinancing_rate,
            "section": r.section("funding.min_cofinancing"),
        },
        {
            "label": "Nombre de priorités",
            "text": f"de {r.priorities_min} à {r.priorities_max}",
            "section": r.section("priorities"),
        },
        {
            "label": "Durée maximale du plan d'actions",
            "text": f"{r.max_duration_months} mois",
            "section": r.section("action_plan.max_duration"),
        },
        {
            "label": "Démarrage au plus tard le",
            "date": r.latest_start,
            "section": r.section("action_plan.latest_start"),
        },
        {"label": "Fin au plus tard le", "date": r.latest_end, "section": r.section("action_plan.latest_end")},
        {"label": "Ouverture du dépôt", "datetime": r.filing_opens_at, "section": r.section("filing")},
        {"label": "Clôture du dépôt", "datetime": r.filing_closes_at, "section": r.section("filing")},
        {"label": "Financement", "text": r.funding_label, "section": r.section("funding.grant_cap").split(" (")[0]},
        {
            "label": "Enveloppe régionale",
            "amount": call.regional_envelope,
            "missing": "non publiée par l'appel",
            "section": _envelope_source(call),
        },
    ]


def _eligible_by_departement(eligible_list: EligibleList | None) -> list[tuple[str, list[Any]]]:
    if eligible_list is None:
        return []
    groups: dict[str, list[Any]] = {}
    entries = eligible_list.entries.select_related("epci").order_by("epci__main_departement_code", "epci__name")
    for entry in entries:
        groups.setdefault(entry.epci.main_departement_code, []).append(entry)
    return sorted(groups.items())


def _check(call: Call, query: str) -> list[TerritoryEligibility]:
    communes, epcis = territories_matching(query)
    return [eligibility_of(call, epci=e) for e in epcis] + [eligibility_of(call, commune=c) for c in communes]


@login_not_required
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_object_or_404(calls_public(), slug=slug)
    rules = call.rules
    form = EligibilityQueryForm(request.GET if "q" in request.GET else None)
    results = _check(call, form.cleaned_data["q"]) if form.is_bound and form.is_valid() else None
    eligible_list = current_eligible_list(call)
    departement_names = region_departement_names(call)
    today = timezone.localdate()
    context = {
        "page_title": call.title,
        "breadcrumb_data": {"links": [{"url": reverse("calls:index"), "title": "Appels"}], "current": call.short_title},
        "call": call,
        "rules": rules,
        "is_open": rules.is_filing_open(timezone.now()),
        "call_text": _call_text(call),
        "key_figures": _key_figures(call),
        "timeline": timeline(rules.calendar, today),
        "today": today,
        "axes": Axis.objects.prefetch_related("measures").all(),
        "eligible_list": eligible_list,
        "eligible_list_label": list_label(eligible_list) if eligible_list else "",
        "eligible_groups": [
            (code, departement_names.get(code, ""), entries)
            for code, entries in _eligible_by_departement(eligible_list)
        ],
        "form": form,
        "results": results,
        "can_propose": getattr(request.user, "is_platform_admin", False),
        "can_import_ds": can_import_from_ds(request.user),
    }
    return render(request, "calls/detail.html", context)


@login_not_required
def eligibility_json(request: HttpRequest, slug: str) -> JsonResponse:
    call = get_object_or_404(calls_public(), slug=slug)
    form = EligibilityQueryForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"requete": request.GET.get("q", ""), "erreur": "Saisissez un nom ou un code."}, status=400)
    query = form.cleaned_data["q"]
    results = _check(call, query)
    return JsonResponse(
        {
            "appel": call.slug,
            "requete": query,
            "resultats": [r.as_json() for r in results],
            "message": "" if results else f"Aucune commune ni aucun EPCI ne correspond à « {query} ».",
        }
    )


@login_not_required  # a hidden page: 404 for anyone but an administrator, logged in or not
def propose_list(request: HttpRequest, slug: str) -> HttpResponse:
    if not getattr(request.user, "is_platform_admin", False):
        raise Http404
    call = get_object_or_404(Call, slug=slug)
    proposal = eligible_list_proposal(call, asked=request.POST.get("indicateur") or request.GET.get("indicateur") or "")
    chosen = proposal.chosen
    choice_form = IndicatorChoiceForm(initial={"indicateur": chosen}, choices=proposal.choices)
    # auto_id: the indicator chooser above has a field of the same name (ids must stay unique on the page).
    form = ArrestListForm(
        request.POST or None, sirens=proposal.sirens, initial={"indicateur": chosen}, auto_id="arret_%s"
    )
    if request.method == "POST" and form.is_valid():
        code, year = form.cleaned_data["indicateur"].rsplit("-", 1)
        try:
            eligible_list_arrest(
                call=call, epci_sirens=form.cleaned_data["epcis"], indicator_code=code, year=int(year), by=request.user
            )
        except CallDataError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Liste arrêtée : {len(form.cleaned_data['epcis'])} EPCI éligibles.")
            return redirect(reverse("calls:propose_list", args=[call.slug]) + f"?indicateur={chosen}")
    ticked = set(request.POST.getlist("epcis")) if request.method == "POST" else set(proposal.indicative_sirens)
    return render(
        request,
        "calls/propose_list.html",
        {
            "page_title": f"Proposer la liste des territoires éligibles — {call.short_title}",
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("calls:index"), "title": "Appels"},
                    {"url": reverse("calls:detail", args=[call.slug]), "title": call.short_title},
                ],
                "current": "Proposer la liste des territoires éligibles",
            },
            "call": call,
            "choice_form": choice_form,
            "has_choices": bool(proposal.choices),
            "indicator": proposal.indicator,
            "groups": proposal.groups,
            "ticked": ticked,
            "form": form,
            "current": proposal.current,
            "current_label": list_label(proposal.current) if proposal.current else "",
            "history": proposal.history,
        },
    )
