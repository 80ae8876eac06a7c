"""Scoped reads of dossiers: the one place that decides who sees which dossier.

A porteur sees the dossiers of its organisations and those it was invited to co-edit; an instructeur DDETS-PP
the filed dossiers of its département; the DREETS and administrators every filed dossier; a jury member only
what was transmitted to the committee (and its outcome). Anything else answers 404 through
``get_object_or_404(dossiers_visible_to(user), …)``.
"""

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from pactes.accounts.models import Role, User
from pactes.dossiers.interchange import DocumentError, dossier_to_document, dossier_verdict
from pactes.dossiers.models import Dossier, DossierSource, DossierVersion, ResourceKind, ResourceLine
from pactes.dossiers.receipt import filed_at_label, present_document
from pactes.organisations.models import Membership
from pactes.rules.lifecycle import COMMITTEE_STATES, DossierState
from pactes.rules.panel import RuleCheck, panel_of
from pactes.rules.verdict import Verdict

JURY_VISIBLE_STATES: frozenset[str] = frozenset(s.value for s in COMMITTEE_STATES)
ZERO = Decimal("0.00")
# What a row of a list of dossiers reads (with ``select_related("organisation", "departement")``): never the outlines
# of the territories nor the dossier's long texts (issue 12). Lists that show more add their own fields to it.
DOSSIER_LIST_FIELDS = (
    "reference",
    "title",
    "state",
    "call_id",
    "organisation__name",
    "departement__code",
    "departement__name",
)


def applicant_dossier_ids(member_id: int, editor_id: int) -> QuerySet[Any]:
    """The ids of the dossiers of the organisations of the applicant ``member_id`` and of those the applicant
    ``editor_id`` was invited to (the same person, named twice for a prepared query: pactes.core.prepared)."""
    # The union of two small sets of ids: no outer join, each dossier once without DISTINCT, read through the indexes
    # on organisation and editor (issue 12).
    of_its_organisations = Dossier.objects.filter(
        organisation_id__in=Membership.objects.filter(user_id=member_id).values("organisation_id")
    ).values("pk")
    invited = Dossier.editors.through.objects.filter(user_id=editor_id).values("dossier_id")
    return of_its_organisations.union(invited)


def dossiers_visible_to(user: User) -> QuerySet[Dossier]:
    qs = Dossier.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.APPLICANT:
            return qs.filter(pk__in=applicant_dossier_ids(user.pk, user.pk))
        case Role.INSTRUCTOR:
            return qs.filter(departement_id=user.departement_id).exclude(state=DossierState.DRAFT.value)
        case Role.DREETS | Role.ADMIN:
            return qs.exclude(state=DossierState.DRAFT.value)
        case Role.JURY:
            return qs.filter(state__in=JURY_VISIBLE_STATES)
    return qs.none()


def visibility_key(user: User) -> tuple[object, ...]:
    """Everything ``dossiers_visible_to`` reads of the person (change both together): two people with the same key see
    the same dossiers, so a query built from that scope may be compiled once for the key (``pactes.core.prepared``)."""
    fields = ("pk", "is_authenticated", "is_active", "role", "departement_id")
    return tuple(getattr(user, name, None) for name in fields)  # an anonymous person has no role


