"""Co-editors of a draft: an applicant invites a colleague by e-mail; the link adds that person to
``Dossier.editors``, and only that person.

Words: an invitation is *bound* to the address it was sent to: only an account of that address (logged in, or
signed up with it) may accept it; anyone else gets a French explanation and nothing is attached. It is *usable*
once, for ``PACTES_INVITATION_DAYS`` days (7), until an editor of the dossier *revokes* it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import User
from pactes.dossiers.editing import EditRefused, dossier_can_be_edited_by
from pactes.dossiers.models import Dossier, Invitation
from pactes.dossiers.notifications import invitation_notify


def invitation_validity() -> dt.timedelta:
    return dt.timedelta(days=settings.PACTES_INVITATION_DAYS)


class InvitationInvalid(Exception):
    """The invitation link cannot be used (unknown, used, expired, revoked, another address, or the person cannot
    edit)."""


def invitation_create(*, dossier: Dossier, email: str, by: User, accept_url: Callable[[str], str]) -> Invitation:
    """Invites ``email`` to co-edit; the e-mail (link built by ``accept_url(token)``) leaves once the row is saved."""
    if not dossier_can_be_edited_by(dossier, by):
        raise EditRefused("Seuls les porteurs d'un dossier en brouillon peuvent inviter des co-éditeurs.")
    invitation = Invitation.objects.create(
        dossier=dossier, email=email.strip().lower(), token=secrets.token_urlsafe(32), invited_by=by
    )
    invitation_notify(
        invitation=invitation, dossier=dossier, by=by, link=accept_url(invitation.token), validity=invitation_validity()
    )
    return invitation


def invitation_expires_at(invitation: Invitation) -> dt.datetime:
    return invitation.invited_at + invitation_validity()


def invitation_usable(invitation: Invitation, *, now: dt.datetime | None = None) -> str:
    """Why the invitation cannot be accepted by anyone, in French (empty when its address can)."""
    now = now or timezone.now()
    if invitation.revoked_at is not None:
        return "Cette invitation a été retirée par un porteur du dossier."
    if invitation.accepted_at is not None:
        return "Cette invitation a déjà été utilisée."
    if invitation_expires_at(invitation) < now:
        return "Cette invitation a expiré : demandez au porteur de vous inviter à nouveau."
    if not invitation.dossier.is_draft:
        return "Ce dossier a été déposé : il n'est plus modifiable."
    return ""


def invitation_refusal_for(invitation: Invitation, user: User) -> str:
    """Why ``user`` (logged in) cannot accept this invitation, in French (empty when they can)."""
    if user.email.lower() != invitation.email.lower():
        return (
            f"Cette invitation a été envoyée à une autre adresse électronique que celle de votre compte "
            f"({user.email}). Pour l'accepter, déconnectez-vous puis connectez-vous (ou créez un compte) avec "
            "l'adresse qui a reçu l'invitation ; sinon, demandez au porteur de vous inviter à votre adresse."
        )
    if not user.is_applicant:
        return "Seul un compte de porteur de projet peut co-éditer un dossier."
    if not user.email_is_confirmed:
        return "Confirmez d'abord votre adresse électronique (lien reçu par courriel), puis revenez à cette invitation."
    return ""


@transaction.atomic
def invitation_accept(*, token: str, by: User) -> Dossier:
    """Adds ``by`` to the dossier's editors when the invitation was sent to ``by``'s address; the link works once."""
    invitation = Invitation.objects.select_for_update().select_related("dossier").filter(token=token).first()
    if invitation is None:
        raise InvitationInvalid("Ce lien d'invitation n'est pas valide.")
    if problem := invitation_usable(invitation) or invitation_refusal_for(invitation, by):
        raise InvitationInvalid(problem)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = by
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    invitation.dossier.editors.add(by)
    return invitation.dossier


@transaction.atomic
def invitation_revoke(*, invitation_id: int, dossier: Dossier, by: User) -> Invitation:
    """An editor of the dossier withdraws an invitation not yet accepted; its link stops working."""
    if not dossier_can_be_edited_by(dossier, by):
        raise EditRefused("Seuls les porteurs d'un dossier en brouillon peuvent retirer une invitation.")
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id, dossier=dossier).first()
    if invitation is None:
        raise InvitationInvalid("Cette invitation n'existe pas pour ce dossier.")
    if invitation.accepted_at is not None:
        raise InvitationInvalid("Cette invitation a déjà été acceptée : elle ne peut plus être retirée.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.revoked_by = by
        invitation.save(update_fields=["revoked_at", "revoked_by"])
    return invitation
