"""The reminders the calendar implies outside the follow-up of a convention (§1.7), gathered for
``pactes.followup.reminders``:

- before filing closes, to the porteurs of every draft of a call still open for filing (14, 7 and 1 days before,
  the offsets of the call's YAML);
- before the date set for the complements asked of an applicant, to its porteurs;
- a convention sent for signature and still unsigned ``unsigned_alert_days`` later (15 by default), to the carrier
  and to the instructors of its département.

Words: a *recipients key* names who receives a reminder without naming them yet (``porteur:<dossier>``,
``ddets:<département>``, ``porteur+ddets:<dossier>``); ``recipient_users`` resolves it into people, shown by name.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from pactes.accounts.models import Role, User
from pactes.agreements.models import Agreement
from pactes.dossiers.models import Dossier
from pactes.instruction.models import ComplementRequest
from pactes.rules.agreement import AgreementState
from pactes.rules.lifecycle import DossierState
from pactes.rules.reminders import (
    Deadline,
    complements_deadline,
    filing_close_deadline,
    unsigned_agreement_alert,
)

APPLICANTS = "porteur"
INSTRUCTORS = "ddets"
APPLICANTS_AND_INSTRUCTORS = "porteur+ddets"


def filing_deadlines(today: dt.date) -> list[tuple[Deadline, Dossier]]:
    """The close of filing, for each draft of a call whose filing has not closed yet."""
    found: list[tuple[Deadline, Dossier]] = []
    drafts = Dossier.objects.filter(state=DossierState.DRAFT.value).select_related("call", "departement")
    for dossier in drafts.order_by("reference", "pk"):
        config = dossier.call.rules
        if config.filing_closes_at.date() < today:
            continue
        deadline = filing_close_deadline(
            object_id=dossier.reference or f"brouillon-{dossier.pk}",
            recipients=f"{APPLICANTS}:{dossier.pk}",
            config=config,
        )
        found.append((deadline, dossier))
    return found


def complements_deadlines() -> list[tuple[Deadline, Dossier]]:
    """The date set for the complements, for each dossier whose complements are still awaited."""
    requests = (
        ComplementRequest.objects.filter(
            answered_at__isnull=True, dossier__state=DossierState.COMPLEMENTS_REQUESTED.value
        )
        .select_related("dossier__call", "dossier__departement")
        .order_by("dossier__reference", "-requested_at")
    )
    found: dict[int, tuple[Deadline, Dossier]] = {}
    for request in requests:
        dossier = request.dossier
        found.setdefault(
            dossier.pk,
            (
                complements_deadline(
                    object_id=dossier.reference, recipients=f"{APPLICANTS}:{dossier.pk}", due=request.due_on
                ),
                dossier,
            ),
        )
    return list(found.values())


def unsigned_agreement_deadlines() -> list[tuple[Deadline, Dossier]]:
    """The alert day of each convention sent for signature and not signed since."""
    found: list[tuple[Deadline, Dossier]] = []
    agreements = (
        Agreement.objects.filter(state=AgreementState.SENT.value, sent_on__isnull=False)
        .select_related("dossier__call", "dossier__departement")
        .order_by("dossier__reference")
    )
    for agreement in agreements:
        dossier = agreement.dossier
        assert agreement.sent_on is not None
        deadline = unsigned_agreement_alert(
            object_id=dossier.reference,
            recipients=f"{APPLICANTS_AND_INSTRUCTORS}:{dossier.pk}",
            sent_on=agreement.sent_on,
            config=dossier.call.rules,
        )
        found.append((deadline, dossier))
    return found


def recipient_users(key: str, dossier: Dossier) -> list[User]:
    """The people behind a recipients key, active, each once, by name."""
    kind, _, _ = key.partition(":")
    wanted = Q(pk__in=[])
    if kind in (APPLICANTS, APPLICANTS_AND_INSTRUCTORS):
        wanted |= Q(role=Role.APPLICANT) & (
            Q(memberships__organisation_id=dossier.organisation_id) | Q(pk__in=dossier.editors.values("pk"))
        )
    if kind in (INSTRUCTORS, APPLICANTS_AND_INSTRUCTORS):
        wanted |= Q(role=Role.INSTRUCTOR, departement_id=dossier.departement_id)
    users = User.objects.filter(wanted, is_active=True).exclude(email="").distinct()
    return sorted(users, key=lambda u: (u.role, u.last_name, u.first_name, u.email))


def person(user: User) -> str:
    """« Camille Roux <porteur.ariege@demo.test> »: a recipient as people read it."""
    name = user.get_full_name().strip()
    return f"{name} <{user.email}>" if name else user.email
