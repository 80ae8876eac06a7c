"""Issue 15 (1): axe-core finds no WCAG 2.1 A/AA violation on any page each demo role reaches within three clicks, nor
on any step of the dossier editor in its error state (ADR 0048).

The demo is loaded once (every stage from filing to settlement); for each role the crawl (tests/browser/crawl.py)
lists the kinds of page it reaches from its home, at most 40 per role, and the browser opens each one with the
role's session and runs axe-core. Any violation, whatever its impact, fails with the page, the rule, its impact and
the elements. What axe cannot decide goes to ``var/axe-incomplete.json`` (the terminal summary says where). The kinds
of page the journeys visit are among those the crawl reaches (ADR 0048 says why the journeys do not audit themselves).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.axe import Audit, audit, describe
from tests.browser.crawl import PAGES_PER_ROLE, ROLES, VISITOR, RolePages, session_cookie

APPLICANT = "porteur.ariege@demo.test"


@pytest.mark.django_db  # the one test here in a database transaction: the others read the demo through the browser
def test_each_role_reaches_its_own_pages_within_three_clicks(demo_site):
    reached = {email: [found.url for found in role.pages] for email, role in demo_site.roles.items()}
    assert all(found.clicks <= 3 for role in demo_site.roles.values() for found in role.pages)
    assert "/accessibilite/" in reached[VISITOR]
    assert any("/etapes/" in url for url in reached[APPLICANT])
    assert any(url.startswith("/instruction/") for url in reached["instructeur.09@demo.test"])
    assert any(url.startswith("/comite/") for url in reached["jury@demo.test"])
    assert all(len(urls) <= PAGES_PER_ROLE for urls in reached.values())


def role_context(browser: Browser, base_url: str, role: RolePages) -> BrowserContext:
    context = browser.new_context(base_url=base_url, locale="fr-FR", timezone_id="Europe/Paris")
    context.add_cookies(session_cookie(role.client, base_url))
    context.set_default_timeout(10_000)
    return context


# Pages that finish drawing after their load event: what marks them done.
SETTLED = {"#carte": "#carte[data-loaded], #carte .fr-error-text"}


def open_and_audit(page: Page, url: str) -> Audit:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} : réponse {response.status if response else 'absente'}"
    for drawn, done in SETTLED.items():
        if page.locator(drawn).count():
            page.locator(done).first.wait_for(state="attached")
    return audit(page)


@pytest.mark.parametrize("email", ROLES, ids=[email or "visiteur" for email in ROLES])
def test_no_axe_violation_on_any_page_a_role_reaches_in_three_clicks(
    browser: Browser, demo_site, axe_incomplete, email
):
    role = demo_site.roles[email]
    assert len(role.pages) >= (5 if email == VISITOR else 8), [found.url for found in role.pages]
    context = role_context(browser, demo_site.url, role)
    page = context.new_page()
    audits = [open_and_audit(page, found.url) for found in role.pages]
    context.close()
    axe_incomplete.add(audits)
    failing = [one for one in audits if one.violations]
    assert not failing, (
        f"axe-core : {len(failing)} pages sur {len(audits)} ont des violations WCAG 2.1 A/AA "
        f"({email or 'visiteur'}) :\n{describe(failing)}"
    )


# What each step is given so that « Enregistrer » shows its errors: a value no field accepts where one is typed.
INVALID = {
    "input[inputmode=decimal], input[inputmode=numeric], input[type=number]": "pas un nombre",
    "input[type=email]": "pas-une-adresse",
    "input[type=url]": "pas une adresse",
    "input[type=date]": "",
}


@pytest.fixture(scope="module")
def draft(demo_site, django_db_blocker):
    """A new draft of the demonstration call, carried by the Ariège applicant's organisation."""
    from pactes.accounts.models import User
    from pactes.calls.models import Call
    from pactes.dossiers.editing import dossier_create
    from pactes.organisations.models import Organisation

    with django_db_blocker.unblock():
        user = User.objects.get(email=APPLICANT)
        organisation = Organisation.objects.filter(memberships__user=user).first()
        call = Call.objects.get(slug="pts-occitanie-demo")
        return dossier_create(call=call, organisation=organisation, title="Dossier en erreur", by=user)


def make_invalid(page: Page) -> None:
    form = page.locator("main form:has(button:text-is('Enregistrer'))").first
    for selector, value in INVALID.items():
        for field in form.locator(selector).all():
            if field.is_visible() and field.is_editable():
                field.fill(value)
    for field in form.locator("textarea, input[type=text]").all():
        if field.is_visible() and field.is_editable() and field.get_attribute("required") is not None:
            field.fill("")


def test_no_axe_violation_on_each_editor_step_in_its_error_state(browser: Browser, demo_site, draft, axe_incomplete):
    from pactes.dossiers.editing import STEP_CODES

    context = role_context(browser, demo_site.url, demo_site.roles[APPLICANT])
    page = context.new_page()
    audits, without_errors = [], []
    for step in STEP_CODES:
        page.goto(f"/dossiers/{draft.reference}/etapes/{step}/")
        if page.get_by_role("button", name="Enregistrer", exact=True).count():
            make_invalid(page)
            page.get_by_role("button", name="Enregistrer", exact=True).first.click()
            page.wait_for_load_state()
            if not page.locator(".fr-error-text, .fr-alert--error, .fr-message--error").count():
                without_errors.append(step)
        audits.append(audit(page))
    context.close()
    axe_incomplete.add(audits)
    failing = [one for one in audits if one.violations]
    assert not failing, f"axe-core : violations sur les étapes en erreur :\n{describe(failing)}"
    print(f"Étapes sans erreur affichée après un envoi invalide : {without_errors or 'aucune'}")
