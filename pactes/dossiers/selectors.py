"""Scoped reads of dossiers: the one place that decides who sees which dossier.

A porteur sees the dossiers of its organisations and those it was invited to co-edit; an instructeur DDETS-PP
the filed dossiers of its département; the DREETS and administrators every filed dossier; a jury member only
what was transmitted to the committee (and its outcome). Anything else answers 404 through
``get_object_or_404(dossiers_visible_to(user), …)``.
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from pactes.accounts.models import Role, User
from pactes.dossiers.interchange import DocumentError, dossier_to_document, dossier_verdict
from pactes.dossiers.models import Dossier, DossierVersion
from pactes.dossiers.receipt import filed_at_label, present_document
from pactes.rules.dossier import RULES, RuleInfo
from pactes.rules.lifecycle import COMMITTEE_STATES, DossierState
from pactes.rules.verdict import Reason, Verdict

JURY_VISIBLE_STATES: frozenset[str] = frozenset(s.value for s in COMMITTEE_STATES)


def dossiers_visible_to(user: User) -> QuerySet[Dossier]:
    qs = Dossier.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.APPLICANT:
            return qs.filter(Q(organisation__memberships__user=user) | Q(editors=user)).distinct()
        case Role.INSTRUCTOR:
            return qs.filter(departement_id=user.departement_id).exclude(state=DossierState.DRAFT.value)
        case Role.DREETS | Role.ADMIN:
            return qs.exclude(state=DossierState.DRAFT.value)
        case Role.JURY:
            return qs.filter(state__in=JURY_VISIBLE_STATES)
    return qs.none()


# -- the filing page (step 10) ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilingSummary:
    """What the summary page shows: the dossier as it reads (``doc``), and while it is editable each rule met or not
    (``panel``), the ``verdict``, the deadline (``closes_at``, Paris) and whether filing is open; once filed, the
    latest version's content."""

    doc: dict[str, Any]
    latest: DossierVersion | None = None
    panel: list[tuple[RuleInfo, list[Reason]]] | None = None
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
        panel=[(rule, [r for r in verdict.reasons if r.code == rule.code]) for rule in RULES],
        verdict=verdict,
        closes_at=filed_at_label(dossier.call.rules.filing_closes_at, dossier.call),
        is_open=answering or dossier.call.rules.is_filing_open(now),
    )
