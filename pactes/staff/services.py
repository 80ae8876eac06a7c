"""Staff accounts managed in the product (issue 10): the DREETS creates instructors for a département and jury
members, deactivates and reactivates them, and resets a lost second factor; every change is logged (``StaffChange``).

Words: an *invitation* is the e-mail sent to a new staff account with a link to choose a password (Django's password
reset token: single use, valid ``PASSWORD_RESET_TIMEOUT``); at the first login the person enrols a second factor.
"""

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from pactes.accounts.models import Role, StaffChange, User
from pactes.accounts.permissions import MANAGED_STAFF_ROLES, can_manage_account, can_manage_staff
from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import email_queue
from pactes.territories.models import Departement


class StaffRefused(Exception):
    """The change may not be made; the message says why in French."""


def staff_visible_to(user: User) -> QuerySet[User]:
    """The staff accounts ``user`` may list: all instructors and jury members for the DREETS and administrators, the
    active instructors of its own département for an instructor, nobody otherwise."""
    accounts = User.objects.select_related("departement").order_by("role", "departement__code", "last_name", "email")
    if can_manage_staff(user):
        return accounts.filter(role__in=MANAGED_STAFF_ROLES)
    if user.is_authenticated and user.is_active and user.role == Role.INSTRUCTOR:
        return accounts.filter(role=Role.INSTRUCTOR, departement_id=user.departement_id, is_active=True)
    return accounts.none()


def staff_changes_visible_to(user: User) -> QuerySet[StaffChange]:
    changes = StaffChange.objects.select_related("by", "user", "departement")
    return changes if can_manage_staff(user) else changes.none()


def _log(*, by: User, user: User, action: str, detail: str = "") -> StaffChange:
    return StaffChange.objects.create(
        by=by, user=user, action=action, role=user.role, departement=user.departement, detail=detail[:300]
    )


def invitation_link(user: User, *, site_url: str) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    return site_url.rstrip("/") + path


def staff_invitation_notify(*, user: User, by: User, site_url: str) -> OutgoingEmail | None:
    count = StaffChange.objects.filter(user=user, action=StaffChange.Action.INVITED).count()
    return email_queue(
        key=f"staff-invitation:{user.pk}:{count}",
        to=[user.email],
        subject="Pactes — votre compte d'agent",
        template="emails/staff_invitation.txt",
        context={"user": user, "by": by, "link": invitation_link(user, site_url=site_url)},
    )


@transaction.atomic
def staff_invite(
    *,
    by: User,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    departement: Departement | None,
    site_url: str,
    detail: str = "",
) -> User:
    """Creates an instructor (of ``departement``) or a jury member, without a password, and e-mails the invitation."""
    if not can_manage_staff(by):
        raise StaffRefused("Seuls la DREETS et les administrateurs créent des comptes d'agents.")
    if role not in MANAGED_STAFF_ROLES:
        raise StaffRefused("La DREETS crée des comptes d'instructeur DDETS-PP ou de membre du jury.")
    if role == Role.INSTRUCTOR and departement is None:
        raise StaffRefused("Choisissez le département de l'instructeur.")
    address = email.strip().lower()
    if User.objects.filter(email__iexact=address).exists():
        raise StaffRefused("Un compte existe déjà avec cette adresse électronique : cherchez-le dans la liste.")
    user = User.objects.create_user(
        address,
        None,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        departement=departement if role == Role.INSTRUCTOR else None,
    )
    staff_invitation_notify(user=user, by=by, site_url=site_url)
    _log(by=by, user=user, action=StaffChange.Action.INVITED, detail=detail)
    return user


@transaction.atomic
def staff_deactivate(*, by: User, user: User) -> User:
    """Deactivates a staff account: it can no longer log in, and its open sessions end at their next request."""
    if not can_manage_account(by, user):
        raise StaffRefused("Vous ne pouvez pas désactiver ce compte.")
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        _log(by=by, user=user, action=StaffChange.Action.DEACTIVATED)
    return user


@transaction.atomic
def staff_reactivate(*, by: User, user: User) -> User:
    if not can_manage_account(by, user):
        raise StaffRefused("Vous ne pouvez pas réactiver ce compte.")
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        _log(by=by, user=user, action=StaffChange.Action.REACTIVATED)
    return user


def staff_log(*, by: User, user: User, action: str, detail: str = "") -> StaffChange:
    """Logs a change made elsewhere (the committee adds a jury member to a session)."""
    return _log(by=by, user=user, action=action, detail=detail)
