"""Journey (issue 15, ADR 0049): the applicant's editor with a keyboard and a screen reader.

As the Ariège applicant on a fresh draft of the demonstration call: a save that fails puts the focus on the error
summary, whose link takes me to the field; the budget's live totals are a status region that follows what I type;
after an autosave the rules panel (a polite live region) shows the rules as the platform now judges them; on the
Périmètre step a search box narrows the 161 EPCI and the EPCI I ticked is listed with « Retirer <nom> », which
unticks it.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT = "porteur.ariege@demo.test"
PASSWORD = "pactes-demo"


@pytest.fixture
def draft(demo_platform):
    from pactes.accounts.models import User
    from pactes.dossiers.editing import dossier_create
    from pactes.organisations.models import Organisation

    user = User.objects.get(email=APPLICANT)
    organisation = Organisation.objects.filter(memberships__user=user).first()
    return dossier_create(
        call=demo_platform["pts-occitanie-demo"], organisation=organisation, title="Au clavier", by=user
    )


def test_after_a_failed_save_the_focus_is_on_the_error_summary_and_its_link_reaches_the_field(
    page: Page, live_server, draft, settings
):
    settings.PACTES_AUTOSAVE_SECONDS = 600  # only the button saves
    log_in(page, password=PASSWORD, landing=None, email=APPLICANT)
    page.goto(f"/dossiers/{draft.reference}/etapes/budget/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Budget")
    amount = page.get_by_label("Montant — Dépenses prévisionnelles, ligne 1")
    amount.fill("-5")
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    expect(page).to_have_title(re.compile(r"^Erreur : Budget"))
    summary = page.locator("#resume-erreurs")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", level=2)).to_have_text("Le formulaire contient 1 erreur")
    link = summary.get_by_role("link", name=re.compile("Dépenses prévisionnelles, ligne 1 — Montant"))
    link.click()
    expect(amount).to_be_focused()
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_have_accessible_description(re.compile("ne peut pas être négatif"))


def test_the_totals_are_a_status_and_the_rules_panel_follows_each_autosave(page: Page, live_server, draft, settings):
    settings.PACTES_AUTOSAVE_SECONDS = 1
    log_in(page, password=PASSWORD, landing=None, email=APPLICANT)
    page.goto(f"/dossiers/{draft.reference}/etapes/budget/")
    panel = page.locator("#panneau-regles-zone")
    expect(panel).to_have_attribute("aria-live", "polite")
    expect(panel.locator("[data-figure='total_expenses']")).to_contain_text("0")
    totals = page.get_by_role("status").filter(has_text="Dépenses :")
    expect(totals).to_have_count(1)

    page.get_by_label("Subvention demandée à l'État").fill("62 000")
    page.get_by_label("Libellé — Dépenses prévisionnelles, ligne 1").fill("Véhicule et personnel")
    page.get_by_label("Montant — Dépenses prévisionnelles, ligne 1").fill("100 000")
    expect(totals.locator("[data-live='expenses']")).to_have_text(re.compile(r"^100\s000\s€$"))
    expect(totals.locator("[data-live='resources']")).to_have_text(re.compile(r"^62\s000\s€$"))

    expect(page.locator("#autosave-status")).to_contain_text("Enregistré automatiquement")
    expect(panel.locator("[data-figure='total_expenses']")).to_contain_text(re.compile(r"100\s000"))
    expect(panel.locator("[data-rule='COFINANCING_TOO_LOW']")).to_have_class(re.compile("is-failed"))

    # Fixed by a cofinancing line: the next autosave turns the rule met, in place.
    page.get_by_label("Financeur — Cofinancements, ligne 1").fill("Conseil départemental de l'Ariège")
    page.get_by_label("Montant — Cofinancements, ligne 1").fill("50 000")
    page.get_by_label("Subvention demandée à l'État").fill("50 000")
    expect(totals.locator("[data-live='rate']")).to_have_text(re.compile(r"^50\s%$"))
    expect(panel.locator("[data-rule='COFINANCING_TOO_LOW']")).to_have_class(re.compile("is-met"))
    expect(panel.locator("[data-figure='cofinancing']")).to_contain_text(re.compile(r"50\s000"))


def test_the_perimeter_search_narrows_the_list_and_retirer_unticks_the_epci(page: Page, live_server, draft, settings):
    settings.PACTES_AUTOSAVE_SECONDS = 600
    log_in(page, password=PASSWORD, landing=None, email=APPLICANT)
    page.goto(f"/dossiers/{draft.reference}/etapes/perimetre/")
    group = page.locator("#checkboxes-id_epcis")
    boxes = group.locator("[data-filter-item]")
    total = boxes.count()
    assert total > 100

    search = page.get_by_label("Rechercher dans la liste « EPCI du périmètre »")
    expect(search).to_be_visible()
    search.fill("couserans")
    expect(boxes.filter(visible=True)).to_have_count(1)
    expect(group.get_by_role("status")).to_have_text(f"1 sur {total} correspondent à « couserans ».")
    couserans = page.get_by_label("CC Couserans-Pyrénées — éligible")
    page.keyboard.press("Tab")  # from the search box to the only box left in the list
    expect(couserans).to_be_focused()
    page.keyboard.press("Space")
    expect(couserans).to_be_checked()

    remove = group.get_by_role("button", name="Retirer CC Couserans-Pyrénées")
    expect(remove).to_be_visible()
    search.fill("")
    expect(boxes.filter(visible=True)).to_have_count(total)
    remove.focus()
    page.keyboard.press("Enter")
    expect(couserans).not_to_be_checked()
    expect(remove).to_have_count(0)
    expect(search).to_be_focused()
    expect(group.locator("[data-selection-title]")).to_have_text("Aucun élément retenu.")
