"""Small server-side maps of the territory pages (inline SVG, no script, no tiles).

The outlines live in their own tables (ADR 0042): each map reads those it draws in one query (``outlines_of``)."""

from django.urls import reverse

from pactes.territories.geometry import Layer, Map, build_map
from pactes.territories.models import Commune, Departement, Epci
from pactes.territories.selectors import outlines_of

CONTEXT_FILL = "#f6f6f6"
CONTEXT_STROKE = "#929292"


def region_map(departements: list[Departement]) -> Map | None:
    shapes = outlines_of(departements)
    return build_map(
        [
            Layer(
                shapes.get((Departement, d.pk)),
                f"{d.name} ({d.code})",
                url=reverse("territories:departement", args=[d.code]),
            )
            for d in departements
        ]
    )


def departement_map(departement: Departement, epcis: list[Epci]) -> Map | None:
    shapes = outlines_of([departement, *epcis])
    outline = shapes.get((Departement, departement.pk))
    layers = [Layer(shapes.get((Epci, e.pk)), e.name, stroke="#6a6af4", stroke_width=0.5) for e in epcis]
    layers.append(Layer(outline, departement.name, fill="none", stroke="#000091", stroke_width=2))
    return build_map(layers, frame=[outline])


def epci_map(epci: Epci, departements: list[Departement]) -> Map | None:
    shapes = outlines_of([epci, *departements])
    outline = shapes.get((Epci, epci.pk))
    layers = [
        Layer(shapes.get((Departement, d.pk)), d.name, fill=CONTEXT_FILL, stroke=CONTEXT_STROKE) for d in departements
    ]
    layers.append(Layer(outline, epci.name, stroke_width=1.5))
    return build_map(layers, frame=[outline])


def commune_map(commune: Commune) -> Map | None:
    if commune.epci is None:
        return None
    return build_map([Layer(commune.epci.geometry, commune.epci.name)])
