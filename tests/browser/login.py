"""One way for every journey to log in, as a person would: the login form, then « Mon espace ».

Journeys call ``log_in(page, email)``; when the account has an authenticator app (every staff demo account has one,
with the secret documented in pactes/demo/accounts.py), this is the one place that types its second factor: the
current code, computed from the device's secret as an authenticator app would (RFC 6238).
"""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from pactes.demo.accounts import DEMO_PASSWORD


def fill_login_form(page: Page, email: str, password: str) -> None:
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def current_code(device: TOTPDevice) -> str:
    """The code the app shows now. A code serves once: if this time step's code was already used (another login of
    the same account within 30 seconds), the next step's, which the device accepts within its tolerance, or else
    the code of the next step once it comes."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while device.last_t + 1 - TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t() > 1:
        time.sleep(1)  # the device's window (one step of tolerance) has not reached an unused code yet
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t - totp.t() + 1)
    return f"{totp.token():0{device.digits}d}"


def type_second_factor(page: Page, email: str) -> None:
    device = TOTPDevice.objects.get(user__email__iexact=email, confirmed=True)
    expect(page.get_by_role("heading", level=1, name="Vérification en deux étapes")).to_be_visible()
    page.get_by_label("Code de vérification").fill(current_code(device))
    page.get_by_role("button", name="Valider").click()


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD, *, landing: str | None = "Mon espace") -> None:
    """Logs ``email`` in from the login page (and types its second factor, if it has an authenticator); waits for
    the page's ``<h1>`` (``landing``, or any when ``None``)."""
    page.goto("/compte/connexion/")
    fill_login_form(page, email, password)
    if TOTPDevice.objects.filter(user__email__iexact=email, confirmed=True).exists():
        type_second_factor(page, email)
    heading = page.get_by_role("heading", level=1, name=landing) if landing else page.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
