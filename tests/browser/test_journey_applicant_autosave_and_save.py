"""Journey (issue 8): a budget line typed, autosaved, then saved with « Enregistrer » is never lost; two co-editors
save two different steps at once; on one step, the second sees both versions side by side and keeps what was typed.

As the Ariège applicant (``porteur.ariege@demo.test``), on a fresh draft of the demonstration call, I type a line in
the first empty row of the budget, wait for « Enregistré automatiquement », press « Enregistrer »: the line is in the
database and on the page. Then the same in the *second* empty row: no « Ce champ est obligatoire » on the first one.
With a colleague invited as co-editor, each of us saves a different step from pages loaded at the same time; then we
both edit « Diagnostic »: the one who saves second gets the conflict view with both texts and saves knowingly.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT = "porteur.ariege@demo.test"
CO_EDITOR = "collegue.ariege@demo.test"
PASSWORD = "pactes-demo"


@pytest.fixture
def draft(demo_platform):
    """A new empty draft of the demonstration call, carried by the Ariège applicant's organisation."""
    from pactes.accounts.models import User
    from pactes.dossiers.editing import dossier_create
    from pactes.organisations.models import Organisation

    user = User.objects.get(email=APPLICANT)
    organisation = Organisation.objects.filter(memberships__user=user).first()
    return dossier_create(
        call=demo_platform["pts-occitanie-demo"], organisation=organisation, title="Budget à toute épreuve", by=user
    )


def stored_expenses(dossier) -> list[tuple[str, Decimal]]:
    from pactes.dossiers.models import ExpenseLine

    return list(ExpenseLine.objects.filter(dossier=dossier).values_list("label", "amount"))


@pytest.mark.parametrize("row", [1, 2], ids=["first empty row", "second empty row"])
def test_a_line_typed_then_autosaved_then_saved_is_kept(page: Page, live_server, draft, settings, row):
    settings.PACTES_AUTOSAVE_SECONDS = 1
    log_in(page, password=PASSWORD, landing=None, email=APPLICANT)
    page.goto(f"/dossiers/{draft.reference}/etapes/budget/")
    page.get_by_label("Subvention demandée à l'État").fill("500")
    page.get_by_label(f"Libellé — Dépenses prévisionnelles, ligne {row}").fill("Matériel de puériculture")
    page.get_by_label(f"Montant — Dépenses prévisionnelles, ligne {row}").fill("1 200")
    expect(page.locator("#autosave-status")).to_contain_text("Enregistré automatiquement")
    assert stored_expenses(draft) == [("Matériel de puériculture", Decimal("1200.00"))]

    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Étape « Budget » enregistrée.")).to_be_visible()
    expect(page.get_by_text("Ce champ est obligatoire")).to_have_count(0)
    assert stored_expenses(draft) == [("Matériel de puériculture", Decimal("1200.00"))]
    expect(page.get_by_label("Libellé — Dépenses prévisionnelles, ligne 1")).to_have_value("Matériel de puériculture")


@pytest.fixture
def co_editor(draft):
    from pactes.accounts.models import Role, User

    user = User.objects.create_user(CO_EDITOR, PASSWORD, role=Role.APPLICANT, first_name="Inès", last_name="Garcia")
    draft.editors.add(user)
    return user


def two_pages(browser: Browser, base_url: str) -> tuple[Page, Page]:
    pages = []
    for email in (APPLICANT, CO_EDITOR):
        context = browser.new_context(base_url=base_url, locale="fr-FR", timezone_id="Europe/Paris")
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, password=PASSWORD, landing=None, email=email)
        pages.append(page)
    return pages[0], pages[1]


def test_two_co_editors_save_two_different_steps_loaded_at_the_same_time(
    browser: Browser, live_server, draft, co_editor, settings
):
    settings.PACTES_AUTOSAVE_SECONDS = 600  # only the buttons save in this journey
    mine, theirs = two_pages(browser, live_server.url)
    mine.goto(f"/dossiers/{draft.reference}/etapes/diagnostic/")
    theirs.goto(f"/dossiers/{draft.reference}/etapes/impact/")
    mine.get_by_label("Diagnostic : besoins identifiés").fill("Taux de pauvreté de 21 % (Filosofi 2019).")
    theirs.get_by_label("Impact réel attendu sur les bénéficiaires").fill("40 familles accompagnées vers l'emploi.")
    mine.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(mine.get_by_text("Étape « Diagnostic » enregistrée.")).to_be_visible()
    theirs.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(theirs.get_by_text("Étape « Impact attendu » enregistrée.")).to_be_visible()
    draft.refresh_from_db()
    assert draft.diagnostic == "Taux de pauvreté de 21 % (Filosofi 2019)."
    assert draft.expected_impact == "40 familles accompagnées vers l'emploi."


def test_on_one_step_the_second_sees_both_versions_keeps_its_text_and_saves_knowingly(
    browser: Browser, live_server, draft, co_editor, settings
):
    settings.PACTES_AUTOSAVE_SECONDS = 600
    mine, theirs = two_pages(browser, live_server.url)
    for page in (mine, theirs):
        page.goto(f"/dossiers/{draft.reference}/etapes/diagnostic/")
    mine.get_by_label("Diagnostic : besoins identifiés").fill("Version de Camille.")
    mine.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(mine.get_by_text("Étape « Diagnostic » enregistrée.")).to_be_visible()

    theirs.get_by_label("Diagnostic : besoins identifiés").fill("Version d'Inès, longue à retaper.")
    theirs.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(theirs.get_by_role("heading", name="Modification concurrente")).to_be_visible()
    comparison = theirs.locator("#comparaison")
    expect(comparison).to_contain_text("Version d'Inès, longue à retaper.")
    expect(comparison).to_contain_text("Version de Camille.")
    expect(theirs.get_by_label("Diagnostic : besoins identifiés")).to_have_value("Version d'Inès, longue à retaper.")
    draft.refresh_from_db()
    assert draft.diagnostic == "Version de Camille."

    theirs.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(theirs.get_by_text("Étape « Diagnostic » enregistrée.")).to_be_visible()
    draft.refresh_from_db()
    assert draft.diagnostic == "Version d'Inès, longue à retaper."
