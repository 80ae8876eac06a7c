"""E-mails about an account: the confirmation link of a sign-up, the warning to an address already registered, and
the password reset link. Each goes through the outbox (``pactes.outbox.services.email_queue``), with the account
subject prefix (``PACTES_ACCOUNT_SUBJECT_PREFIX``)."""

from __future__ import annotations

import secrets

from django.conf import settings

from pactes.accounts.models import EmailConfirmation, User
from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import email_queue, email_subject


def _subject(text: str) -> str:
    return email_subject(settings.PACTES_ACCOUNT_SUBJECT_PREFIX, text)


def confirmation_notify(*, confirmation: EmailConfirmation, link: str) -> OutgoingEmail | None:
    return email_queue(
        key=f"email-confirmation:{confirmation.pk}",
        to=[confirmation.user.email],
        subject=_subject("Confirmez votre adresse électronique"),
        template="emails/account_confirmation.txt",
        context={
            "user": confirmation.user,
            "link": link,
            "hours": settings.PACTES_EMAIL_CONFIRMATION_HOURS,
        },
    )


def already_registered_notify(*, user: User, login_url: str, reset_url: str) -> OutgoingEmail | None:
    """Someone tried to sign up with the address of an existing account: its owner is told, nobody else."""
    return email_queue(
        key=f"signup-existing:{user.pk}:{secrets.token_hex(8)}",
        to=[user.email],
        subject=_subject("Tentative d'inscription avec votre adresse"),
        template="emails/account_already_registered.txt",
        context={"user": user, "login_url": login_url, "reset_url": reset_url},
    )


def password_reset_notify(*, user: User, link: str) -> OutgoingEmail | None:
    return email_queue(
        key=f"password-reset:{user.pk}:{secrets.token_hex(8)}",
        to=[user.email],
        subject=_subject("Réinitialisation de votre mot de passe"),
        template="emails/password_reset.txt",
        context={"user": user, "link": link, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
    )
