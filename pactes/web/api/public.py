"""The public endpoints of the API: calls, their eligible EPCI, territories with their INSEE indicators. They answer
anonymous callers (reference data published on the public pages), and callers with a token alike."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Router

from pactes.calls.models import Call
from pactes.calls.selectors import calls_public, current_eligible_list, list_label
from pactes.dossiers.interchange.canonical import format_amount, format_number
from pactes.territories.models import TerritoryLevel
from pactes.territories.selectors import epcis_public, indicators_for

from . import schemas as s
from .auth import Viewer, not_found

router = Router(auth=Viewer(), tags=["Appels et territoires (public)"])
ERRORS = {400: s.Error, 401: s.Error, 422: s.Error, 429: s.Error}
ERRORS_404 = {400: s.Error, 401: s.Error, 404: s.Error, 422: s.Error, 429: s.Error}


def _call_summary(request: HttpRequest, call: Call) -> dict[str, object]:
    rules = call.rules
    return {
        "slug": call.slug,
        "title": call.title,
        "short_title": call.short_title,
        "is_demo": call.is_demo,
        "filing_opens_at": timezone.localtime(call.filing_opens_at),
        "filing_closes_at": timezone.localtime(call.filing_closes_at),
        "is_filing_open": rules.is_filing_open(timezone.now()),
        "url": request.build_absolute_uri(reverse("calls:detail", args=[call.slug])),
    }


def _call(slug: str) -> Call:
    call = calls_public().filter(slug=slug).first()
    if call is None:
        raise not_found(f"Aucun appel « {slug} ».")
    return call


@router.get("/calls", response={200: list[s.CallSummary], **ERRORS}, summary="Les appels à projets")
def calls(request: HttpRequest) -> list[dict[str, object]]:
    """Tous les appels, les réels d'abord ; un appel de démonstration porte ``is_demo: true``."""
    return [_call_summary(request, call) for call in calls_public()]


@router.get("/calls/{slug}", response={200: s.CallDetail, **ERRORS_404}, summary="Un appel")
def call_detail(request: HttpRequest, slug: str) -> dict[str, object]:
    """Un appel : ses chiffres (plafonds, cofinancement, enveloppe), ses publics et son calendrier."""
    call = _call(slug)
    rules = call.rules
    envelope = call.regional_envelope
    return {
        **_call_summary(request, call),
        "regional_envelope": format_amount(envelope) if envelope is not None else None,
        "grant_cap": format_amount(rules.grant_cap),
        "territory_cap": format_amount(rules.territory_cap),
        "min_cofinancing_rate": format_number(rules.min_cofinancing_rate) or "0",
        "target_publics": [{"code": p.code, "label": p.label} for p in rules.target_publics],
        "calendar": [
            {"code": step.code, "label": step.label, "start": step.start, "end": step.end, "note": step.note}
            for step in rules.calendar
        ],
    }


@router.get(
    "/calls/{slug}/eligible-epci",
    response={200: s.EligibleList, **ERRORS_404},
    summary="Les EPCI éligibles d'un appel",
)
def eligible_epci(request: HttpRequest, slug: str) -> dict[str, object]:
    """La liste en vigueur (officielle ou arrêtée, sinon indicative : ``is_indicative``), rang et valeur de
    l'indicateur qui l'a établie."""
    call = _call(slug)
    eligible_list = current_eligible_list(call)
    if eligible_list is None and call.derived_from_id:
        eligible_list = current_eligible_list(call.derived_from)  # a demonstration call shares its base's list
    if eligible_list is None:
        return {
            "call": call.slug,
            "kind": None,
            "kind_label": "Aucune liste",
            "is_indicative": False,
            "indicator_code": "",
            "indicator_year": None,
            "arrested_at": None,
            "epci": [],
        }
    entries = eligible_list.entries.select_related("epci").order_by("rank", "epci__name")
    return {
        "call": call.slug,
        "kind": eligible_list.kind,
        "kind_label": list_label(eligible_list),
        "is_indicative": eligible_list.is_indicative,
        "indicator_code": eligible_list.indicator_code,
        "indicator_year": eligible_list.indicator_year,
        "arrested_at": timezone.localtime(eligible_list.arrested_at),
        "epci": [
            {
                "siren": entry.epci.siren,
                "name": entry.epci.name,
                "main_departement": entry.epci.main_departement_code,
                "rank": entry.rank,
                "indicator_value": format_number(entry.indicator_value),
                "reason": entry.reason,
            }
            for entry in entries
        ],
    }


@router.get("/territories/epci/{siren}", response={200: s.Epci, **ERRORS_404}, summary="Un EPCI et ses indicateurs")
def epci(request: HttpRequest, siren: str) -> dict[str, object]:
    """Un EPCI (par son SIREN), ses départements et toutes ses valeurs d'indicateurs de l'Insee ; une valeur non
    diffusée (secret statistique) a ``value: null`` et ``status: non_diffuse``."""
    found = epcis_public().filter(siren=siren).first()
    if found is None:
        raise not_found(f"Aucun EPCI de SIREN « {siren} ».")
    return {
        "siren": found.siren,
        "name": found.name,
        "kind": found.kind,
        "kind_label": found.get_kind_display(),
        "departements": [d.code for d in found.departements.all()],
        "main_departement": found.main_departement_code,
        "is_interregional": found.is_interregional,
        "population_municipale": found.population_municipale,
        "population_totale": found.population_totale,
        "communes": found.communes.count(),
        "url": request.build_absolute_uri(reverse("territories:epci", args=[found.siren])),
        "indicators": [
            {
                "code": v.indicator.code,
                "label": v.indicator.label,
                "unit": v.indicator.unit,
                "year": v.year,
                "value": format_number(v.value),
                "status": v.status,
                "source": v.source,
            }
            for v in indicators_for(TerritoryLevel.EPCI, found.siren)
        ],
    }
