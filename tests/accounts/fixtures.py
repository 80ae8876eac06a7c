"""Fixtures of the accounts and access tests: the two départements of the demo, the 2024 call, the demo accounts
and their filed dossiers. Registered for every package by tests/conftest.py.

The départements are created only when the reference territories are not loaded already (they may be, once per
session, by other fixtures).
"""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactes.accounts.models import Role, User
from pactes.calls.services import call_load
from pactes.demo.accounts import DEMO_ACCOUNTS, ensure_demo_accounts
from pactes.dossiers.models import Dossier
from pactes.dossiers.services import dossier_transition
from pactes.organisations.models import Organisation
from pactes.territories.models import Departement


@pytest.fixture
def departements(db):
    rows = [
        ("09", "Ariège", "09122", "Foix", 153_287, 157_619),
        ("11", "Aude", "11069", "Carcassonne", 374_070, 383_262),
    ]
    return {
        code: Departement.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "region_code": "76",
                "region_name": "Occitanie",
                "prefecture_code": prefecture_code,
                "prefecture_name": prefecture_name,
                "population_municipale": municipale,
                "population_totale": totale,
            },
        )[0]
        for code, name, prefecture_code, prefecture_name, municipale, totale in rows
    }


@pytest.fixture
def call(db, settings):
    return call_load(path=settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")


@pytest.fixture
def demo_accounts(departements):
    return ensure_demo_accounts()


@pytest.fixture
def demo_dossiers(demo_accounts, call):
    """The filed dossiers of the demo, keyed by département code."""
    return {dossier.departement.code: dossier for dossier in bare_filed_dossiers(call)}


def _next_reference(call, departement) -> str:
    prefix = f"PTS-{call.rules.filing_opens_at.year}-{departement.code}-"
    taken = Dossier.objects.filter(reference__startswith=prefix).count()
    number = taken + 1
    while Dossier.objects.filter(reference=f"{prefix}{number:04d}").exists():
        number += 1
    return f"{prefix}{number:04d}"


def bare_filed_dossiers(call) -> list[Dossier]:
    """One filed dossier (title only) per demo organisation: enough to prove who sees what."""
    created = []
    for account in DEMO_ACCOUNTS:
        demo = account.organisation
        if demo is None:
            continue
        organisation = Organisation.objects.filter(siret=demo.siret).first()
        applicant = User.objects.filter(email__iexact=account.email, role=Role.APPLICANT).first()
        if (
            organisation is None
            or applicant is None
            or Dossier.objects.filter(call=call, organisation=organisation).exists()
        ):
            continue
        departement = Departement.objects.get(code=demo.departement_code)
        dossier = Dossier.objects.create(
            call=call,
            organisation=organisation,
            reference=_next_reference(call, departement),
            title=demo.project_title,
            departement=departement,
            created_by=applicant,
        )
        created.append(dossier_transition(dossier=dossier, transition="submit", by=applicant))
    return created


def totp_code_now(device: TOTPDevice, *, offset: int = 0) -> str:
    """The code an authenticator app shows now for ``device`` (``offset`` time steps later), as RFC 6238 says; when
    this step's code was already used (a code serves once), the next step's, which the device accepts (tolerance)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    if not offset and totp.t() <= device.last_t:
        totp.time += (device.last_t - totp.t() + 1) * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def log_in_with_code():
    """Logs in through the real forms: e-mail and password, then the current code of the account's authenticator
    (the demo staff accounts have one with a documented secret). Returns the answer to the code."""

    def log_in(client, email, password):
        client.post(reverse("accounts:login"), {"username": email, "password": password})
        device = TOTPDevice.objects.get(user__email__iexact=email, confirmed=True)
        return client.post(reverse("accounts:two_factor_verify"), {"code": totp_code_now(device)})

    return log_in
