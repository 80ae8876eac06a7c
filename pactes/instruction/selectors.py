"""Scoped reads of the instruction workspace: the queue of an instructor or of the DREETS, the messages a person may
read on a dossier, the recipients of a notification, the calendar's instruction deadline.

Words: the *instruction staff* are the instructors DDETS-PP (their département) and the DREETS (the region); the
*requested grant* of a dossier is the sum of its resource lines « subvention de l'État » (BOP 304 action 23).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from pactes.accounts.models import Role, User
from pactes.accounts.permissions import is_instruction_staff
from pactes.calls.models import Call
from pactes.core.prepared import PreparedQuery, PreparedVariants
from pactes.dossiers.models import Action, Dossier, DossierTransitionLog, Priority
from pactes.dossiers.search import dossiers_matching
from pactes.dossiers.selectors import (
    ZERO,
    dossiers_visible_to,
    requested_grants_rows,
    visibility_key,
    with_requested_grant,
)
from pactes.instruction.models import ComplementRequest, Message, MessageKind
from pactes.rules.formatting import date_fr
from pactes.rules.lifecycle import DossierState
from pactes.territories.models import Departement, Epci

INSTRUCTION_STEP = "instruction"

# Sort keys of the queue: the form's value → the ordering (a stable tie-break on the reference).
SORTS: dict[str, tuple[str, ...]] = {
    "reference": ("reference",),
    "-reference": ("-reference",),
    "depot": ("submitted_at", "reference"),
    "-depot": ("-submitted_at", "reference"),
    "montant": ("requested_grant", "reference"),
    "-montant": ("-requested_grant", "reference"),
    "etat": ("state", "reference"),
    "-etat": ("-state", "reference"),
}
DEFAULT_SORT = "-depot"


def dossiers_in_instruction(user: User) -> QuerySet[Dossier]:
    """The filed dossiers the person instructs (its département) or oversees (DREETS); none for other roles."""
    if not is_instruction_staff(user):
        return Dossier.objects.none()
    return dossiers_visible_to(user)


_INSTRUCTED: PreparedVariants[Dossier] = PreparedVariants(kinds=(str,))


def instructed_dossier(user: User, reference: str) -> Dossier | None:
    """The dossier ``reference`` of ``dossiers_in_instruction(user)`` with its call, organisation, département and
    import source, or None: the same query, compiled once per scope of a person (``visibility_key``)."""
    if not is_instruction_staff(user):
        return None
    query = _INSTRUCTED(
        visibility_key(user),
        lambda value: (
            dossiers_in_instruction(user)
            .select_related("call", "organisation", "departement", "source")
            .filter(reference=value)
        ),
    )
    return query.first(reference)


@dataclass(frozen=True)
class QueueFilters:
    q: str = ""  # free text: number, title, organisation, SIRET, commune or EPCI (``pactes.dossiers.search``)
    state: str = ""
    departement: str = ""  # code, DREETS only
    epci: str = ""  # SIREN
    measure: str = ""  # code of the Pacte's measure
    public: str = ""  # code of the call's public
    call: str = ""  # slug
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    sort: str = DEFAULT_SORT


def queue_filter(qs: QuerySet[Dossier], filters: QueueFilters, *, with_state: bool = True) -> QuerySet[Dossier]:
    """Applies the queue's filters with ``EXISTS`` subqueries (no join that would repeat a dossier)."""
    if filters.q:
        qs = dossiers_matching(qs, filters.q)
    if with_state and filters.state:
        qs = qs.filter(state=filters.state)
    if filters.departement:
        qs = qs.filter(departement__code=filters.departement)
    if filters.call:
        qs = qs.filter(call__slug=filters.call)
    if filters.epci:
        qs = qs.filter(
            Exists(Dossier.epcis.through.objects.filter(dossier_id=OuterRef("pk"), epci__siren=filters.epci))
        )
    if filters.measure:
        qs = qs.filter(Exists(Priority.objects.filter(dossier_id=OuterRef("pk"), measures__code=filters.measure)))
    if filters.public:
        # The publics are JSON lists of codes; the quoted code matches one element exactly on every database.
        quoted = json.dumps(filters.public)
        qs = qs.filter(
            Exists(Priority.objects.filter(dossier_id=OuterRef("pk"), publics__icontains=quoted))
            | Exists(Action.objects.filter(dossier_id=OuterRef("pk"), publics__icontains=quoted))
        )
    if filters.amount_min is not None:
        qs = qs.filter(requested_grant__gte=filters.amount_min)
    if filters.amount_max is not None:
        qs = qs.filter(requested_grant__lte=filters.amount_max)
    return qs


def _needs_grant(filters: QueueFilters) -> bool:
    """The requested grant is computed in SQL over the whole queue only when the queue is sorted or filtered by it;
    otherwise the page computes it for its own rows (``queue_rows``)."""
    return filters.sort in ("montant", "-montant") or filters.amount_min is not None or filters.amount_max is not None


