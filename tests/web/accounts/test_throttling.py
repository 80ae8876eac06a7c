"""Login throttling per account AND per address (django-axes): the address is the client's, taken from a trusted
proxy's header only; the lockout page is French and says nothing of whether an account exists."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from pactes.demo.accounts import DEMO_PASSWORD

# CI runs the whole suite on PostgreSQL and the `engine` tests on SQLite: throttling and expiry must hold on both.
pytestmark = pytest.mark.engine

LOGIN_URL = reverse("accounts:login")
DASHBOARD_URL = reverse("core:dashboard")
WRONG = "mauvais-mot-de-passe"


def attempt(client, email, password=WRONG, *, address="203.0.113.7", **headers):
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=address, **headers)


def test_a_hundred_failures_over_twenty_five_accounts_from_one_address_lock_that_address(client, demo_accounts):
    statuses = []
    for _round in range(4):  # 4 failures per account: no account reaches its own limit (5)
        for index in range(25):
            statuses.append(attempt(client, f"cible.{index}@exemple.fr").status_code)
    assert 429 in statuses
    assert statuses.index(429) < 100
    # The address is locked: even a right password of an account it never tried is refused from it.
    assert attempt(client, "porteur.ariege@demo.test", DEMO_PASSWORD).status_code == 429
    # Another address is free, and so are those accounts from it.
    assert attempt(client, "porteur.ariege@demo.test", DEMO_PASSWORD, address="198.51.100.20").status_code == 302


def test_the_address_limit_is_a_setting(client, demo_accounts, settings):
    settings.PACTES_LOGIN_FAILURES_PER_ADDRESS = 10
    for index in range(9):
        assert attempt(client, f"cible.{index}@exemple.fr").status_code == 200
    assert attempt(client, "cible.9@exemple.fr").status_code == 429


def test_an_account_is_locked_after_five_failures_from_as_many_addresses(client, demo_accounts):
    for index in range(4):
        assert attempt(client, "dreets@demo.test", address=f"198.51.100.{index + 1}").status_code == 200
    assert attempt(client, "dreets@demo.test", address="198.51.100.5").status_code == 429
    # From a sixth address, the right password is refused too: the account is locked, wherever one comes from.
    assert attempt(client, "dreets@demo.test", DEMO_PASSWORD, address="198.51.100.6").status_code == 429


def test_a_success_on_ones_own_account_does_not_wipe_the_failures_of_the_address(client, demo_accounts, settings):
    settings.PACTES_LOGIN_FAILURES_PER_ADDRESS = 10
    for index in range(9):
        attempt(client, f"cible.{index}@exemple.fr")
    assert attempt(client, "porteur.aude@demo.test", DEMO_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"), REMOTE_ADDR="203.0.113.7")
    assert attempt(client, "cible.9@exemple.fr").status_code == 429


def test_the_lockout_page_is_french_and_the_same_for_an_account_that_exists_or_not(client, demo_accounts):
    for _ in range(5):
        known = attempt(client, "jury@demo.test", address="192.0.2.1")
    for _ in range(5):
        unknown = attempt(client, "personne@exemple.fr", address="192.0.2.2")
    assert known.status_code == unknown.status_code == 429
    known_text = known.content.decode()
    assert "Connexion suspendue" in known_text
    assert "Trop de tentatives de connexion infructueuses" in known_text
    assert "jury@demo.test" not in known_text
    # Byte for byte the same page, but for the per-response CSP nonce (and the CSRF token, also per response).
    assert same_page(known_text.replace("jury@demo.test", "X")) == same_page(
        unknown.content.decode().replace("personne@exemple.fr", "X")
    )


def same_page(html: str) -> str:
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', html)


# -- the client address: a trusted proxy's header only ---------------------------------------------------------------
@pytest.fixture
def behind_a_proxy(settings):
    settings.PACTES_TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.PACTES_LOGIN_FAILURES_PER_ADDRESS = 10
    return settings


def test_behind_a_trusted_proxy_each_client_address_counts_apart(client, demo_accounts, behind_a_proxy):
    for index in range(9):
        attempt(client, f"cible.{index}@exemple.fr", address="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.50")
    # The proxy's own address is not locked: another client behind it logs in.
    response = attempt(
        Client(), "porteur.ariege@demo.test", DEMO_PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.51"
    )
    assert response.status_code == 302
    # The client that failed nine times is locked at its tenth.
    assert attempt(client, "autre@exemple.fr", address="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.50").status_code == 429


def test_a_header_from_anyone_else_is_ignored(client, demo_accounts, behind_a_proxy):
    # Changing X-Forwarded-For at each try does not escape the address limit when one is not a trusted proxy.
    for index in range(9):
        attempt(client, f"cible.{index}@exemple.fr", address="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{index}")
    response = attempt(client, "cible.9@exemple.fr", address="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_the_lockout_page_says_how_long_in_minutes(client, demo_accounts):
    for _ in range(5):
        response = attempt(client, "jury@demo.test")
    assert "la connexion est suspendue pendant 15 minutes" in response.content.decode()
