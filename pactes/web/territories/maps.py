"""Small server-side maps of the territory pages (inline SVG, no script, no tiles)."""

from django.urls import reverse

from pactes.territories.geometry import Layer, Map, build_map
from pactes.territories.models import Commune, Departement, Epci

CONTEXT_FILL = "#f6f6f6"
CONTEXT_STROKE = "#929292"


def region_map(departements: list[Departement]) -> Map | None:
    return build_map(
        [
            Layer(d.geometry, f"{d.name} ({d.code})", url=reverse("territories:departement", args=[d.code]))
            for d in departements
        ]
    )


def departement_map(departement: Departement, epcis: list[Epci]) -> Map | None:
    layers = [Layer(e.geometry, e.name, stroke="#6a6af4", stroke_width=0.5) for e in epcis]
    layers.append(Layer(departement.geometry, departement.name, fill="none", stroke="#000091", stroke_width=2))
    return build_map(layers, frame=[departement.geometry])


def epci_map(epci: Epci, departements: list[Departement]) -> Map | None:
    layers = [Layer(d.geometry, d.name, fill=CONTEXT_FILL, stroke=CONTEXT_STROKE) for d in departements]
    layers.append(Layer(epci.geometry, epci.name, stroke_width=1.5))
    return build_map(layers, frame=[epci.geometry])


def commune_map(commune: Commune) -> Map | None:
    if commune.epci is None:
        return None
    return build_map([Layer(commune.epci.geometry, commune.epci.name)])
