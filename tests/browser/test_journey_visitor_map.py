"""Journey (issue 13): a visitor explores the map of the territories.

As a préfecture's communication officer without an account, I open « Territoires », then the interactive map; I choose
the share of minimum social benefits in the indicator select: the map is coloured again, its legend gives the classes (and « non
diffusé »); hovering an EPCI shows its value, clicking it opens its page. Then, with the keyboard only, I reach the
list of the same data beside the map and open an EPCI from it.
"""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

COUSERANS_SIREN = "200067940"


def test_visitor_chooses_an_indicator_and_opens_an_epci(page: Page, live_server, demo_platform):
    page.goto("/territoires/")
    page.get_by_role("link", name=re.compile("Carte interactive des EPCI")).click()
    expect(page.get_by_role("heading", level=1, name="Carte des territoires")).to_be_visible()

    indicator = page.get_by_label("Indicateur", exact=True)
    expect(indicator).to_have_value("Q2")  # the median standard of living, the call's indicator, by default
    indicator.select_option(label="Part des minima sociaux dans le revenu disponible (%)")  # reloads the page
    expect(page).to_have_url(re.compile(r"indicateur=PPMINI"))
    expect(page.get_by_label("Indicateur", exact=True)).to_have_value("PPMINI")
    expect(page.get_by_role("list", name="Légende")).to_contain_text("non diffusé")
    expect(page.get_by_role("table")).to_contain_text("Part des minima sociaux")

    map_area = page.locator("#carte[data-loaded='true']")
    expect(map_area).to_be_visible(timeout=15_000)
    epci = page.locator(f"path.pactes-map-epci[data-siren='{COUSERANS_SIREN}']")
    expect(epci).to_have_count(1)
    epci.dispatch_event("mouseover")
    expect(page.locator(".leaflet-tooltip")).to_contain_text("Part des minima sociaux")
    epci.dispatch_event("click")
    expect(page).to_have_url(re.compile(rf"/territoires/epci/{COUSERANS_SIREN}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Couserans")

    # The list alternative, by keyboard: the link to the table, then an EPCI of the table.
    page.go_back()
    expect(page.get_by_role("heading", level=1, name="Carte des territoires")).to_be_visible()
    skip_to_list = page.get_by_role("link", name="tableau qui la suit")
    skip_to_list.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#liste$"))
    row_link = page.get_by_role("table").get_by_role("link", name=re.compile("Couserans"))
    row_link.focus()
    expect(row_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/territoires/epci/{COUSERANS_SIREN}/$"))
