"""E-mails about an organisation's members: a request to join (to the members) and its answer (to the requester)."""

from __future__ import annotations

from django.conf import settings

from pactes.organisations.models import MembershipRequest
from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import email_queue, email_subject


def join_request_notify(*, request: MembershipRequest, link: str) -> OutgoingEmail | None:
    organisation = request.organisation
    return email_queue(
        key=f"membership-request:{request.pk}",
        to=[m.user.email for m in organisation.memberships.select_related("user")],
        subject=email_subject(
            settings.PACTES_ACCOUNT_SUBJECT_PREFIX, f"Demande pour rejoindre {organisation.name} sur Pactes"
        ),
        template="emails/membership_request.txt",
        context={"request": request, "organisation": organisation, "link": link},
    )


def join_decision_notify(*, request: MembershipRequest, link: str) -> OutgoingEmail | None:
    accepted = request.status == MembershipRequest.Status.APPROVED
    return email_queue(
        key=f"membership-decision:{request.pk}",
        to=[request.user.email],
        subject=email_subject(
            settings.PACTES_ACCOUNT_SUBJECT_PREFIX,
            f"Votre demande pour rejoindre {request.organisation.name} a été {'acceptée' if accepted else 'refusée'}",
        ),
        template="emails/membership_decision.txt",
        context={"request": request, "organisation": request.organisation, "accepted": accepted, "link": link},
    )
