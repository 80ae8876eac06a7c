"""The API's public endpoints, its filters, cursor pagination, validation errors (422 in French with a stable code),
its documentation (vendored Swagger UI, no CDN) and its OpenAPI 3 schema."""

import pytest
from django.core.cache import cache

from pactes.calls.services import eligible_list_build_indicative
from pactes.rules.lifecycle import DossierState
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()


def test_the_schema_is_openapi_3_with_every_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/calls",
        "/api/v1/calls/{slug}",
        "/api/v1/calls/{slug}/eligible-epci",
        "/api/v1/territories/epci/{siren}",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{reference}",
        "/api/v1/dossiers/{reference}/history",
        "/api/v1/agreements/{reference}",
        "/api/v1/indicators",
    }
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()


def test_the_documentation_loads_only_vendored_files(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "/static/pactes/api-docs.js" in page
    assert "cdn" not in page.lower()
    assert "<script>" not in page  # no inline script (Content-Security-Policy)


def test_calls_are_public_and_the_demo_is_labelled(client, call):
    body = client.get("/api/v1/calls").json()
    assert [(c["slug"], c["is_demo"]) for c in body] == [("pts-occitanie-2024", False)]
    detail = client.get("/api/v1/calls/pts-occitanie-2024").json()
    assert detail["grant_cap"] == "62000.00"
    assert detail["calendar"]
    assert client.get("/api/v1/calls/inconnu").json() == {"code": "not_found", "message": "Aucun appel « inconnu »."}


def test_eligible_epci_give_the_list_in_force(client, call):
    eligible_list_build_indicative(call=call)
    body = client.get("/api/v1/calls/pts-occitanie-2024/eligible-epci").json()
    assert body["is_indicative"] is True
    assert body["epci"]
    assert {"siren", "name", "rank", "indicator_value"} <= set(body["epci"][0])


def test_an_epci_comes_with_its_indicators_and_secrets_as_null(client):
    body = client.get("/api/v1/territories/epci/200066223").json()  # CC Couserans-Pyrénées
    assert body["name"]
    assert body["indicators"]
    for value in body["indicators"]:
        assert (value["value"] is None) == (value["status"] == "non_diffuse")
    assert client.get("/api/v1/territories/epci/000000000").status_code == 404


def test_cursor_pagination_walks_every_dossier_once(client, bearer):
    for _ in range(5):
        DossierFactory(filed=True)
    headers = bearer(UserFactory(dreets=True))
    seen, cursor = [], None
    while True:
        url = "/api/v1/dossiers?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, **headers).json()
        assert body["count"] == 5
        seen += [row["reference"] for row in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5


def test_filters_by_state_and_updated_since(client, bearer):
    filed = DossierFactory(filed=True)
    DossierFactory(admissible=True)
    headers = bearer(UserFactory(dreets=True))
    body = client.get("/api/v1/dossiers?state=depose", **headers).json()
    assert [row["reference"] for row in body["results"]] == [filed.reference]
    assert body["results"][0]["state_label"] == DossierState.SUBMITTED.label
    later = client.get("/api/v1/dossiers?updated_since=2999-01-01T00:00:00%2B01:00", **headers).json()
    assert later["count"] == 0


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("state=nimporte", "validation_error"),
        ("call=inconnu", "unknown_call"),
        ("limit=0", "validation_error"),
        ("limit=201", "validation_error"),
        ("limit=abc", "validation_error"),
        ("cursor=%%%", "invalid_cursor"),
        ("cursor=bm9u", "invalid_cursor"),
        ("updated_since=hier", "validation_error"),
    ],
)
def test_bad_parameters_answer_422_in_french(client, bearer, query, code):
    response = client.get(f"/api/v1/dossiers?{query}", **bearer(UserFactory(dreets=True)))
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_an_unknown_path_answers_json_404(client):
    response = client.get("/api/v1/nimporte/quoi")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
