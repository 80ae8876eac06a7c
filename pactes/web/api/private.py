"""The endpoints that need a token (or a session): dossiers, their history, conventions and consolidated impact
indicators. Each reads through the scoped selector of its area (``dossiers_visible_to``, ``agreements_visible_to``,
``followed_dossiers_visible_to``): a token sees exactly what its owner sees in the interface, and what its owner may
not see answers 404 like what does not exist.

Words: the *cursor* of ``/dossiers`` is the position after the last dossier of a page (its ``updated_at`` and id),
so that a client polling with ``updated_since`` never misses nor repeats a dossier when others change meanwhile.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from pydantic import Field

from pactes.accounts.models import User
from pactes.agreements.models import Agreement
from pactes.agreements.selectors import agreements_visible_to, payment_summary
from pactes.calls.selectors import calls_public
from pactes.committee.selectors import current_decision
from pactes.dossiers.interchange import dossier_to_document
from pactes.dossiers.interchange.canonical import format_amount, format_number
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import dossiers_visible_to, with_requested_grant
from pactes.followup.consolidation import IndicatorGroup, indicator_groups, public_label
from pactes.followup.selectors import followed_dossiers_visible_to
from pactes.rules.agreement import AgreementState
from pactes.rules.lifecycle import DossierState

from . import schemas as s
from .auth import ApiError, TokenRequired, not_found

router = Router(auth=TokenRequired(), tags=["Dossiers, conventions et indicateurs (jeton requis)"])
ERRORS = {400: s.Error, 401: s.Error, 404: s.Error, 422: s.Error, 429: s.Error}


def _viewer(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _dossier(request: HttpRequest, reference: str) -> Dossier:
    found = (
        dossiers_visible_to(_viewer(request))
        .select_related("call", "organisation", "departement")
        .filter(reference=reference)
        .first()
    )
    if found is None:
        raise not_found(f"Aucun dossier « {reference} » dans votre périmètre.")
    return found


def _paris(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment is not None else None


# -- /dossiers -------------------------------------------------------------------------------------------------------
def _encode_cursor(dossier: Dossier) -> str:
    raw = json.dumps([dossier.updated_at.isoformat(), dossier.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        when = dt.datetime.fromisoformat(moment)
        if when.tzinfo is None or not isinstance(pk, int):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(422, "invalid_cursor", "Curseur de pagination invalide : reprenez « next_cursor ».") from exc
    return when, pk


SLUG = r"^[-a-zA-Z0-9_]+$"
DEPARTEMENT = r"^(\d{2,3}|2[ABab])$"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _moment(text: str) -> dt.datetime:
    """A date and time of RFC 3339 (the ``date-time`` of OpenAPI), with its offset; else 422."""
    try:
        if not RFC3339.match(text):
            raise ValueError(text)
        return dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as exc:
        raise ApiError(
            422,
            "validation_error",
            "« updated_since » attend une date et une heure RFC 3339 avec leur décalage : 2024-10-01T00:00:00+02:00.",
        ) from exc


class DossierFilters(s.Schema):
    call: str | None = Field(default=None, pattern=SLUG, description="Identifiant de l'appel (``pts-occitanie-2024``).")
    state: DossierState | None = Field(default=None, description="État du dossier.")
    departement: str | None = Field(
        default=None, pattern=DEPARTEMENT, description="Code du département instructeur (``09``)."
    )
    updated_since: str | None = Field(
        default=None,
        description="Modifiés depuis cette date (RFC 3339, avec son décalage : ``2024-10-01T00:00:00+02:00``).",
        json_schema_extra={"format": "date-time"},
    )
    cursor: str | None = Field(default=None, description="Le ``next_cursor`` de la page précédente.")
    limit: int | None = Field(
        default=None, ge=1, le=settings.PACTES_API_PAGE_MAX, description="Dossiers par page (50 par défaut)."
    )


def _filtered(user: User, filters: DossierFilters) -> QuerySet[Dossier]:
    qs = dossiers_visible_to(user)
    if filters.call:
        call = calls_public().filter(slug=filters.call).first()
        if call is None:
            raise ApiError(422, "unknown_call", f"Aucun appel « {filters.call} ».")
        qs = qs.filter(call=call)
    if filters.state:
        qs = qs.filter(state=filters.state.value)
    if filters.departement:
        qs = qs.filter(departement__code=filters.departement)
    if filters.updated_since is not None:
        qs = qs.filter(updated_at__gte=_moment(filters.updated_since))
    return qs


@router.get("/dossiers", response={200: s.DossierPage, **ERRORS}, summary="Les dossiers de votre périmètre")
def dossiers(request: HttpRequest, filters: Query[DossierFilters]) -> dict[str, Any]:
    """Les dossiers visibles du titulaire du jeton, du plus anciennement au plus récemment modifié. Filtres :
    ``call`` (identifiant de l'appel), ``state`` (état), ``departement`` (code), ``updated_since`` (date ISO 8601).
    Pagination par curseur : ``limit`` (1 à 200, 50 par défaut) et ``cursor`` (le ``next_cursor`` de la page
    précédente)."""
    limit = filters.limit if filters.limit is not None else settings.PACTES_API_PAGE_SIZE
    qs = _filtered(_viewer(request), filters)
    count = qs.count()
    page_qs = qs
    if filters.cursor:
        when, pk = _decode_cursor(filters.cursor)
        page_qs = qs.filter(Q(updated_at__gt=when) | Q(updated_at=when, pk__gt=pk))
    page = list(
        with_requested_grant(page_qs.select_related("call", "organisation", "departement")).order_by(
            "updated_at", "pk"
        )[: limit + 1]
    )
    more = len(page) > limit
    page = page[:limit]
    return {
        "results": [
            {
                "reference": d.reference,
                "call": d.call.slug,
                "title": d.title,
                "state": d.state,
                "state_label": DossierState(d.state).label,
                "departement": d.departement.code,
                "applicant": {"name": d.organisation.name, "siret": d.organisation.siret},
                "requested_grant": format_amount(d.requested_grant),  # type: ignore[attr-defined]
                "submitted_at": _paris(d.submitted_at),
                "updated_at": _paris(d.updated_at),
            }
            for d in page
        ],
        "next_cursor": _encode_cursor(page[-1]) if more and page else None,
        "count": count,
    }


@router.get("/dossiers/{reference}", response={200: s.DossierDetail, **ERRORS}, summary="Un dossier")
def dossier(request: HttpRequest, reference: str) -> dict[str, Any]:
    """Le dossier au format d'échange ``pactes.dossier/1`` (``document``), son état, ses versions déposées avec
    leur empreinte SHA-256 et la décision du comité (null avant la clôture de la séance)."""
    found = _dossier(request, reference)
    decision = current_decision(found)
    return {
        "reference": found.reference,
        "state": found.state,
        "state_label": DossierState(found.state).label,
        "departement": found.departement.code,
        "updated_at": _paris(found.updated_at),
        "document": dossier_to_document(found),
        "versions": [
            {"number": v.number, "sha256": v.sha256, "submitted_at": _paris(v.submitted_at)}
            for v in found.versions.order_by("number")
        ],
        "decision": None
        if decision is None
        else {
            "decision": decision.decision,
            "decision_label": decision.get_decision_display(),
            "awarded_amount": format_amount(decision.awarded_amount) if decision.awarded_amount is not None else None,
            "motivation": decision.motivation,
            "decided_at": _paris(decision.decided_at),
            "session_date": decision.session.date,
        },
    }


@router.get(
    "/dossiers/{reference}/history", response={200: list[s.HistoryEntry], **ERRORS}, summary="L'historique d'un dossier"
)
def dossier_history(request: HttpRequest, reference: str) -> list[dict[str, Any]]:
    """Chaque changement d'état du dossier : transition, états de départ et d'arrivée, date, rôle de son auteur,
    motif."""
    found = _dossier(request, reference)
    return [
        {
            "transition": log.transition,
            "from_state": log.from_state,
            "to_state": log.to_state,
            "at": _paris(log.at),
            "by_role": log.by.get_role_display(),
            "reason": log.reason,
        }
        for log in found.transitions.select_related("by").order_by("at", "pk")
    ]


# -- /agreements -----------------------------------------------------------------------------------------------------
@router.get("/agreements/{reference}", response={200: s.Agreement, **ERRORS}, summary="La convention d'un dossier")
def agreement(request: HttpRequest, reference: str) -> dict[str, Any]:
    """La convention du dossier ``reference`` : état, montant attribué, dates de signature, engagement juridique (EJ)
    et versements, avec ce qui a été versé et ce qui reste à verser."""
    found: Agreement | None = (
        agreements_visible_to(_viewer(request))
        .select_related("dossier__call")
        .filter(dossier__reference=reference)
        .first()
    )
    if found is None:
        raise not_found(f"Aucune convention pour le dossier « {reference} » dans votre périmètre.")
    summary = payment_summary(found)
    return {
        "reference": found.dossier.reference,
        "state": found.state,
        "state_label": AgreementState(found.state).label,
        "awarded_amount": format_amount(found.awarded_amount),
        "sent_on": found.sent_on,
        "applicant_signed_on": found.applicant_signed_on,
        "state_signed_on": found.state_signed_on,
        "settled_on": found.settled_on,
        "commitment_number": found.commitment_number,
        "commitment_date": found.commitment_date,
        "paid": format_amount(summary.paid),
        "remaining_to_pay": format_amount(summary.remaining),
        "payments": [
            {
                "step_code": p.step_code,
                "amount": format_amount(p.amount),
                "paid_on": p.paid_on,
                "reference": p.reference,
                "accounting_year": p.accounting_year,
            }
            for p in found.payments.order_by("paid_on", "pk")
        ],
    }


# -- /indicators -----------------------------------------------------------------------------------------------------
def _groups(groups: tuple[IndicatorGroup, ...]) -> list[dict[str, Any]]:
    return [
        {
            "key": g.key,
            "label": g.label,
            "unit": g.unit,
            "projects": g.projects,
            "indicators": g.indicators,
            "measured": g.measured,
            "baseline": format_number(g.baseline) or "0",
            "target": format_number(g.target) or "0",
            "latest": format_number(g.latest) or "0",
        }
        for g in groups
    ]


class IndicatorFilters(s.Schema):
    call: str | None = Field(default=None, pattern=SLUG, description="Identifiant de l'appel.")
    departement: str | None = Field(default=None, pattern=DEPARTEMENT, description="Code du département (``09``).")


@router.get("/indicators", response={200: s.Indicators, **ERRORS}, summary="Les indicateurs d'impact consolidés")
def indicators(request: HttpRequest, filters: Query[IndicatorFilters]) -> dict[str, Any]:
    """Les indicateurs d'impact des projets retenus de votre périmètre, additionnés par unité : par mesure du Pacte,
    par public visé et par département (cible, valeur de départ, dernière valeur mesurée). Filtres : ``call``,
    ``departement``."""
    qs = followed_dossiers_visible_to(_viewer(request))
    if filters.call:
        call = calls_public().filter(slug=filters.call).first()
        if call is None:
            raise ApiError(422, "unknown_call", f"Aucun appel « {filters.call} ».")
        qs = qs.filter(call=call)
    if filters.departement:
        qs = qs.filter(departement__code=filters.departement)
    by_measure, by_public, by_departement = indicator_groups(qs, public_label)
    return {
        "dossiers": qs.count(),
        "by_measure": _groups(by_measure),
        "by_public": _groups(by_public),
        "by_departement": _groups(by_departement),
    }
