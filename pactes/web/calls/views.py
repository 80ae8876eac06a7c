"""Public pages of the calls (list, call page with its eligibility checker) and the administrator's proposal screen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from pactes.accounts.permissions import can_import_from_ds
from pactes.calls.models import Call
from pactes.calls.selectors import (
    TerritoryEligibility,
    call_for_page,
    calls_public,
    eligibility_of,
    eligible_list_proposal,
    list_label,
    territories_matching,
)
from pactes.calls.services import CallDataError, eligible_list_arrest

from .forms import ArrestListForm, EligibilityQueryForm, IndicatorChoiceForm
from .page import body_context, cached_page_parts, page_parts


@login_not_required
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    calls = [(call, call.rules.is_filing_open(now)) for call in calls_public()]
    return render(
        request,
        "calls/index.html",
        {"page_title": "Appels", "calls": calls, "breadcrumb_data": {"links": [], "current": "Appels"}},
    )


def _check(call: Call, query: str) -> list[TerritoryEligibility]:
    communes, epcis = territories_matching(query)
    return [eligibility_of(call, epci=e) for e in epcis] + [eligibility_of(call, commune=c) for c in communes]


@login_not_required
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for_page(slug)
    if call is None:
        raise Http404
    now = timezone.now()
    is_open = call.rules.is_filing_open(now)
    today = timezone.localdate(now)
    user = request.user
    audience = {
        "is_authenticated": user.is_authenticated,
        "is_applicant": getattr(user, "is_applicant", False),
        "can_propose": getattr(user, "is_platform_admin", False),
        "can_import_ds": can_import_from_ds(user),
    }
    if "q" in request.GET:  # the checker's answer: this request's own body
        form = EligibilityQueryForm(request.GET)
        results = _check(call, form.cleaned_data["q"]) if form.is_valid() else None
        context = body_context(call, is_open=is_open, today=today) | audience | {"form": form, "results": results}
        breadcrumb, body = page_parts(call, context)
    else:
        breadcrumb, body = cached_page_parts(call, audience=audience, is_open=is_open, today=today)
    return render(
        request,
        "calls/detail.html",
        {"page_title": call.title, "call": call, "breadcrumb": breadcrumb, "body": body},
    )


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
