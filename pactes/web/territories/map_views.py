"""The interactive map of the territories (``/territoires/carte/``, public): EPCI coloured by an INSEE indicator
chosen in a select (classes by quantiles, « non diffusé » apart), the eligible EPCI of the chosen call outlined, and
the same data as a table beside the map. Leaflet draws the contours served here as GeoJSON (cached, no remote
tiles); the page passes its data through ``json_script`` (not executed). For staff, a layer with the number of
dossiers and the awarded amount per EPCI, scoped like the dashboard."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from pactes.calls.models import Call
from pactes.calls.selectors import calls_public, eligible_sirens
from pactes.followup.dashboard import activity_by_epci, may_see_dashboard
from pactes.rules.money import euros, number
from pactes.territories.choropleth import PALETTE, SECRET_COLOUR, quantile_classes
from pactes.territories.map_data import (
    departement_feature_collection,
    epci_feature_collection,
    map_indicators,
    map_rows,
)

DEFAULT_INDICATOR = "Q2"  # médiane du niveau de vie, the indicator of the call's indicative list


def _geojson(key: str, build: Any) -> JsonResponse:
    data = cache.get(key)
    if data is None:
        data = build()
        cache.set(key, data, settings.PACTES_MAP_CACHE_SECONDS)
    response = JsonResponse(data, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={settings.PACTES_MAP_CACHE_SECONDS}"
    return response


@login_not_required
@require_GET
def epci_geojson(request: HttpRequest) -> JsonResponse:
    return _geojson("pactes:map:epci", epci_feature_collection)


@login_not_required
@require_GET
def departements_geojson(request: HttpRequest) -> JsonResponse:
    return _geojson("pactes:map:departements", departement_feature_collection)


def _chosen_call(request: HttpRequest) -> Call | None:
    slug = request.GET.get("appel", "")
    calls = calls_public()
    if slug:
        return calls.filter(slug=slug).first()
    return calls.filter(is_demo=False).first() or calls.first()


@login_not_required
@require_GET
def territory_map(request: HttpRequest) -> HttpResponse:
    indicators = map_indicators()
    asked = request.GET.get("indicateur", DEFAULT_INDICATOR).upper()
    indicator = next((i for i in indicators if i.code.upper() == asked), None) or next(
        (i for i in indicators if i.code.upper() == DEFAULT_INDICATOR), indicators[0] if indicators else None
    )
    call = _chosen_call(request)
    eligible = eligible_sirens(call) if call is not None else frozenset()
    rows = map_rows(indicator)
    classes = quantile_classes({r.siren: r.value for r in rows if r.has_value})
    activity = activity_by_epci(user=request.user, call=call) if call is not None else {}
    staff = may_see_dashboard(request.user)
    unit = indicator.unit if indicator else ""
    table = [
        {
            "row": row,
            "shown": "non diffusé"
            if row.is_secret
            else ("—" if row.value is None else f"{number(row.value)}{' ' + unit if unit else ''}"),
            "eligible": row.siren in eligible,
            "colour_class": classes.of.get(row.siren),
            "activity": activity.get(row.siren),
        }
        for row in rows
    ]
    data = {
        "epciUrl": reverse("territories:map_epci"),
        "departementsUrl": reverse("territories:map_departements"),
        "indicator": indicator.label if indicator else "",
        "unit": unit,
        "secretColour": SECRET_COLOUR,
        "epci": {
            r["row"].siren: {
                "value": number(r["row"].value) if r["row"].value is not None else None,
                "secret": r["row"].is_secret,
                "colour": classes.colour_of(r["row"].siren) if r["row"].has_value else "#ffffff",
                "eligible": r["eligible"],
                "dossiers": r["activity"].dossiers if staff and r["activity"] else None,
                "awarded": euros(r["activity"].awarded) if staff and r["activity"] else None,
            }
            for r in table
        },
        "staff": staff,
    }
    return render(
        request,
        "territories/map.html",
        {
            "page_title": "Carte des territoires",
            "breadcrumb_data": {
                "links": [{"url": reverse("territories:index"), "title": "Territoires"}],
                "current": "Carte",
            },
            "indicators": indicators,
            "indicator": indicator,
            "calls": list(calls_public()),
            "chosen_call": call,
            "classes": classes.classes,
            "legend": [(c, PALETTE.index(c.colour)) for c in classes.classes],
            "unit": unit,
            "table": table,
            "eligible_count": sum(1 for r in table if r["eligible"]),
            "staff": staff,
            "map_data": data,
        },
    )
