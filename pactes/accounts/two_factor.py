"""Two-factor authentication (ADR 0023): a TOTP authenticator app, and single-use recovery codes.

Words: a *second factor* is something the person holds besides the password: an *authenticator app* (TOTP, RFC 6238:
a 6-digit code that changes every 30 seconds, computed from a *secret* shared once at *enrolment* through a QR code)
or a *recovery code* (10 given at enrolment, each usable once, for a lost phone). Staff (instructor, DREETS, jury,
administrator) must have one; an applicant may enable one. *Re-enrolment*: an administrator or the DREETS removes a
person's devices (lost phone), who enrols again at the next login. Devices are django-otp's: ``TOTPDevice`` (one
confirmed per person) and ``StaticDevice`` with its ``StaticToken`` (the recovery codes).
"""

import base64
import binascii
import re

from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactes.accounts.models import StaffChange, User
from pactes.accounts.permissions import can_manage_account

# Set in the session by the ProConnect callback when the ID token proves a strong login (its value says which claim).
STRONG_LOGIN_SESSION_KEY = "pactes_strong_login"
APP_DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"


def has_second_factor(user: User) -> bool:
    """``user`` has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def requires_second_factor(user: User) -> bool:
    """Every login of ``user`` must be confirmed by a second factor: staff always, an applicant who enabled one."""
    if not user.is_authenticated:
        return False
    return user.is_staff_member or has_second_factor(user)


def secret_base32(device: TOTPDevice) -> str:
    """The secret of ``device`` as an authenticator app takes it by hand (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def key_from_base32(secret: str) -> str:
    """The hexadecimal key django-otp stores, from a base32 secret (spaces and letter case ignored)."""
    text = re.sub(r"\s", "", secret).upper()
    text += "=" * (-len(text) % 8)
    try:
        return binascii.hexlify(base64.b32decode(text)).decode("ascii")
    except (binascii.Error, ValueError) as exc:
        raise ValueError("Secret base32 invalide.") from exc


@transaction.atomic
def enrolment_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for ``user`` (its secret is shown once); earlier unconfirmed ones go."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def pending_enrolment(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def _clean_code(code: str) -> str:
    return re.sub(r"[\s-]", "", str(code or "")).lower()


@transaction.atomic
def enrolment_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirms ``device`` with a code the app shows; returns the new recovery codes, or ``None`` if the code is wrong.

    The confirmed app replaces any earlier one of the person, and the recovery codes are new.
    """
    cleaned = _clean_code(code)
    if not (cleaned.isdigit() and len(cleaned) == device.digits) or not device.verify_token(cleaned):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_renew(user=device.user)


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """``PACTES_RECOVERY_CODES`` new single-use recovery codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.PACTES_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def second_factor_check(*, user: User, code: str) -> Device | None:
    """The device that accepts ``code`` (a TOTP code, or a recovery code, which is then used up), else ``None``.

    django-otp throttles each device: after a wrong code, the next one is refused for an increasing delay.
    """
    cleaned = _clean_code(code)
    if not cleaned:
        return None
    if cleaned.isdigit() and len(cleaned) == 6:  # an app's code; recovery codes are 8 letters and digits
        for totp in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if totp.verify_token(cleaned):
                return totp
        return None
    for static in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if static.verify_token(cleaned):
            return static
    return None


def is_throttled(user: User) -> bool:
    """A wrong code was typed recently: django-otp refuses every code of the app for a growing delay."""
    return any(not device.verify_is_allowed()[0] for device in TOTPDevice.objects.filter(user=user, confirmed=True))


@transaction.atomic
def second_factor_reset(*, user: User, by: User) -> None:
    """Removes every device of ``user`` (lost phone): they enrol again at their next login. Logged."""
    if not can_manage_account(by, user):
        raise PermissionError("Seuls la DREETS et les administrateurs réinitialisent la double authentification.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    StaffChange.objects.create(
        by=by,
        user=user,
        action=StaffChange.Action.SECOND_FACTOR_RESET,
        role=user.role,
        departement=user.departement,
    )


@transaction.atomic
def second_factor_disable(*, user: User) -> None:
    """An applicant turns their optional second factor off (staff cannot: it is mandatory for them)."""
    if user.is_staff_member:
        raise PermissionError("La double authentification est obligatoire pour les agents.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def totp_device_with_secret(*, user: User, secret: str) -> TOTPDevice:
    """A confirmed authenticator for ``user`` with a known base32 secret (the demo accounts' documented secrets)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": APP_DEVICE_NAME, "key": key_from_base32(secret)}
    )
    return device