def dossier_queue(user: User, filters: QueueFilters) -> QuerySet[Dossier]:
    """The queue's dossiers, filtered and sorted: the page paginates it (``queue_rows``), the exports take it whole.
    ``requested_grant`` is annotated only when the sort or a filter needs it (see ``_needs_grant``)."""
    qs = dossiers_in_instruction(user)
    if _needs_grant(filters):
        qs = with_requested_grant(qs)
    return queue_filter(qs, filters).order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


@dataclass(frozen=True)
class QueueRow:
    """What a row of the queue shows of a dossier: its short columns, its porteur's name, its département's code, its
    EPCI's names in order, its requested grant (no text of the dossier, no YAML of the call, no outline)."""

    pk: int
    reference: str
    title: str
    state: str
    submitted_at: dt.datetime | None
    organisation: str
    departement: str
    epcis: tuple[str, ...]
    requested_grant: Decimal


# The queries of the queue's page: compiled once per scope of a person and filters (and slice, for the rows), and for
# the rows of a page, once (their numbers as values, the missing ones given as the first: IN ignores a repeat).
QUEUE_PAGE_MAX = 25
_QUEUE_PAGE: PreparedVariants[Dossier] = PreparedVariants(kinds=(), size=256)
_STATE_COUNTS: PreparedVariants[Dossier] = PreparedVariants(kinds=(), size=256)
_CALLS_IN_SCOPE: PreparedVariants[Call] = PreparedVariants(kinds=(), size=256)
_PAGE_GRANTS = PreparedQuery(lambda *ids: requested_grants_rows(ids), kinds=(int,) * QUEUE_PAGE_MAX)
_PAGE_EPCIS = PreparedQuery(
    lambda *ids: (
        Dossier.epcis.through.objects.filter(dossier_id__in=ids)
        .order_by("epci__name")
        .values_list("dossier_id", "epci__name")
    ),
    kinds=(int,) * QUEUE_PAGE_MAX,
)
_ROW_FIELDS = ("pk", "reference", "title", "state", "submitted_at", "organisation__name", "departement__code")


def _of_page(ids: list[int]) -> list[int]:
    return ids + [ids[0]] * (QUEUE_PAGE_MAX - len(ids))


def queue_rows(user: User, filters: QueueFilters, start: int, count: int) -> list[QueueRow]:
    """The rows ``start`` to ``start + count`` (at most ``QUEUE_PAGE_MAX``) of the queue (``dossier_queue``): three
    queries whatever the queue's size (the rows; their EPCI; their requested grants, unless the queue annotated them to
    sort or filter by them)."""
    if count > QUEUE_PAGE_MAX:
        raise ValueError(f"Une page de la file a au plus {QUEUE_PAGE_MAX} lignes.")
    if not is_instruction_staff(user):
        return []
    annotated = _needs_grant(filters)
    query = _QUEUE_PAGE(
        (visibility_key(user), filters, start, count),
        lambda: dossier_queue(user, filters).values_list(*_ROW_FIELDS, *(["requested_grant"] if annotated else []))[
            start : start + count
        ],
    )
    found = query.rows()
    ids = [found_row[0] for found_row in found]
    if not ids:
        return []
    if annotated:
        grants = {found_row[0]: found_row[7] for found_row in found}
    else:
        known = dict(_PAGE_GRANTS.rows(*_of_page(ids)))
        grants = {pk: known.get(pk) or ZERO for pk in ids}
    epcis: dict[int, list[str]] = {pk: [] for pk in ids}
    for dossier_id, name in _PAGE_EPCIS.rows(*_of_page(ids)):
        epcis[dossier_id].append(name)
    return [
        QueueRow(
            pk=pk,
            reference=reference,
            title=title,
            state=state,
            submitted_at=submitted_at,
            organisation=organisation,
            departement=departement,
            epcis=tuple(epcis[pk]),
            requested_grant=grants[pk],
        )
        for pk, reference, title, state, submitted_at, organisation, departement, *_ in found
    ]


def state_counts(user: User, filters: QueueFilters) -> list[tuple[DossierState, int]]:
    """How many dossiers of the queue (its other filters applied) are in each state, in the lifecycle's order."""

    def counted_by_state() -> QuerySet[Any]:
        qs = dossiers_in_instruction(user)
        if _needs_grant(filters):
            qs = with_requested_grant(qs)
        qs = queue_filter(qs, filters, with_state=False)
        return qs.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")

    counted = (
        dict(_STATE_COUNTS((visibility_key(user), filters), counted_by_state).rows())
        if is_instruction_staff(user)
        else {}
    )
    return [(state, counted.get(state.value, 0)) for state in DossierState if state != DossierState.DRAFT]


def calls_in_scope(user: User) -> QuerySet[Call]:
    """The calls with at least one dossier in the person's queue: one ``EXISTS`` per call, which stops at the first
    dossier (not a pass over the whole queue)."""
    scope = dossiers_in_instruction(user).order_by()
    return Call.objects.filter(Exists(scope.filter(call_id=OuterRef("pk")))).order_by("-filing_opens_at")


def calls_in_scope_list(user: User) -> list[Call]:
    """``calls_in_scope``, by a query compiled once per scope of a person."""
    if not is_instruction_staff(user):
        return []
    return _CALLS_IN_SCOPE(visibility_key(user), lambda: calls_in_scope(user)).all()


