"""The public map of the territories: the indicator select, classes by quantiles with « non diffusé » apart, the
eligible EPCI of the chosen call, the table beside the map, the contours as cached GeoJSON; for staff only, the
dossiers and awarded amounts per EPCI of their scope."""

from decimal import Decimal

import pytest

from pactes.calls.services import eligible_list_build_indicative
from pactes.territories.choropleth import SECRET_COLOUR, quantile_classes

pytestmark = pytest.mark.django_db


def test_quantile_classes_have_equal_counts_and_keep_secrets_apart():
    values = {str(i): Decimal(i) for i in range(10)} | {"secret": None}
    result = quantile_classes(values)
    assert [c.count for c in result.classes] == [2, 2, 2, 2, 2]
    assert result.of["secret"] is None
    assert result.colour_of("secret") == SECRET_COLOUR
    assert result.of["0"] == 0 and result.of["9"] == 4


def test_equal_values_share_a_class():
    result = quantile_classes({"a": Decimal(1), "b": Decimal(1), "c": Decimal(1), "d": Decimal(2)})
    assert result.of["a"] == result.of["b"] == result.of["c"]
    assert quantile_classes({}).classes == ()


def test_the_map_is_public_with_its_table_and_vendored_leaflet(client, call):
    eligible_list_build_indicative(call=call)
    page = client.get("/territoires/carte/?indicateur=PPMINI").content.decode()
    assert "<h1>Carte des territoires</h1>" in page
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "tilelayer" not in page.lower() and "openstreetmap" not in page.lower()
    assert 'id="carte-donnees" type="application/json"' in page
    assert "Couserans" in page  # an EPCI of the table
    assert "non diffusé" in page
    assert "<script>" not in page


def test_an_unknown_indicator_falls_back_to_the_default(client):
    assert client.get("/territoires/carte/?indicateur=INCONNU").status_code == 200


def test_contours_are_served_as_geojson(client):
    epci = client.get("/territoires/carte/epci.geojson")
    assert epci["Content-Type"] == "application/geo+json"
    body = epci.json()
    assert body["type"] == "FeatureCollection"
    feature = body["features"][0]
    assert set(feature["properties"]) == {"siren", "nom", "departement", "url"}
    assert client.get("/territoires/carte/departements.geojson").json()["features"]


def test_staff_see_their_dossiers_per_epci_and_visitors_do_not(client, accounts, paid_agreement):
    anonymous = client.get("/territoires/carte/").content.decode()
    assert "Montant attribué" not in anonymous
    client.force_login(accounts["instructeur.11"])
    page = client.get("/territoires/carte/").content.decode()
    assert "Montant attribué" in page
    assert "40\u202f000" not in page  # the Ariège award is outside the Aude's scope
    client.force_login(accounts["dreets"])
    assert "40\u202f000" in client.get("/territoires/carte/").content.decode()
