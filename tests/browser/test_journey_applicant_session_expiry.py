"""Journey (issue 10): before a session ends, the page warns in its live region and the editor saves what is typed.

As the Ariège applicant typing a budget line, a few minutes before my session ends (here, with the limits shortened
by the test's settings), the page announces « Votre session va bientôt expirer » (aria-live, read by screen readers)
with « Rester connecté », and what I typed is saved without my pressing anything.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT = "porteur.ariege@demo.test"


@pytest.fixture
def draft(demo_platform):
    from pactes.accounts.models import User
    from pactes.dossiers.editing import dossier_create
    from pactes.organisations.models import Organisation

    user = User.objects.get(email=APPLICANT)
    organisation = Organisation.objects.filter(memberships__user=user).first()
    return dossier_create(
        call=demo_platform["pts-occitanie-demo"], organisation=organisation, title="Avant la fin de session", by=user
    )


def test_the_warning_is_announced_and_the_editor_saves_before_the_session_ends(
    page: Page, live_server, draft, settings
):
    from pactes.dossiers.models import ExpenseLine

    settings.PACTES_SESSION_APPLICANT_IDLE_SECONDS = 75  # the session ends 75 s after the last request
    settings.PACTES_SESSION_WARNING_SECONDS = 180  # so the warning is due at once
    settings.PACTES_AUTOSAVE_SECONDS = 3600  # the regular background save stays out of the way
    log_in(page, APPLICANT, landing=None)
    page.goto(f"/dossiers/{draft.reference}/etapes/budget/")
    page.get_by_label("Libellé — Dépenses prévisionnelles, ligne 1").fill("Location d'un camion frigorifique")
    page.get_by_label("Montant — Dépenses prévisionnelles, ligne 1").fill("3 400")

    region = page.locator("#session-expiry")
    expect(region).to_have_attribute("aria-live", "assertive")
    expect(region.get_by_role("heading", name="Votre session va bientôt expirer")).to_be_visible()
    expect(region.get_by_role("button", name="Rester connecté")).to_be_visible()

    # One minute before the end, session.js asks the editor to save: the line reaches the database untouched by me.
    expect(page.locator("#autosave-status")).to_contain_text("Enregistré automatiquement", timeout=30_000)
    assert list(ExpenseLine.objects.filter(dossier=draft).values_list("label", "amount")) == [
        ("Location d'un camion frigorifique", Decimal("3400.00"))
    ]
