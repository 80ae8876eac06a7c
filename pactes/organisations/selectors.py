"""Scoped reads of organisations: a person sees the organisations they are a member of, and the pending requests to
join them; a requester sees only their own requests (never the organisation's members or dossiers)."""

from __future__ import annotations

from django.db.models import QuerySet

from pactes.accounts.models import User
from pactes.organisations.models import Membership, MembershipRequest, Organisation


def organisations_of(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def membership_of(user: User, organisation: Organisation) -> Membership | None:
    return Membership.objects.filter(user=user, organisation=organisation).first()


def pending_requests_for(user: User) -> QuerySet[MembershipRequest]:
    """The pending requests to join the organisations ``user`` is a member of."""
    return (
        MembershipRequest.objects.filter(status=MembershipRequest.Status.PENDING, organisation__memberships__user=user)
        .select_related("organisation", "user")
        .order_by("requested_at", "pk")
    )


def own_requests(user: User) -> QuerySet[MembershipRequest]:
    return MembershipRequest.objects.filter(user=user).select_related("organisation").order_by("-requested_at")