def dossier_list_page(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """What a short list of dossiers shows (number, title, porteur, département, call, state), as plain rows read with
    one query: no model built, no text of the dossier, no YAML of the call, no outline."""
    return qs.values(
        "reference",
        "title",
        "state",
        organisation_name=F("organisation__name"),
        departement_code=F("departement__code"),
        departement_name=F("departement__name"),
        call_short_title=F("call__short_title"),
    )


# -- the requested State grant: the sum of a dossier's resource lines of kind « state_pts » --------------------------
def requested_grants(dossier_ids: Iterable[int]) -> dict[int, Decimal]:
    """The State grant each dossier requests, 0 when it has no « state_pts » line; one query for any number."""
    ids = list(dossier_ids)
    found = dict(requested_grants_rows(ids))
    return {pk: found.get(pk) or ZERO for pk in ids}


def requested_grants_rows(ids: Iterable[int]) -> QuerySet[Any]:
    """(dossier number, requested grant) of those of ``ids`` that have a « state_pts » line (``requested_grants``)."""
    return (
        ResourceLine.objects.filter(dossier_id__in=ids, kind=ResourceKind.STATE_PTS)
        .values("dossier_id")
        .annotate(total=Sum("amount"))
        .values_list("dossier_id", "total")
    )


def requested_grant(dossier: Dossier) -> Decimal:
    return requested_grants([dossier.pk])[dossier.pk]


def with_requested_grant(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Annotates ``requested_grant`` (same sum as ``requested_grants``): one correlated subquery, sortable."""
    grant = (
        ResourceLine.objects.filter(dossier=OuterRef("pk"), kind=ResourceKind.STATE_PTS)
        .order_by()
        .values("dossier")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return qs.annotate(requested_grant=Coalesce(Subquery(grant, output_field=money), Value(ZERO), output_field=money))


# -- who is written to about a dossier -----------------------------------------------------------------------------
def applicant_emails(dossier: Dossier) -> list[str]:
    """The porteurs of ``dossier``: active applicant members of its organisation and invited co-editors, each once."""
    users = User.objects.filter(
        Q(memberships__organisation_id=dossier.organisation_id) | Q(pk__in=dossier.editors.values("pk")),
        is_active=True,
        role=Role.APPLICANT,
    )
    return sorted({u.email.lower() for u in users if u.email})


def instructor_emails(dossier: Dossier) -> list[str]:
    """The active instructeurs DDETS-PP of the dossier's département."""
    users = User.objects.filter(is_active=True, role=Role.INSTRUCTOR, departement_id=dossier.departement_id)
    return sorted({u.email.lower() for u in users if u.email})


# -- the filing page (step 10) ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilingSummary:
    """What the summary page shows: the dossier as it reads (``doc``), and while it is editable each rule met or not
    (``panel``), the ``verdict``, the deadline (``closes_at``, Paris) and whether filing is open; once filed, the
    latest version's content."""

    doc: dict[str, Any]
    latest: DossierVersion | None = None
    panel: list[RuleCheck] | None = None
    verdict: Verdict | None = None
    closes_at: str = ""
    is_open: bool = False
    document_error: str = ""

    def context(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if value not in (None, "")}


def dossier_filing_summary(dossier: Dossier, *, answering: bool, now: dt.datetime) -> FilingSummary:
    """The summary of ``dossier`` at ``now``; ``answering``: it is reopened for complements, which are answered during
    the instruction (the filing deadline is not judged again)."""
    if not dossier.is_editable:
        latest = dossier.versions.order_by("-number").first()
        if latest is not None:
            return FilingSummary(
                doc=present_document(document=json.loads(latest.snapshot), call=dossier.call), latest=latest
            )
        return FilingSummary(doc=present_document(document=dossier_to_document(dossier), call=dossier.call))
    doc = present_document(document=dossier_to_document(dossier), call=dossier.call)
    try:
        verdict, _summary = dossier_verdict(dossier, now=None if answering else now)
    except DocumentError as exc:
        return FilingSummary(doc=doc, document_error=str(exc))
    return FilingSummary(
        doc=doc,
        panel=panel_of(verdict),
        verdict=verdict,
        closes_at=filed_at_label(dossier.call.rules.filing_closes_at, dossier.call),
        is_open=answering or dossier.call.rules.is_filing_open(now),
    )


def dossier_source(dossier: Dossier) -> DossierSource | None:
    """Where an imported dossier comes from (its DS procedure and number), None for a dossier filed on Pactes."""
    return DossierSource.objects.filter(dossier=dossier).first()
