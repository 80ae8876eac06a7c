"""Co-editors of a draft: an applicant invites a colleague by e-mail; the link, used once within its validity, adds
the person to ``Dossier.editors``."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import User
from pactes.dossiers.editing import EditRefused, dossier_can_be_edited_by
from pactes.dossiers.models import Dossier, Invitation
from pactes.dossiers.notifications import invitation_notify

INVITATION_VALIDITY = dt.timedelta(days=30)


class InvitationInvalid(Exception):
    """The invitation link cannot be used (unknown, already used, expired, or the person cannot edit)."""


def invitation_create(*, dossier: Dossier, email: str, by: User, accept_url: Callable[[str], str]) -> Invitation:
    """Invites ``email`` to co-edit; the e-mail (link built by ``accept_url(token)``) leaves once the row is saved."""
    if not dossier_can_be_edited_by(dossier, by):
        raise EditRefused("Seuls les porteurs d'un dossier en brouillon peuvent inviter des co-éditeurs.")
    invitation = Invitation.objects.create(
        dossier=dossier, email=email.strip().lower(), token=secrets.token_urlsafe(32), invited_by=by
    )
    invitation_notify(
        invitation=invitation, dossier=dossier, by=by, link=accept_url(invitation.token), validity=INVITATION_VALIDITY
    )
    return invitation


def invitation_usable(invitation: Invitation, *, now: dt.datetime | None = None) -> str:
    """Why the invitation cannot be accepted, in French (empty when it can)."""
    now = now or timezone.now()
    if invitation.accepted_at is not None:
        return "Cette invitation a déjà été utilisée."
    if invitation.invited_at + INVITATION_VALIDITY < now:
        return "Cette invitation a expiré : demandez au porteur de vous inviter à nouveau."
    if not invitation.dossier.is_draft:
        return "Ce dossier a été déposé : il n'est plus modifiable."
    return ""


@transaction.atomic
def invitation_accept(*, token: str, by: User) -> Dossier:
    """Adds ``by`` to the dossier's editors; the link works once."""
    invitation = Invitation.objects.select_for_update().select_related("dossier").filter(token=token).first()
    if invitation is None:
        raise InvitationInvalid("Ce lien d'invitation n'est pas valide.")
    if problem := invitation_usable(invitation):
        raise InvitationInvalid(problem)
    if not by.is_applicant:
        raise InvitationInvalid("Seul un compte de porteur de projet peut co-éditer un dossier.")
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    invitation.dossier.editors.add(by)
    return invitation.dossier
