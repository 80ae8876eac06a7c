"""Search names and the server-side SVG maps, without database."""

import pytest

from pactes.territories.geometry import Layer, build_map
from pactes.territories.names import normalize_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Girons", "saint girons"),
        ("St Girons", "saint girons"),
        ("ST-GIRONS", "saint girons"),
        ("Ariège", "ariege"),
        ("Sainte-Croix-Volvestre", "sainte croix volvestre"),
        ("L'Isle-Jourdain", "l isle jourdain"),
        ("Cœur", "coeur"),
    ],
)
def test_names_are_compared_without_accents_case_punctuation_or_abbreviation(text, expected):
    assert normalize_name(text) == expected


SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def test_map_fits_the_requested_width():
    drawn = build_map([Layer(SQUARE, "Carré")], width=200)
    assert drawn is not None
    assert drawn.width == 200
    assert drawn.view_box.startswith("0 0 200 ")
    assert drawn.shapes[0].path.startswith("M") and drawn.shapes[0].path.endswith("Z")
    assert drawn.shapes[0].title == "Carré"


def test_map_without_geometry_is_none():
    assert build_map([Layer(None, "Rien")]) is None


def test_multipolygon_draws_every_ring():
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], [[[2, 2], [3, 2], [3, 3], [2, 2]]]]}
    drawn = build_map([Layer(multi, "Deux")])
    assert drawn.shapes[0].path.count("M") == 2
