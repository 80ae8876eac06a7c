"""Public call page, eligibility checker (HTML and JSON) and the administrator's list proposal screen."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from pactes.calls.models import EligibleListKind
from pactes.calls.selectors import current_eligible_list
from pactes.territories.models import Commune


def test_calls_index_lists_the_calls_publicly(client, real_call):
    response = client.get(reverse("calls:index"))
    assert response.status_code == 200
    assert escape(real_call.title) in response.content.decode()


def test_call_page_shows_key_figures_with_their_sections(client, indicative_call):
    page = client.get(reverse("calls:detail", args=[indicative_call.slug])).content.decode()
    assert "62\u202f000\u00a0€" in page
    assert "1.4 FINANCEMENT (plafonnée à 62 K€ par projet)" in page
    assert "50\u00a0%" in page
    assert "de 1 à 3" in page
    assert "12 mois" in page
    assert "AMI 2024-PTS" in page
    assert "dreets-oc.inclusionsociale@dreets.gouv.fr" in page
    assert "Les familles monoparentales" in page
    assert "Fondation" in page
    assert "1.1. CONTEXTE" in page  # the call text, rendered


def test_call_page_shows_the_timeline_with_today(client, real_call):
    page = client.get(reverse("calls:detail", args=[real_call.slug])).content.decode()
    assert 'class="pactes-timeline"' in page
    assert "is-past" in page
    assert 'class="is-today"' in page and "Aujourd'hui" in page
    assert "Clôture du dépôt des dossiers" in page


def test_indicative_list_is_labelled_with_its_method_and_grouped_by_departement(client, indicative_call):
    page = client.get(reverse("calls:detail", args=[indicative_call.slug])).content.decode()
    assert "Liste indicative" in page
    assert "Filosofi 2019" in page
    assert "Ariège (09)" in page


def test_official_list_is_labelled_with_its_date(client, indicative_call, admin_user):
    from pactes.calls.services import eligible_list_arrest

    eligible_list_arrest(call=indicative_call, epci_sirens=["200006930"], indicator_code="Q2", year=2019, by=admin_user)
    page = client.get(reverse("calls:detail", args=[indicative_call.slug])).content.decode()
    assert "Liste officielle des EPCI éligibles, arrêtée le" in page


def test_measures_by_axis_say_when_a_list_is_partial_or_not_found(client, real_call):
    from django.conf import settings

    from pactes.calls.services import measures_import

    measures_import(path=settings.PACTES_CALLS_DIR / "pacte_des_solidarites.yaml")
    page = client.get(reverse("calls:detail", args=[real_call.slug])).content.decode()
    assert escape("Garantir l'accès à des temps de socialisation") in page
    assert "Liste partielle" in page
    assert "Mesures non trouvées" in page


def test_demo_call_page_says_demonstration_and_the_offset(client, demo_call):
    page = client.get(reverse("calls:detail", args=[demo_call.slug])).content.decode()
    assert 'fr-badge--warning">Démonstration' in page
    assert f"décalée de {demo_call.date_offset_days} jours" in page


def test_unknown_call_is_404(client, db):
    assert client.get(reverse("calls:detail", args=["inconnu"])).status_code == 404


def _eligible_and_not(call):
    entry = current_eligible_list(call).entries.select_related("epci").first()
    eligible_commune = Commune.objects.filter(epci=entry.epci).order_by("-population_municipale").first()
    return entry.epci, eligible_commune


def test_checker_says_a_commune_of_an_eligible_epci_is_eligible_and_names_the_epci(client, indicative_call):
    epci, commune = _eligible_and_not(indicative_call)
    response = client.get(reverse("calls:detail", args=[indicative_call.slug]), {"q": commune.code_insee})
    page = response.content.decode()
    assert "Commune ou EPCI (nom ou code)" in page
    assert f"Commune {commune.name}" in page
    assert ">éligible<" in page
    assert epci.name in page


def test_checker_says_a_commune_of_a_non_eligible_epci_is_not_eligible(client, indicative_call):
    page = client.get(reverse("calls:detail", args=[indicative_call.slug]), {"q": "31555"}).content.decode()
    assert ">non éligible<" in page
    assert "ne figure pas sur la liste indicative" in page


def test_checker_finds_an_epci_by_siren(client, indicative_call):
    epci, _ = _eligible_and_not(indicative_call)
    page = client.get(reverse("calls:detail", args=[indicative_call.slug]), {"q": epci.siren}).content.decode()
    assert f"EPCI {epci.name} ({epci.siren})" in page
    assert ">éligible<" in page


def test_checker_without_match_answers_in_french(client, indicative_call):
    page = client.get(reverse("calls:detail", args=[indicative_call.slug]), {"q": "Xyzzyville"}).content.decode()
    assert "Aucune commune ni aucun EPCI ne correspond à « Xyzzyville »" in page


def test_eligibility_json_gives_the_same_answer(client, indicative_call):
    epci, commune = _eligible_and_not(indicative_call)
    url = reverse("calls:eligibility_json", args=[indicative_call.slug])
    data = client.get(url, {"q": commune.code_insee}).json()
    assert data["resultats"][0]["eligible"] is True
    assert data["resultats"][0]["epci"] == epci.name
    assert data["resultats"][0]["motifs"][0]["code"] == "eligibility.commune_epci"
    toulouse = client.get(url, {"q": "31555"}).json()["resultats"][0]
    assert toulouse["eligible"] is False
    nothing = client.get(url, {"q": "Xyzzyville"}).json()
    assert nothing["resultats"] == [] and nothing["message"].startswith("Aucune commune")
    assert client.get(url).status_code == 400


# -- administrator's proposal screen ---------------------------------------------------------------------------------
def _propose_url(call):
    return reverse("calls:propose_list", args=[call.slug])


@pytest.mark.parametrize("who", ["anonymous", "dreets_user", "instructor_user"])
def test_proposal_screen_is_hidden_from_everyone_but_administrators(client, indicative_call, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(_propose_url(indicative_call)).status_code == 404
    assert client.post(_propose_url(indicative_call), {"epcis": ["200006930"], "confirm": "on"}).status_code == 404
    assert current_eligible_list(indicative_call).kind == EligibleListKind.INDICATIVE


def test_administrator_sees_the_ranking_pre_ticked_with_the_indicative_list(client, indicative_call, admin_user):
    client.force_login(admin_user)
    response = client.get(_propose_url(indicative_call))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Médiane" in page
    assert "Q2" in page
    assert page.count(" checked>") == 43
    assert "Ariège (09)" in page


def test_administrator_arrests_a_list_which_comes_into_force(client, indicative_call, admin_user):
    client.force_login(admin_user)
    response = client.post(
        _propose_url(indicative_call),
        {"indicateur": "Q2-2019", "epcis": ["200006930", "200017341"], "confirm": "on"},
        follow=True,
    )
    current = current_eligible_list(indicative_call)
    assert current.kind == EligibleListKind.PROPOSED
    assert current.arrested_by == admin_user
    assert current.entries.count() == 2
    page = response.content.decode()
    assert "Liste arrêtée : 2 EPCI éligibles." in page
    assert "Liste arrêtée sur proposition" in page  # history


def test_arresting_requires_an_epci_and_the_confirmation(client, indicative_call, admin_user):
    client.force_login(admin_user)
    page = client.post(_propose_url(indicative_call), {"indicateur": "Q2-2019"}).content.decode()
    assert "Cochez au moins un EPCI." in page
    assert "Cochez la case de confirmation" in page
    assert current_eligible_list(indicative_call).kind == EligibleListKind.INDICATIVE
