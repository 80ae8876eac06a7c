"""What Pactes holds about a person (« Mes données », downloadable as JSON) and the deletion of their account.

Words: *pseudonymisation* replaces the person's identity in the rows that must stay (a filed dossier, its log,
the invitations they sent) by « ancien membre »: the account row stays, inactive, under an address that reaches
nobody, without password; everything that only served the person (memberships, requests, pending invitations,
confirmation links, co-editing of drafts) is deleted.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import EmailConfirmation, User
from pactes.dossiers.models import Dossier, Invitation
from pactes.organisations.models import Membership, MembershipRequest
from pactes.organisations.services import member_removed_everywhere
from pactes.outbox.models import OutgoingEmail

FORMER_MEMBER = "ancien membre"


class DeletionRefused(Exception):
    """The account cannot be deleted by its owner (message in French)."""


def _moment(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def personal_data(user: User) -> dict[str, Any]:
    """Everything Pactes holds about ``user``, in French keys, ready for JSON."""
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("pk")
    dossiers = (
        (Dossier.objects.filter(created_by=user) | Dossier.objects.filter(editors=user))
        .distinct()
        .select_related("call", "organisation")
        .order_by("reference")
    )
    return {
        "format": "pactes.mes-donnees/1",
        "exporte_le": _moment(timezone.now()),
        "compte": {
            "adresse_electronique": user.email,
            "prenom": user.first_name,
            "nom": user.last_name,
            "role": user.get_role_display(),
            "departement": str(user.departement) if user.departement_id else None,
            "cree_le": _moment(user.date_joined),
            "derniere_connexion": _moment(user.last_login),
            "adresse_confirmee_le": _moment(user.email_confirmed_at),
            "notice_acceptee_le": _moment(user.privacy_accepted_at),
        },
        "organisations": [
            {
                "nom": m.organisation.name,
                "siret": m.organisation.siret,
                "administrateur": m.is_admin,
                "membre_depuis": _moment(m.joined_at),
            }
            for m in memberships
        ],
        "demandes_d_adhesion": [
            {
                "organisation": r.organisation.name,
                "etat": r.get_status_display(),
                "demandee_le": _moment(r.requested_at),
            }
            for r in MembershipRequest.objects.filter(user=user).select_related("organisation").order_by("pk")
        ],
        "dossiers": [
            {
                "numero": d.reference,
                "intitule": d.title,
                "appel": d.call.short_title,
                "organisation": d.organisation.name,
                "etat": d.get_state_display(),
                "cree_par_moi": d.created_by_id == user.pk,
            }
            for d in dossiers
        ],
        "invitations_recues": [
            {"dossier": i.dossier.reference, "invitee_le": _moment(i.invited_at), "acceptee_le": _moment(i.accepted_at)}
            for i in Invitation.objects.filter(email__iexact=user.email).select_related("dossier").order_by("pk")
        ],
        "invitations_envoyees": [
            {"dossier": i.dossier.reference, "adresse": i.email, "invitee_le": _moment(i.invited_at)}
            for i in Invitation.objects.filter(invited_by=user).select_related("dossier").order_by("pk")
        ],
        "courriels_recus": [
            {"objet": e.subject, "enregistre_le": _moment(e.created_at), "envoye_le": _moment(e.sent_at)}
            for e in OutgoingEmail.objects.filter(recipients__icontains=user.email).order_by("created_at", "pk")
            if user.email.lower() in {r.lower() for r in e.recipient_list}
        ],
    }


@transaction.atomic
def account_delete(*, user: User) -> list[str]:
    """Deletes the account of an applicant at their request: pseudonymised where a record must stay. Returns the
    organisations left."""
    if not user.is_applicant:
        raise DeletionRefused(
            "Les comptes des agents (instructeurs, DREETS, jury, administrateurs) sont fermés par la DREETS : "
            "adressez-lui votre demande."
        )
    if user.deleted_at is not None:
        raise DeletionRefused("Ce compte est déjà supprimé.")
    email = user.email
    left = member_removed_everywhere(user=user)
    for dossier in Dossier.objects.filter(editors=user):
        dossier.editors.remove(user)
    Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True).delete()
    EmailConfirmation.objects.filter(user=user).delete()
    user.email = f"ancien-membre-{user.pk}@compte-supprime.invalid"
    user.first_name = FORMER_MEMBER
    user.last_name = ""
    user.is_active = False
    user.deleted_at = timezone.now()
    user.privacy_accepted_at = None
    user.set_unusable_password()
    user.save()
    return left
