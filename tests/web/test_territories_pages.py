"""Public territory pages: index, département, EPCI (with its numbers in French), commune, GeoJSON; 404 otherwise."""

import pytest
from django.urls import reverse

from pactes.territories.models import Indicator, IndicatorValue, ValueStatus

NNBSP = "\u202f"
COUSERANS = "200067940"

pytestmark = pytest.mark.usefixtures("territories")


def test_index_lists_departements_and_epci_without_login(client):
    response = client.get(reverse("territories:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ariège" in html and "Tarn-et-Garonne" in html
    assert f"6{NNBSP}022{NNBSP}176" in html  # population municipale 2021 of Occitanie
    assert "CC Couserans-Pyrénées" in html
    assert 'role="img"' in html


def test_index_search_finds_a_commune_by_abbreviated_name(client):
    response = client.get(reverse("territories:index"), {"q": "st girons"})
    html = response.content.decode()
    assert reverse("territories:commune", args=["09261"]) in html
    assert "Saint-Girons" in html


def test_index_search_without_result_says_so(client):
    response = client.get(reverse("territories:index"), {"q": "zzzz"})
    assert "Aucune commune ni aucun EPCI ne correspond à « zzzz »" in response.content.decode()


def test_epci_page_shows_populations_departement_communes_and_indicators(client):
    response = client.get(reverse("territories:epci", args=[COUSERANS]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "CC Couserans-Pyrénées" in html
    assert f"29{NNBSP}978" in html and f"30{NNBSP}855" in html
    assert "Communauté de communes" in html
    assert "Ariège (09)" in html
    assert "94 communes membres" in html
    assert "Saint-Girons" in html
    assert "Médiane du niveau de vie" in html
    assert f"19{NNBSP}380\u00a0€" in html
    assert "0,268" in html  # Gini
    assert "4,5\u00a0%" in html  # part des minima sociaux
    assert "Insee, Filosofi 2019" in html
    assert ">2019<" in html
    assert 'role="img"' in html and "aria-label=" in html


def test_secret_value_is_shown_as_non_diffuse(client):
    indicator = Indicator.objects.create(code="TP60", label="Taux de pauvreté à 60 %", unit="%")
    IndicatorValue.objects.create(
        indicator=indicator,
        year=2021,
        level="epci",
        territory_code=COUSERANS,
        value=None,
        status=ValueStatus.SECRET,
        source="Insee, Filosofi 2021",
    )
    html = client.get(reverse("territories:epci", args=[COUSERANS])).content.decode()
    assert "Taux de pauvreté à 60 %" in html
    assert "non diffusé" in html


def test_epci_geojson_returns_the_feature(client):
    response = client.get(reverse("territories:epci_geojson", args=[COUSERANS]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["properties"]["siren"] == COUSERANS
    assert feature["properties"]["departements"] == ["09"]
    assert feature["geometry"]["type"] == "Polygon"


def test_departement_page_lists_its_epci_with_their_median(client):
    response = client.get(reverse("territories:departement", args=["09"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ariège (09)" in html
    assert "CC du Pays d&#x27;Olmes" in html
    assert f"18{NNBSP}470\u00a0€" in html
    assert f"20{NNBSP}010\u00a0€" in html  # médiane of the département


def test_commune_page_shows_epci_postal_codes_and_populations(client):
    response = client.get(reverse("territories:commune", args=["09261"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saint-Girons (09261)" in html
    assert "09200" in html
    assert "CC Couserans-Pyrénées" in html


def test_commune_outside_occitanie_says_why_it_is_listed(client):
    response = client.get(reverse("territories:commune", args=["07294"]))
    assert response.status_code == 200
    assert "membre d'un EPCI interrégional" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("territories:departement", "75"),
        ("territories:epci", "999999999"),
        ("territories:epci_geojson", "999999999"),
        ("territories:commune", "75056"),
    ],
)
def test_unknown_territory_answers_404(client, name, code):
    assert client.get(reverse(name, args=[code])).status_code == 404
