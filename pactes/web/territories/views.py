"""Public pages of the reference territories: départements, EPCI, communes and their INSEE indicators."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from pactes.territories.models import TerritoryLevel
from pactes.territories.selectors import (
    communes_public,
    departement_epcis,
    departements_public,
    departements_with_epcis,
    epci_members,
    epcis_public,
    indicators_for,
    latest_values,
    search_territories,
)

from . import maps
from .forms import TerritorySearchForm

HEADLINE_INDICATOR = "Q2"  # médiane du niveau de vie, shown in the EPCI list of a département


def _breadcrumb(current: str, *links: tuple[str, str]) -> dict[str, object]:
    return {
        "links": [{"url": reverse("territories:index"), "title": "Territoires"}]
        + [{"url": url, "title": title} for url, title in links],
        "current": current,
    }


@login_not_required
def index(request: HttpRequest) -> HttpResponse:
    form = TerritorySearchForm(request.GET if "q" in request.GET else None)
    matches = search_territories(form.cleaned_data["q"]) if form.is_valid() else None
    departements = list(departements_with_epcis())
    return render(
        request,
        "territories/index.html",
        {
            "page_title": "Territoires",
            "breadcrumb_data": {"current": "Territoires"},
            "form": form,
            "matches": matches,
            "departements": departements,
            "region_population": sum(d.population_municipale for d in departements),
            "map": maps.region_map(departements),
        },
    )


@login_not_required
def departement(request: HttpRequest, code: str) -> HttpResponse:
    dept = get_object_or_404(departements_public(), code=code)
    epcis = list(departement_epcis(dept))
    return render(
        request,
        "territories/departement.html",
        {
            "page_title": f"{dept.name} ({dept.code})",
            "breadcrumb_data": _breadcrumb(f"{dept.name} ({dept.code})"),
            "departement": dept,
            "epcis": epcis,
            "headline": latest_values(HEADLINE_INDICATOR, TerritoryLevel.EPCI, [e.siren for e in epcis]),
            "indicators": indicators_for(TerritoryLevel.DEPARTEMENT, dept.code),
            "map": maps.departement_map(dept, epcis),
        },
    )


@login_not_required
def epci(request: HttpRequest, siren: str) -> HttpResponse:
    found = get_object_or_404(epcis_public(), siren=siren)
    departements = list(found.departements.all())
    return render(
        request,
        "territories/epci.html",
        {
            "page_title": found.name,
            "breadcrumb_data": _breadcrumb(found.name),
            "epci": found,
            "departements": departements,
            "communes": epci_members(found),
            "indicators": indicators_for(TerritoryLevel.EPCI, found.siren),
            "map": maps.epci_map(found, departements),
        },
    )


@login_not_required
def epci_geojson(request: HttpRequest, siren: str) -> JsonResponse:
    found = get_object_or_404(epcis_public(), siren=siren)
    feature = {
        "type": "Feature",
        "properties": {
            "siren": found.siren,
            "nom": found.name,
            "type": found.kind,
            "departements": [d.code for d in found.departements.all()],
            "interregional": found.is_interregional,
            "population_municipale": found.population_municipale,
        },
        "geometry": found.geometry,
    }
    return JsonResponse(feature, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False})


@login_not_required
def commune(request: HttpRequest, code_insee: str) -> HttpResponse:
    found = get_object_or_404(communes_public(), code_insee=code_insee)
    links = []
    if found.departement:
        links.append((reverse("territories:departement", args=[found.departement.code]), found.departement.name))
    if found.epci:
        links.append((reverse("territories:epci", args=[found.epci.siren]), found.epci.name))
    return render(
        request,
        "territories/commune.html",
        {
            "page_title": f"{found.name} ({found.code_insee})",
            "breadcrumb_data": _breadcrumb(found.name, *links),
            "commune": found,
            "postal_codes": [c for c in found.postal_codes.split(";") if c],
            "former_codes": [c for c in found.former_codes.split(";") if c],
            "indicators": indicators_for(TerritoryLevel.COMMUNE, found.code_insee),
            "map": maps.commune_map(found),
        },
    )
