"""The API's scope matrix: each role reaches, through a token, exactly the dossiers and conventions it sees in the
interface; another département, another applicant and the jury get 404 (as for a dossier that does not exist), an
anonymous caller 401. Data: the two demo dossiers retained (Ariège 40 000 €, Aude 30 000 €), the Ariège convention
signed, engaged and paid its advance (tests/agreements/fixtures.py)."""

import pytest

from pactes.rules.lifecycle import DossierState

pytestmark = pytest.mark.django_db

ENDPOINTS = ("/api/v1/dossiers/{ref}", "/api/v1/dossiers/{ref}/history", "/api/v1/agreements/{ref}")

# Who may read the Ariège dossier, its history and its convention (True), who gets 404 (False).
MATRIX = {
    "dreets": (True, True, True),
    "admin": (True, True, True),
    "instructeur.09": (True, True, True),
    "instructeur.11": (False, False, False),
    "porteur.ariege": (True, True, True),
    "porteur.aude": (False, False, False),
    "jury": (True, True, False),  # the jury sees what was transmitted to the committee, never a convention
}


@pytest.mark.parametrize("account", sorted(MATRIX))
def test_each_role_reads_the_ariege_dossier_only_within_its_scope(client, accounts, paid_agreement, bearer, account):
    reference = paid_agreement.dossier.reference
    headers = bearer(accounts[account])
    for endpoint, allowed in zip(ENDPOINTS, MATRIX[account], strict=True):
        response = client.get(endpoint.format(ref=reference), **headers)
        if allowed:
            assert response.status_code == 200, (account, endpoint, response.content)
        else:
            assert response.status_code == 404, (account, endpoint, response.content)
            assert response.json()["code"] == "not_found"
            assert set(response.json()) == {"code", "message"}  # nothing of the dossier


@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "/api/v1/dossiers", "/api/v1/indicators"])
def test_anonymous_caller_gets_401_on_every_private_endpoint(client, paid_agreement, endpoint):
    response = client.get(endpoint.format(ref=paid_agreement.dossier.reference))
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "authentication_required"
    assert "jeton" in body["message"]


def test_unknown_dossier_answers_like_a_hidden_one(client, accounts, paid_agreement, bearer):
    headers = bearer(accounts["instructeur.11"])
    hidden = client.get(f"/api/v1/dossiers/{paid_agreement.dossier.reference}", **headers)
    unknown = client.get("/api/v1/dossiers/PTS-2024-09-9999", **headers)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["code"] == unknown.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        ("dreets", {"09", "11"}),
        ("instructeur.09", {"09"}),
        ("instructeur.11", {"11"}),
        ("porteur.ariege", {"09"}),
        ("porteur.aude", {"11"}),
    ],
)
def test_the_list_holds_only_the_dossiers_of_the_scope(client, accounts, retained_dossier, bearer, account, expected):
    body = client.get("/api/v1/dossiers", **bearer(accounts[account])).json()
    assert {row["departement"] for row in body["results"]} == expected
    assert body["count"] == len(expected)


def test_an_instructor_filtering_another_departement_gets_nothing(client, accounts, retained_dossier, bearer):
    body = client.get("/api/v1/dossiers?departement=11", **bearer(accounts["instructeur.09"])).json()
    assert body == {"results": [], "next_cursor": None, "count": 0}


def test_the_session_of_the_interface_is_an_accepted_credential(client, accounts, retained_dossier):
    client.force_login(accounts["instructeur.11"])
    body = client.get("/api/v1/dossiers").json()
    assert [row["reference"] for row in body["results"]] == [retained_dossier["11"].reference]


def test_the_dossier_carries_its_document_versions_and_decision(client, accounts, paid_agreement, bearer):
    dossier = paid_agreement.dossier
    body = client.get(f"/api/v1/dossiers/{dossier.reference}", **bearer(accounts["dreets"])).json()
    assert body["state"] == DossierState.RETAINED.value
    assert body["state_label"] == "Retenu"
    assert body["document"]["format"] == "pactes.dossier/1"
    assert body["document"]["title"] == dossier.title
    version = dossier.versions.get()
    assert body["versions"] == [
        {"number": version.number, "sha256": version.sha256, "submitted_at": body["versions"][0]["submitted_at"]}
    ]
    assert body["decision"]["decision"] == "retenu"
    assert body["decision"]["awarded_amount"] == "40000.00"


def test_the_history_lists_every_move_with_the_role_of_its_author(client, accounts, paid_agreement, bearer):
    body = client.get(f"/api/v1/dossiers/{paid_agreement.dossier.reference}/history", **bearer(accounts["dreets"]))
    moves = [(row["from_state"], row["to_state"]) for row in body.json()]
    assert moves[0] == ("brouillon", "depose")
    assert moves[-1] == ("transmis", "retenu")
    assert body.json()[-1]["by_role"] == "DREETS"


def test_the_agreement_gives_the_commitment_and_the_payments(client, accounts, paid_agreement, bearer):
    body = client.get(f"/api/v1/agreements/{paid_agreement.dossier.reference}", **bearer(accounts["instructeur.09"]))
    data = body.json()
    assert data["awarded_amount"] == "40000.00"
    assert data["commitment_number"] == "2103456789"
    assert data["paid"] == "20000.00"
    assert data["remaining_to_pay"] == "20000.00"
    assert [(p["step_code"], p["amount"]) for p in data["payments"]] == [("avance", "20000.00")]


def test_a_draft_agreement_is_hidden_from_the_applicant(client, accounts, draft_agreement, bearer):
    reference = draft_agreement.dossier.reference
    assert client.get(f"/api/v1/agreements/{reference}", **bearer(accounts["porteur.ariege"])).status_code == 404
    assert client.get(f"/api/v1/agreements/{reference}", **bearer(accounts["instructeur.09"])).status_code == 200


def test_indicators_follow_the_scope_of_the_consolidated_view(client, accounts, retained_dossier, bearer):
    region = client.get("/api/v1/indicators", **bearer(accounts["dreets"])).json()
    ariege = client.get("/api/v1/indicators", **bearer(accounts["instructeur.09"])).json()
    jury = client.get("/api/v1/indicators", **bearer(accounts["jury"])).json()
    assert region["dossiers"] == 2
    assert ariege["dossiers"] == 1
    assert {g["key"] for g in ariege["by_departement"]} <= {"09"}
    assert jury == {"dossiers": 0, "by_measure": [], "by_public": [], "by_departement": []}
