"""Reads of the interactive map (« Carte des territoires »): the contours as GeoJSON, the indicators that have EPCI
values, and one row per EPCI with the latest value of the chosen indicator. Public reference data: no scoping.

Words: the *latest* value of an indicator is that of its newest millésime for the territory; a *secret* value (INSEE
does not publish it) has no value and reads « non diffusé ».
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse

from .models import DepartementOutline, Epci, EpciOutline, Indicator, TerritoryLevel, ValueStatus
from .selectors import latest_values


@dataclass(frozen=True)
class MapRow:
    siren: str
    name: str
    departement: str
    population: int
    value: Decimal | None
    is_secret: bool  # INSEE does not publish it (« non diffusé »)
    has_value: bool  # a value or a secret exists for the millésime (else: no data at all)
    year: int | None
    url: str


def map_indicators() -> list[Indicator]:
    """The indicators with at least one value at the EPCI level, in the dictionary's order."""
    return list(Indicator.objects.filter(values__level=TerritoryLevel.EPCI).distinct().order_by("position", "code"))


def map_rows(indicator: Indicator | None) -> list[MapRow]:
    epcis = list(Epci.objects.order_by("main_departement_code", "name"))
    values = latest_values(indicator.code, TerritoryLevel.EPCI, [e.siren for e in epcis]) if indicator else {}
    rows = []
    for epci in epcis:
        found = values.get(epci.siren)
        rows.append(
            MapRow(
                siren=epci.siren,
                name=epci.name,
                departement=epci.main_departement_code,
                population=epci.population_municipale,
                value=found.value if found is not None and found.status == ValueStatus.AVAILABLE else None,
                is_secret=found is not None and found.status == ValueStatus.SECRET,
                has_value=found is not None,
                year=found.year if found is not None else None,
                url=reverse("territories:epci", args=[epci.siren]),
            )
        )
    return rows


def epci_feature_collection() -> dict[str, Any]:
    """Every EPCI contour with its SIREN, name and page."""
    features = [
        {
            "type": "Feature",
            "properties": {
                "siren": siren,
                "nom": name,
                "departement": departement,
                "url": reverse("territories:epci", args=[siren]),
            },
            "geometry": geometry,
        }
        for siren, name, departement, geometry in EpciOutline.objects.order_by("epci__siren").values_list(
            "epci__siren", "epci__name", "epci__main_departement_code", "geometry"
        )
    ]
    return {"type": "FeatureCollection", "features": features}


def departement_feature_collection() -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "nom": name, "url": reverse("territories:departement", args=[code])},
            "geometry": geometry,
        }
        for code, name, geometry in DepartementOutline.objects.order_by("departement__code").values_list(
            "departement__code", "departement__name", "geometry"
        )
    ]
    return {"type": "FeatureCollection", "features": features}
