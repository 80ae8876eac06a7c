"""Journey (issue 10): an instructor enrols an authenticator app, logs in with a code, a wrong code is refused, a
recovery code works once.

As a new DDETS-PP instructor, I log in with my password and Pactes asks me to activate the two-factor
authentication: I scan the QR code (or type the secret shown beside it) in my authenticator app, type the code it
shows and note my 10 recovery codes. At my next login, Pactes asks for the code: a wrong one is refused, the right one
lets me in. The day I lose my phone, a recovery code lets me in once, and never again.
"""

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from pactes.accounts.models import Role, User
from pactes.accounts.two_factor import key_from_base32
from pactes.territories.models import Departement
from tests.browser.login import fill_login_form, log_in

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "nouvel.instructeur@ariege.gouv.fr"
PASSWORD = "Instruction-Ariege-2026"


def app_code(secret: str) -> str:
    """What an authenticator app shows for ``secret`` (base32) now: the journey reads the secret off the page."""
    key = bytes.fromhex(key_from_base32(secret))
    return f"{TOTP(key).token():06d}"


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").first.click()
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()


def test_instructor_enrols_logs_in_with_a_code_and_uses_a_recovery_code_once(page: Page, live_server, reference_data):
    User.objects.create_user(
        EMAIL, PASSWORD, role=Role.INSTRUCTOR, departement=Departement.objects.get(code="09"), first_name="Noé"
    )

    # First login: the password alone opens nothing, Pactes asks to enrol.
    page.goto("/compte/connexion/")
    fill_login_form(page, EMAIL, PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Activer la double authentification")).to_be_visible()
    expect(page.get_by_text("La double authentification est obligatoire pour les agents")).to_be_visible()
    expect(page.get_by_role("img", name="QR code à scanner avec votre application d’authentification")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert len(secret) == 32
    page.goto("/instruction/")
    expect(page.get_by_role("heading", level=1, name="Activer la double authentification")).to_be_visible()

    page.get_by_label("Code affiché par l’application").fill(app_code(secret))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", level=1, name="Codes de secours")).to_be_visible()
    codes = [code.inner_text().strip() for code in page.locator(".pactes-recovery-codes code").all()]
    assert len(codes) == 10 and len(set(codes)) == 10
    page.get_by_role("link", name="Continuer").click()
    expect(page.get_by_role("heading", level=1, name="Instruction des dossiers")).to_be_visible()
    log_out(page)

    # Next login: a wrong code is refused, the right one (computed by log_in from the device) lets in.
    page.goto("/compte/connexion/")
    fill_login_form(page, EMAIL, PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Vérification en deux étapes")).to_be_visible()
    page.get_by_label("Code de vérification").fill("000000")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Code incorrect ou expiré")).to_be_visible()
    page.goto("/espace/")
    expect(page.get_by_role("heading", level=1, name="Vérification en deux étapes")).to_be_visible()
    log_out(page)
    device = TOTPDevice.objects.get(user__email=EMAIL)
    while not device.verify_is_allowed()[0]:  # after a wrong code django-otp refuses any code for a moment
        time.sleep(0.2)
        device.refresh_from_db()
    log_in(page, EMAIL, PASSWORD)
    assert TOTPDevice.objects.get(user__email=EMAIL).throttling_failure_count == 0
    log_out(page)

    # Phone lost: a recovery code lets in once.
    page.goto("/compte/connexion/")
    fill_login_form(page, EMAIL, PASSWORD)
    page.get_by_label("Code de vérification").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1, name="Mon espace")).to_be_visible()
    expect(page.get_by_text("Il vous en reste 9")).to_be_visible()
    log_out(page)

    page.goto("/compte/connexion/")
    fill_login_form(page, EMAIL, PASSWORD)
    page.get_by_label("Code de vérification").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Code incorrect ou expiré")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Vérification en deux étapes")).to_be_visible()
