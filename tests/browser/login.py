"""One way for every journey to log in, as a person would: the login form, then « Mon espace ».

Journeys call ``log_in(page, email)``; when staff log in with a second factor, this is the one place that types it.
"""

from playwright.sync_api import Page, expect

from pactes.demo.accounts import DEMO_PASSWORD


def fill_login_form(page: Page, email: str, password: str) -> None:
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD, *, landing: str | None = "Mon espace") -> None:
    """Logs ``email`` in from the login page; waits for the page's ``<h1>`` (``landing``, or any when ``None``)."""
    page.goto("/compte/connexion/")
    fill_login_form(page, email, password)
    heading = page.get_by_role("heading", level=1, name=landing) if landing else page.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
