"""Journey (issue 2): an anonymous visitor discovers the PTS Occitanie 2024 call and checks whether a territory is
eligible.

As a visitor without an account, I open Pactes, go to the call page, read its key figures, its calendar (where are
we today?), the eligible territories (an indicative list until annex 1 is published) and whom to write to; I check
that Saint-Girons is eligible and Toulouse is not; I see that the demonstration call says so; and I open the page of
an EPCI to read its population and median standard of living.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from pactes.rules.money import number
from pactes.territories.models import Epci

pytestmark = pytest.mark.django_db(transaction=True)

REAL_CALL_TITLE = "Appel à manifestation d'intérêt — Pactes territoriaux des solidarités en Occitanie (2024)"
DEMO_CALL_TITLE = "Démonstration — Pactes territoriaux des solidarités en Occitanie"
COUSERANS_SIREN = "200067940"


def check_eligibility(page: Page, query: str) -> None:
    page.get_by_label("Commune ou EPCI (nom ou code)").fill(query)
    page.get_by_role("button", name="Vérifier").click()


def test_visitor_reads_the_call_page_and_checks_eligibility(page: Page, live_server, demo_platform):
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1, name="Appels à projets")).to_be_visible()

    page.get_by_role("link", name=REAL_CALL_TITLE).click()
    expect(page).to_have_url(re.compile(r"/appels/pts-occitanie-2024/$"))
    expect(page.get_by_role("heading", level=1, name=REAL_CALL_TITLE)).to_be_visible()
    expect(page.get_by_text("Dépôt clos", exact=True)).to_be_visible()

    # Key figures, each with the section of the call it comes from.
    figures = page.get_by_role("table", name="Chiffres clés de l'appel")
    grant_row = figures.get_by_role("row", name=re.compile("Subvention maximale par projet"))
    expect(grant_row).to_contain_text("62\u202f000\xa0€")
    expect(figures.get_by_role("row", name=re.compile("Cofinancement minimal"))).to_contain_text(re.compile(r"50\s?%"))

    # The calendar, with today's position: the real call is over, so today comes after every step.
    expect(page.get_by_role("heading", level=2, name="Calendrier")).to_be_visible()
    timeline = page.get_by_role("list").filter(has_text="Aujourd'hui").last
    expect(timeline.get_by_text("Aujourd'hui", exact=True)).to_be_visible()
    expect(timeline.get_by_role("listitem").last).to_contain_text("Aujourd'hui")

    # The eligible territories: the computed list is labelled as indicative.
    expect(page.get_by_role("heading", level=2, name="Territoires éligibles")).to_be_visible()
    expect(page.get_by_text("Liste indicative", exact=True)).to_be_visible()
    expect(page.get_by_text(f"SIREN {COUSERANS_SIREN}")).to_be_visible()

    # Contacts: the DREETS mailbox and the subject prefix.
    expect(page.get_by_role("heading", level=2, name="Informations et contacts")).to_be_visible()
    expect(page.get_by_text("« AMI 2024-PTS »")).to_be_visible()

    # The eligibility checker: a commune of an eligible EPCI, then the regional capital.
    check_eligibility(page, "Saint-Girons")
    result = page.locator("#resultats-eligibilite")
    saint_girons = result.get_by_role("heading", name=re.compile("Commune Saint-Girons"))
    expect(saint_girons).to_contain_text("éligible")
    expect(saint_girons).not_to_contain_text("non éligible")
    expect(result).to_contain_text("Couserans-Pyrénées")

    check_eligibility(page, "Toulouse")
    toulouse = result.get_by_role("heading", name=re.compile("Commune Toulouse"))
    expect(toulouse).to_contain_text("non éligible")

    # The demonstration call says what it is.
    page.get_by_role("link", name="Appels", exact=True).first.click()
    page.get_by_role("link", name=DEMO_CALL_TITLE).click()
    expect(page.get_by_role("heading", level=1, name=DEMO_CALL_TITLE)).to_be_visible()
    expect(page.get_by_text("Dépôt ouvert", exact=True)).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("Appel de démonstration")

    # A territory page: population and Filosofi median of the CC Couserans-Pyrénées.
    page.goto(f"{live_server.url}/territoires/epci/{COUSERANS_SIREN}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Couserans-Pyrénées")
    population = Epci.objects.get(siren=COUSERANS_SIREN).population_municipale
    population_term = page.get_by_role("term").filter(has_text=re.compile("^Population municipale$"))
    expect(population_term.locator("xpath=following-sibling::dd[1]")).to_have_text(number(population))
    indicators = page.get_by_role("table", name=re.compile("Indicateurs Insee de"))
    expect(indicators).to_contain_text("19\u202f380")
