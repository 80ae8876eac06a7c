"""The dashboard of the DREETS and of each DDETS-PP: its scope, its figures (from their one owner), each chart
followed by its data table and its CSV; the demonstration call never mixed into real figures.
Data: the two demo dossiers retained (Ariège 40 000 €, Aude 30 000 €), the Ariège convention engaged and paid
20 000 € (tests/agreements/fixtures.py); the 2024 call's envelope is 100 000 €."""

import csv
import io

import pytest

from pactes.calls.models import Call
from pactes.followup.dashboard import dashboard_figures

pytestmark = pytest.mark.django_db


def _figure(figures, key):
    return next(f for f in figures if f.key == key)


def test_the_dreets_sees_the_region_and_the_envelope(client, accounts, paid_agreement):
    client.force_login(accounts["dreets"])
    page = client.get("/tableau-de-bord/").content.decode()
    assert "<h1>Tableau de bord</h1>" in page
    assert page.count("<bar-chart ") == page.count("<caption>Données du graphique")  # each chart has its table
    assert "Région Occitanie : 2 dossiers déposés" in page
    figures = dashboard_figures(user=accounts["dreets"], call=paid_agreement.dossier.call)
    amounts = dict(_figure(figures, "montants").rows)
    assert amounts["Attribué"] == (70000,)
    assert amounts["Engagé (EJ)"] == (40000,)
    assert amounts["Versé"] == (20000,)
    assert amounts["Enveloppe régionale"] == (100000,)
    assert dict(_figure(figures, "departements").rows) == {"09 — Ariège": (1,), "11 — Aude": (1,)}
    assert dict(_figure(figures, "etats").rows) == {"Retenu": (2,)}


def test_a_ddets_sees_its_departement_only_and_no_regional_envelope(client, accounts, paid_agreement):
    figures = dashboard_figures(user=accounts["instructeur.11"], call=paid_agreement.dossier.call)
    assert dict(_figure(figures, "departements").rows) == {"11 — Aude": (1,)}
    amounts = dict(_figure(figures, "montants").rows)
    assert amounts["Attribué"] == (30000,)
    assert "Enveloppe régionale" not in amounts
    client.force_login(accounts["instructeur.11"])
    page = client.get("/tableau-de-bord/").content.decode()
    assert "Ariège" not in page.split("<h1>", 1)[1]


def test_awarded_by_measure_and_axis_count_the_awarded_projects(accounts, paid_agreement):
    figures = dashboard_figures(user=accounts["dreets"], call=paid_agreement.dossier.call)
    by_measure = _figure(figures, "mesures")
    assert by_measure.rows
    assert all(values[0] <= 70000 for _label, values in by_measure.rows)
    assert _figure(figures, "axes").rows


@pytest.mark.parametrize("account", ["porteur.ariege", "jury"])
def test_applicants_and_jury_have_no_dashboard(client, accounts, account):
    client.force_login(accounts[account])
    assert client.get("/tableau-de-bord/").status_code == 404
    assert client.get("/tableau-de-bord/etats.csv").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]


def test_each_chart_has_a_csv_of_its_rows(client, accounts, paid_agreement):
    client.force_login(accounts["dreets"])
    response = client.get("/tableau-de-bord/montants.csv?appel=pts-occitanie-2024")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Montant", "Euros (€)"]
    assert ["Attribué", "70000,00"] in rows
    assert client.get("/tableau-de-bord/inconnu.csv").status_code == 404


def test_the_demo_call_is_chosen_apart_and_labelled(client, accounts, paid_agreement):
    real = paid_agreement.dossier.call
    demo = Call.objects.create(
        slug="pts-occitanie-demo",
        title="Démonstration",
        short_title="Démo",
        is_demo=True,
        date_offset_days=10,
        source_file=real.source_file,
        yaml_text=real.yaml_text,
        yaml_sha256=real.yaml_sha256,
        filing_opens_at=real.filing_opens_at,
        filing_closes_at=real.filing_closes_at,
    )
    client.force_login(accounts["dreets"])
    page = client.get("/tableau-de-bord/").content.decode()
    assert "Démo (démonstration)" in page
    assert "Appel de démonstration" not in page
    demo_page = client.get(f"/tableau-de-bord/?appel={demo.slug}").content.decode()
    assert "Appel de démonstration" in demo_page
    assert ": 0 dossiers déposés" in demo_page
    assert client.get("/tableau-de-bord/?appel=inconnu").status_code == 404
