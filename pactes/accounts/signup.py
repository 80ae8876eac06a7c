"""Sign-up of applicants: an account created by its owner, unusable for a dossier until its address is confirmed.

Words: a *sign-up* creates an applicant account (role porteur) whose ``email_confirmed_at`` is empty; the
*confirmation link* (``EmailConfirmation``) is sent at once, works once and expires after
``PACTES_EMAIL_CONFIRMATION_HOURS``; asking for a new link retires the previous ones. Signing up with an address
already registered creates nothing and answers the same way, while the owner of that address is told.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import EmailConfirmation, Role, User
from pactes.accounts.notifications import already_registered_notify, confirmation_notify


class ConfirmationInvalid(Exception):
    """The confirmation link cannot be used (message in French)."""


@dataclass(frozen=True)
class SignupLinks:
    """Addresses the e-mails point to, built by the web layer (services never see a request)."""

    confirm: Callable[[str], str]
    login: str
    reset: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirmation_validity() -> dt.timedelta:
    return dt.timedelta(hours=settings.PACTES_EMAIL_CONFIRMATION_HOURS)


def user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


@transaction.atomic
def signup(*, email: str, first_name: str, last_name: str, password: str, links: SignupLinks) -> User | None:
    """Creates the applicant account and sends its confirmation link; for an address already registered, creates
    nothing, tells its owner and returns None. The caller answers the same in both cases."""
    existing = user_by_email(email)
    if existing is not None:
        if existing.is_active and existing.deleted_at is None:
            already_registered_notify(user=existing, login_url=links.login, reset_url=links.reset)
        return None
    user = User.objects.create_user(
        email,
        password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=Role.APPLICANT,
        email_confirmed_at=None,
        privacy_accepted_at=timezone.now(),
    )
    confirmation_send(user=user, confirm_url=links.confirm)
    return user


@transaction.atomic
def confirmation_send(*, user: User, confirm_url: Callable[[str], str]) -> EmailConfirmation | None:
    """A new single-use link for an account not yet confirmed (the older ones stop working); None once confirmed."""
    if user.email_is_confirmed:
        return None
    now = timezone.now()
    EmailConfirmation.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    token = secrets.token_urlsafe(32)
    confirmation = EmailConfirmation.objects.create(user=user, token_hash=_digest(token))
    confirmation_notify(confirmation=confirmation, link=confirm_url(token))
    return confirmation


@transaction.atomic
def email_confirm(*, token: str, now: dt.datetime | None = None) -> User:
    """Confirms the address of the link's account; the link then stops working."""
    now = now or timezone.now()
    confirmation = (
        EmailConfirmation.objects.select_for_update().select_related("user").filter(token_hash=_digest(token)).first()
    )
    if confirmation is None:
        raise ConfirmationInvalid("Ce lien de confirmation n'est pas valide : vérifiez qu'il a été recopié en entier.")
    user = confirmation.user
    if confirmation.used_at is not None:
        if user.email_is_confirmed:
            raise ConfirmationInvalid("Votre adresse est déjà confirmée : connectez-vous.")
        raise ConfirmationInvalid(
            "Ce lien a déjà servi ou a été remplacé par un lien plus récent : utilisez le dernier courriel reçu."
        )
    if confirmation.created_at + confirmation_validity() < now:
        raise ConfirmationInvalid(
            "Ce lien a expiré (il était valable "
            f"{settings.PACTES_EMAIL_CONFIRMATION_HOURS} heures) : connectez-vous pour en recevoir un nouveau."
        )
    confirmation.used_at = now
    confirmation.save(update_fields=["used_at"])
    user.email_confirmed_at = now
    user.save(update_fields=["email_confirmed_at"])
    return user
