"""Where an export's dossiers come from: the whole call, or one of the list pages with its filters.

Words: a *source* names a page (``appel``, ``instruction``, ``classement``, ``comite``, ``conventions``, ``suivi``);
its *parameters* are the page's filters, as plain strings (they are stored with a background job and read again
when it runs). Every source starts from the scoped selector of its page and ``dossiers_visible_to``: an export holds
exactly what its author sees, at the moment it is written. An unknown source or a call, session or département the
person may not see raises ``SourceUnavailable`` (the web answers 404).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Q, QuerySet

from pactes.accounts.models import Role, User
from pactes.accounts.permissions import can_export
from pactes.agreements.selectors import retained_dossiers_visible_to
from pactes.assessment.selectors import calls_for, departements_for, evaluated_dossiers, transmitted_dossiers
from pactes.calls.models import Call
from pactes.committee.selectors import session_agenda_dossiers, sessions_visible_to
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import dossiers_visible_to
from pactes.exports.definition import Sheet
from pactes.exports.sheets_decision import AGREEMENTS, DECISIONS, DOSSIERS, EVALUATIONS, PAYMENTS
from pactes.exports.sheets_project import (
    ACTIONS,
    EXPENSES,
    IN_KIND,
    INDICATORS,
    PARTNERS,
    PRIORITIES,
    RESOURCES,
)
from pactes.followup.selectors import followed_dossiers_visible_to
from pactes.instruction.selectors import QueueFilters, dossier_queue
from pactes.rules.formatting import date_short
from pactes.rules.lifecycle import DossierState

# The whole call: every sheet, in the order of the issue (the « lisez-moi » sheet comes first, added by the writers).
ALL_SHEETS: tuple[Sheet, ...] = (
    DOSSIERS,
    PRIORITIES,
    ACTIONS,
    PARTNERS,
    EXPENSES,
    RESOURCES,
    IN_KIND,
    INDICATORS,
    EVALUATIONS,
    DECISIONS,
    AGREEMENTS,
    PAYMENTS,
)
SOURCES = ("appel", "instruction", "classement", "comite", "conventions", "suivi")
QUEUE_LABELS = {
    "q": "Recherche",
    "state": "État",
    "departement": "Département",
    "epci": "EPCI (SIREN)",
    "measure": "Mesure du Pacte",
    "public": "Public visé",
    "call": "Appel",
    "amount_min": "Subvention demandée, au moins (€)",
    "amount_max": "Subvention demandée, au plus (€)",
    "sort": "Tri",
}


class SourceUnavailable(Exception):
    """The source, or what it names, does not exist for this person."""


@dataclass(frozen=True)
class Selection:
    """What an export holds: its title, the dossiers (scoped, filtered, in the page's order), the sheets, the scope
    and filters as people read them (for the « lisez-moi » sheet and the file name)."""

    title: str
    slug: str
    dossiers: QuerySet[Dossier]
    sheets: tuple[Sheet, ...]
    scope: str
    filters: tuple[tuple[str, str], ...]


def scope_label(user: User) -> str:
    if user.role == Role.INSTRUCTOR:
        return f"DDETS-PP — {user.departement}"
    return "Région (tous les départements)"


def _call(slug: str) -> Call:
    call = Call.objects.filter(slug=slug).first()
    if call is None:
        raise SourceUnavailable("Cet appel n'existe pas.")
    return call


def _queue_filters(params: Mapping[str, str]) -> QueueFilters:
    def amount(name: str) -> Decimal | None:
        try:
            return Decimal(params[name]) if params.get(name) else None
        except InvalidOperation:
            return None

    known = {k: str(v) for k, v in params.items() if k in QUEUE_LABELS and k not in ("amount_min", "amount_max")}
    return QueueFilters(**known, amount_min=amount("amount_min"), amount_max=amount("amount_max"))


def described(params: Mapping[str, str], labels: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((labels.get(k, k), str(v)) for k, v in params.items() if v not in ("", None))


def selection_for(user: User, source: str, params: Mapping[str, str]) -> Selection:
    """The dossiers ``user`` exports from ``source`` with the page's ``params``."""
    if not can_export(user):
        raise SourceUnavailable("Les exports sont réservés à l'instruction et à la DREETS.")
    visible = dossiers_visible_to(user)
    scope = scope_label(user)
    match source:
        case "appel":
            call = _call(params.get("appel", ""))
            return Selection(
                title=f"{call.short_title} — export complet",
                slug=f"{call.slug}",
                dossiers=visible.filter(call=call).order_by("reference"),
                sheets=ALL_SHEETS,
                scope=scope,
                filters=(("Appel", call.short_title),),
            )
        case "instruction":
            filters = _queue_filters(params)
            return Selection(
                title="File d'instruction",
                slug="instruction",
                dossiers=dossier_queue(user, filters),
                sheets=ALL_SHEETS,
                scope=scope,
                filters=described({k: v for k, v in params.items() if k in QUEUE_LABELS}, QUEUE_LABELS),
            )
        case "classement":
            return _ranking(user, params, scope)
        case "comite":
            session = sessions_visible_to(user).filter(pk=_integer(params.get("seance", ""))).first()
            if session is None:
                raise SourceUnavailable("Cette séance n'existe pas.")
            return Selection(
                title=f"Comité régional du {date_short(session.date)} — ordre du jour et décisions",
                slug=f"comite-{session.date:%Y-%m-%d}",
                dossiers=visible.filter(pk__in=session_agenda_dossiers(session).values("pk")).order_by(
                    "departement__code", "reference"
                ),
                sheets=(DOSSIERS, EVALUATIONS, DECISIONS),
                scope=scope,
                filters=(("Séance", f"{date_short(session.date)} — {session.place}"),),
            )
        case "conventions":
            return Selection(
                title="Conventions et versements",
                slug="conventions",
                dossiers=retained_dossiers_visible_to(user).order_by("departement__code", "reference"),
                sheets=(DOSSIERS, AGREEMENTS, PAYMENTS),
                scope=scope,
                filters=(),
            )
        case "suivi":
            dossiers = followed_dossiers_visible_to(user)
            filters: tuple[tuple[str, str], ...] = ()
            # The page's filter names the call by its key; an unknown one is ignored, as on the page.
            chosen = Call.objects.filter(pk=_integer(params.get("call", ""))).first()
            if chosen is not None:
                dossiers, filters = dossiers.filter(call=chosen), (("Appel", chosen.short_title),)
            return Selection(
                title="Suivi consolidé",
                slug="suivi",
                dossiers=dossiers.order_by("departement__code", "reference"),
                sheets=(DOSSIERS, ACTIONS, INDICATORS, AGREEMENTS, PAYMENTS),
                scope=scope,
                filters=filters,
            )
    raise SourceUnavailable("Cet export n'existe pas.")


def _integer(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _ranking(user: User, params: Mapping[str, str], scope: str) -> Selection:
    """The ranking page's dossiers: evaluated and transmitted ones of one département and call."""
    if user.role == Role.INSTRUCTOR:
        departement = user.departement
    else:
        departement = departements_for(user).filter(code=params.get("departement", "")).first()
    if departement is None:
        raise SourceUnavailable("Ce département n'existe pas.")
    calls = calls_for(user, departement)
    call = next((c for c in calls if c.slug == params.get("appel")), calls[0] if calls else None)
    if call is None:
        raise SourceUnavailable("Aucun appel n'a de dossier évalué dans ce département.")
    dossiers = dossiers_visible_to(user).filter(
        Q(pk__in=evaluated_dossiers(call=call, departement=departement).values("pk"))
        | Q(pk__in=transmitted_dossiers(call=call, departement=departement).values("pk"))
    )
    return Selection(
        title=f"Classement par territoire — {departement}",
        slug=f"classement-{departement.code}",
        dossiers=dossiers.exclude(state=DossierState.DRAFT.value).order_by("reference"),
        sheets=(DOSSIERS, EVALUATIONS),
        scope=scope,
        filters=(("Département", str(departement)), ("Appel", call.short_title)),
    )