@dataclass(frozen=True)
class QueueChoices:
    departements: list[tuple[str, str]] | None  # None: an instructor's queue has one département, no list
    epcis: list[tuple[str, str]]


_DEPARTEMENT_EPCIS = PreparedQuery(
    lambda pk: Epci.objects.filter(departements=pk).order_by("name").values_list("siren", "name"), kinds=(int,)
)
_REGIONS_EPCIS: PreparedVariants[Epci] = PreparedVariants(kinds=(), size=32)
_REGIONS_DEPARTEMENTS: PreparedVariants[Departement] = PreparedVariants(kinds=(), size=32)
_DEPARTEMENT = PreparedQuery(lambda pk: Departement.objects.filter(pk=pk), kinds=(int,))


def queue_choices(user: User, calls: Iterable[Call]) -> QueueChoices:
    """The départements and EPCI the queue's filter offers, from the reference data of the person's territory: the EPCI
    touching the instructor's département, or the départements and EPCI of the calls' regions for the DREETS. Constant
    in the number of dossiers (issue 12): the list does not depend on which of them have dossiers yet. Each query is
    compiled once (per set of regions)."""
    if user.role == Role.INSTRUCTOR:
        return QueueChoices(departements=None, epcis=_DEPARTEMENT_EPCIS.rows(user.departement_id))
    regions = tuple(sorted({call.rules.region_code for call in calls}))
    epcis = _REGIONS_EPCIS(
        regions,
        lambda: Epci.objects.filter(main_region_code__in=regions).order_by("name").values_list("siren", "name"),
    )
    departements = _REGIONS_DEPARTEMENTS(
        regions,
        lambda: Departement.objects.filter(region_code__in=regions).order_by("code").values_list("code", "name"),
    )
    return QueueChoices(
        departements=[(code, f"{code} — {name}") for code, name in departements.rows()], epcis=epcis.rows()
    )


def departement_of(user: User) -> Departement | None:
    """The person's département (an instructor's), by a query compiled once."""
    return _DEPARTEMENT.first(user.departement_id) if user.departement_id is not None else None


@dataclass(frozen=True)
class Deadline:
    call: Call
    label: str
    start: dt.date | None
    end: dt.date | None
    status: str  # "a_venir", "en_cours", "passee"
    text: str


def instruction_deadline(call: Call, today: dt.date) -> Deadline | None:
    """The call's instruction step (§1.7: « 1–10 octobre ») placed against today, said in French."""
    step = call.rules.calendar_step(INSTRUCTION_STEP)
    if step is None or (step.start is None and step.end is None):
        return None
    start, end = step.start or step.end, step.end or step.start
    assert start is not None and end is not None
    span = f"du {date_fr(start)} au {date_fr(end)}" if start != end else f"le {date_fr(end)}"
    if today < start:
        days = (start - today).days
        status, text = "a_venir", f"{step.label} {span} : commence dans {_days(days)}."
    elif today <= end:
        days = (end - today).days
        ends = "se termine aujourd'hui" if days == 0 else f"se termine dans {_days(days)}"
        status, text = "en_cours", f"{step.label} {span} : {ends}."
    else:
        status, text = "passee", f"{step.label} {span} : terminée depuis le {date_fr(end)}."
    return Deadline(call=call, label=step.label, start=start, end=end, status=status, text=text)


def _days(n: int) -> str:
    return "1 jour" if n == 1 else f"{n} jours"


# -- complements and messages -------------------------------------------------------------------------------------
def open_complement_request(dossier: Dossier) -> ComplementRequest | None:
    return dossier.complement_requests.filter(answered_at__isnull=True).select_related("requested_by").first()


def messages_visible_to(user: User, dossier: Dossier) -> QuerySet[Message]:
    """Every message for the instruction staff; the exchanges only for the applicant; nothing for others.
    ``dossier`` must already come from the person's scope."""
    qs = Message.objects.filter(dossier=dossier).select_related("author")
    if is_instruction_staff(user):
        return qs
    if user.is_authenticated and user.is_active and user.role == Role.APPLICANT:
        return qs.filter(kind=MessageKind.EXCHANGE)
    return qs.none()


def may_exchange(user: User, dossier: Dossier) -> bool:
    """The exchanges exist once the dossier is filed, between its applicants and the instruction staff."""
    if dossier.state == DossierState.DRAFT:
        return False
    return is_instruction_staff(user) or (user.is_active and user.role == Role.APPLICANT)


ADMISSIBILITY_TRANSITIONS = ("declare_admissible", "declare_inadmissible", "reopen_inadmissible")


def admissibility_decision(history: Sequence[DossierTransitionLog]) -> DossierTransitionLog | None:
    """The latest admissibility act (recevable, irrecevable or reopened: who, when, why) of a dossier's ``history``,
    its transition logs in their order (``at``, then ``pk``): the page reads them once for its history table."""
    return next((log for log in reversed(history) if log.transition in ADMISSIBILITY_TRANSITIONS), None)
