"""Journey (issue 2): each demo account logs in through the login form, reaches « Mon espace » with its role, and logs
out; a wrong password is refused with a French message.

As a person holding one of the seven demo accounts (password ``pactes-demo``), I click « Se connecter » in the
header, type my e-mail and password (and, for a staff account, the code of my authenticator app), land on my space where my role is written, and leave with « Se déconnecter ».
"""

import re

import pytest
from playwright.sync_api import Page, expect

from pactes.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.browser.login import fill_login_form, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_demo_account_logs_in_sees_its_role_and_logs_out(page: Page, live_server, demo_platform):
    page.goto("/")
    page.get_by_role("link", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1, name="Connexion à Pactes")).to_be_visible()

    # A wrong password: the form says so in French, and nobody is logged in.
    fill_login_form(page, "porteur.ariege@demo.test", "pas-le-bon-mot-de-passe")
    expect(page.get_by_text("Adresse électronique ou mot de passe incorrect.")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)

    for account in DEMO_ACCOUNTS:
        log_in(page, account.email, DEMO_PASSWORD)  # staff type the code of their authenticator there

        expect(page).to_have_url(re.compile(r"/espace/$"))
        expect(page.get_by_role("heading", level=1, name="Mon espace")).to_be_visible()
        identity = page.get_by_role("main").get_by_text("Connecté en tant que")
        expect(identity).to_contain_text(account.email)
        expect(identity).to_contain_text(f"rôle : {account.role.label}")

        page.get_by_role("button", name="Se déconnecter").click()
        expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()
        expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
