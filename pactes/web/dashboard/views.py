"""The dashboard (« Tableau de bord ») of the DREETS (region) and of each DDETS-PP (its département): one call at a
time, chosen in a selector (the demonstration call is labelled, never mixed into real figures); each figure drawn
with the State's chart components (@gouvfr/dsfr-chart), followed by its data table and a CSV of its rows."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from pactes.accounts.models import Role, User
from pactes.calls.models import Call
from pactes.calls.timeline import timeline
from pactes.followup.dashboard import Figure, calls_for_dashboard, dashboard_dossiers, dashboard_figures

from .charts import chart_of, csv_number


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _call(request: HttpRequest, user: User) -> tuple[Call, list[Call]]:
    calls = calls_for_dashboard(user)
    if not calls:
        raise Http404("Le tableau de bord est réservé à la DREETS et aux DDETS-PP.")
    slug = request.GET.get("appel", "")
    chosen = next((c for c in calls if c.slug == slug), None) if slug else calls[0]
    if chosen is None:
        raise Http404(f"Aucun appel « {slug} ».")
    return chosen, calls


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    call, calls = _call(request, user)
    figures = dashboard_figures(user=user, call=call)
    today = timezone.localdate()
    scope = f"DDETS-PP — {user.departement}" if user.role == Role.INSTRUCTOR else "Région Occitanie"
    return render(
        request,
        "dashboard/index.html",
        {
            "page_title": f"Tableau de bord — {call.short_title}",
            "breadcrumb_data": {"current": "Tableau de bord"},
            "call": call,
            "calls": calls,
            "scope": scope,
            "dossier_count": dashboard_dossiers(user, call).count(),
            "charts": [chart_of(f, csv_url=_csv_url(f, call)) for f in figures],
            "timeline": timeline(call.rules.calendar, today),
            "today": today,
        },
    )


def _csv_url(figure: Figure, call: Call) -> str:
    return reverse("dashboard:csv", args=[figure.key]) + f"?appel={call.slug}"


@require_GET
def figure_csv(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    call, _calls = _call(request, user)
    figure = next((f for f in dashboard_figures(user=user, call=call) if f.key == key), None)
    if figure is None:
        raise Http404(f"Aucune figure « {key} ».")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tableau-de-bord-{call.slug}-{figure.key}.csv"'
    response.write("\ufeff")  # a BOM, so that spreadsheets read the accents as UTF-8
    writer = csv.writer(response, delimiter=";")
    unit = f" ({figure.unit})" if figure.unit else ""
    writer.writerow([figure.label_header, *(f"{name}{unit}" for name in figure.series)])
    for label, values in figure.rows:
        writer.writerow([label, *(csv_number(v) for v in values)])
    return response
