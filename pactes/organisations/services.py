"""Writes on organisations and their members: registering an organisation by its SIRET, joining one (a request any
member decides), leaving it, naming another administrator.

Words: the *administrator* of an organisation is a member with ``is_admin`` (the first member is one); an
organisation always keeps one while it has members. A *pending* requester is not a member: nothing of the
organisation is shown to them. Every refusal is a ``MembershipRefused`` with a French message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from pactes.accounts.models import User
from pactes.organisations.models import Membership, MembershipRequest, Organisation, Verification
from pactes.organisations.notifications import join_decision_notify, join_request_notify
from pactes.organisations.sirene import Lookup, Outcome
from pactes.rules.legal_form import legal_category_label
from pactes.rules.siret import normalize_siret
from pactes.territories.models import Departement


class MembershipRefused(Exception):
    """The act on an organisation is refused (message in French)."""


NOT_CONFIRMED = (
    "Confirmez d'abord votre adresse électronique (lien reçu par courriel) : une organisation ne se crée ni ne se "
    "rejoint avant."
)


@dataclass(frozen=True)
class OrganisationData:
    """What the person typed (after the SIRENE lookup filled the form)."""

    siret: str
    name: str
    kind: str
    legal_category: str
    address: str
    departement: Departement | None


def _check_applicant(by: User) -> None:
    if not by.is_applicant or not by.is_active:
        raise MembershipRefused("Seuls les porteurs de projet créent ou rejoignent une organisation.")
    if not by.email_is_confirmed:
        raise MembershipRefused(NOT_CONFIRMED)


def lookup_problem(lookup: Lookup) -> str:
    """Why the SIRENE answer forbids registering the organisation (empty when it allows it)."""
    if lookup.outcome == Outcome.NOT_FOUND:
        return (
            "Ce SIRET est introuvable dans le répertoire SIRENE de l'Insee : vérifiez-le sur l'avis de situation "
            "SIRENE de votre organisation."
        )
    establishment = lookup.establishment
    if establishment is not None and not establishment.is_active:
        closed = f" depuis le {establishment.closed_on}" if establishment.closed_on else ""
        return (
            f"Cet établissement est fermé{closed} selon le répertoire SIRENE : un dossier ne peut être porté que par "
            "un établissement actif. Indiquez le SIRET de l'établissement en activité (souvent le siège)."
        )
    return ""


@transaction.atomic
def organisation_register(*, data: OrganisationData, lookup: Lookup, by: User) -> Organisation:
    """A new organisation with ``by`` as its administrator: « vérifiée » when SIRENE found the establishment active,
    « non vérifiée » when SIRENE could not be reached. Refused for a SIRET already on Pactes (join it instead), one
    SIRENE does not know, or a closed establishment."""
    _check_applicant(by)
    siret = normalize_siret(data.siret)
    if Organisation.objects.filter(siret=siret).exists():
        raise MembershipRefused(
            "Une organisation de ce SIRET existe déjà sur Pactes : demandez à la rejoindre, un de ses membres "
            "acceptera votre demande."
        )
    if problem := lookup_problem(lookup):
        raise MembershipRefused(problem)
    verified = lookup.outcome == Outcome.FOUND
    organisation = Organisation(
        name=data.name.strip(),
        siret=siret,
        kind=data.kind,
        legal_category=data.legal_category,
        legal_category_label=legal_category_label(data.legal_category),
        address=data.address.strip(),
        departement=data.departement,
        verification=Verification.VERIFIED if verified else Verification.UNVERIFIED,
        verified_at=timezone.now() if verified else None,
    )
    organisation.full_clean()
    organisation.save()
    Membership.objects.create(organisation=organisation, user=by, is_admin=True)
    return organisation


@transaction.atomic
def join_request_create(
    *, organisation: Organisation, by: User, message: str, link: Callable[[MembershipRequest], str]
) -> MembershipRequest:
    """Asks the members of ``organisation`` to accept ``by``; each member is e-mailed."""
    _check_applicant(by)
    if Membership.objects.filter(organisation=organisation, user=by).exists():
        raise MembershipRefused("Vous êtes déjà membre de cette organisation.")
    try:
        with transaction.atomic():
            request = MembershipRequest.objects.create(organisation=organisation, user=by, message=message.strip())
    except IntegrityError as exc:
        raise MembershipRefused("Votre demande est déjà envoyée : un membre de l'organisation va y répondre.") from exc
    join_request_notify(request=request, link=link(request))
    return request


@transaction.atomic
def join_request_decide(*, request_id: int, by: User, approve: bool, link: str) -> MembershipRequest:
    """Any current member accepts (the requester becomes a member) or refuses a pending request."""
    request = MembershipRequest.objects.select_for_update().select_related("organisation", "user").get(pk=request_id)
    if not Membership.objects.filter(organisation=request.organisation, user=by).exists():
        raise MembershipRefused("Seuls les membres de l'organisation répondent à une demande.")
    if request.status != MembershipRequest.Status.PENDING:
        raise MembershipRefused("Cette demande a déjà reçu une réponse.")
    request.status = MembershipRequest.Status.APPROVED if approve else MembershipRequest.Status.REFUSED
    request.decided_at = timezone.now()
    request.decided_by = by
    request.save(update_fields=["status", "decided_at", "decided_by"])
    if approve:
        Membership.objects.get_or_create(organisation=request.organisation, user=request.user)
    join_decision_notify(request=request, link=link)
    return request


def _lock_members(organisation: Organisation) -> list[Membership]:
    return list(
        Membership.objects.select_for_update().filter(organisation=organisation).select_related("user").order_by("pk")
    )


@transaction.atomic
def admin_name(*, organisation: Organisation, member: User, by: User) -> Membership:
    """An administrator names another member administrator too."""
    members = {m.user_id: m for m in _lock_members(organisation)}
    if by.pk not in members or not members[by.pk].is_admin:
        raise MembershipRefused("Seul un administrateur de l'organisation nomme un autre administrateur.")
    if member.pk not in members:
        raise MembershipRefused("Cette personne n'est pas membre de l'organisation.")
    membership = members[member.pk]
    membership.is_admin = True
    membership.save(update_fields=["is_admin"])
    return membership


@transaction.atomic
def membership_leave(*, organisation: Organisation, by: User, successor: User | None = None) -> None:
    """``by`` leaves ``organisation``; the last administrator names another (``successor``) first. The last member
    cannot leave: the organisation's dossiers would have nobody left to answer for them."""
    members = {m.user_id: m for m in _lock_members(organisation)}
    mine = members.get(by.pk)
    if mine is None:
        raise MembershipRefused("Vous n'êtes pas membre de cette organisation.")
    others = [m for uid, m in members.items() if uid != by.pk]
    if not others:
        raise MembershipRefused(
            "Vous êtes le seul membre de l'organisation : acceptez d'abord un autre membre, qui en deviendra "
            "l'administrateur, avant de la quitter."
        )
    if mine.is_admin and not any(m.is_admin for m in others):
        chosen = next((m for m in others if successor is not None and m.user_id == successor.pk), None)
        if chosen is None:
            raise MembershipRefused(
                "Vous êtes le dernier administrateur de l'organisation : nommez un autre membre administrateur "
                "avant de la quitter."
            )
        chosen.is_admin = True
        chosen.save(update_fields=["is_admin"])
    mine.delete()


def member_removed_everywhere(*, user: User) -> list[str]:
    """Account deletion: ``user`` leaves every organisation; where they were the last administrator, the member of
    longest standing becomes one. Returns the names of the organisations left (for the person's record)."""
    left = []
    for membership in Membership.objects.filter(user=user).select_related("organisation"):
        organisation = membership.organisation
        members = _lock_members(organisation)
        others = [m for m in members if m.user_id != user.pk]
        if membership.is_admin and others and not any(m.is_admin for m in others):
            others[0].is_admin = True
            others[0].save(update_fields=["is_admin"])
        membership.delete()
        left.append(organisation.name)
    MembershipRequest.objects.filter(user=user, status=MembershipRequest.Status.PENDING).delete()
    return left
