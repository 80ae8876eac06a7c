"""A draft filled up to its budget, for the tests of the editor's pages."""

import pytest

from pactes.dossiers.editing import step_version
from tests.web.test_dossier_edit import budget_data, formset_data, save_one_priority, step_url


@pytest.fixture
def filled_dossier(client, editor_dossier, editor_applicant, editor_epci):
    """A draft with a priority, a partner in kind, a financial partner, expenses and cofinancing."""
    dossier, user = editor_dossier, editor_applicant[0]
    save_one_priority(dossier, user)
    client.force_login(user)
    partners = formset_data(
        "partenaires",
        [
            {
                "name": "Commune <Saint-Girons>",
                "contribution": "staff",
                "quantity": "2,4",
                "unit": "ETP-mois",
                "unit_value": "3 500",
            },
            {
                "name": "Département de l'Ariège",
                "contribution": "financial",
                "amount": "10 000",
                "funder_kind": "public",
            },
        ],
    )
    for step, data in (
        ("perimetre", {"mode": "epci", "epcis": ["200067940"]}),
        ("diagnostic", {"diagnostic": "Pauvreté « rurale » & isolement <b>", "complementarity": ""}),
        ("partenaires", partners),
        ("budget", budget_data(lock_version=0, expenses=["100 000", "2 500,50"], grant="50 000", public="5 000")),
    ):
        response = client.post(step_url(dossier, step), {**data, "lock_version": str(step_version(dossier, step))})
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    client.get(step_url(dossier, "budget"))  # shows (and so empties) the « enregistrée » messages
    return dossier
