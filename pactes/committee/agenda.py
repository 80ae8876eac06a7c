"""The agenda of a committee session as its page reads it (issue 12: a page of rows, totals by the database).

Words: see ``pactes.committee.selectors``. The *outline* of an agenda is its département totals and its dossiers'
order, read once per facts token (``pactes.committee.kept``); a *page* of the agenda is ``AGENDA_PAGE_SIZE`` of its
rows, read with their proposal, requested grant, decision and the jury's opinions.
"""

from array import array
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from pactes.accounts.models import User
from pactes.assessment.models import Proposal
from pactes.committee.models import CommitteeDecision, CommitteeSession, JuryOpinion
from pactes.committee.selectors import (
    ABSENT,
    OpinionSummary,
    session_agenda_dossiers,
)
from pactes.dossiers.models import Dossier, DossierTransitionLog
from pactes.dossiers.selectors import DOSSIER_LIST_FIELDS, dossiers_visible_to, with_requested_grant
from pactes.rules.envelope import ZERO
from pactes.rules.formatting import number


@dataclass
class AgendaItem:
    dossier: Dossier
    proposal: Proposal | None
    requested: Decimal
    decision: CommitteeDecision | None
    reopened: DossierTransitionLog | None = None
    opinions: OpinionSummary | None = None
    mine: JuryOpinion | None = None  # the reader's own opinion, when the reader is a jury member

    @property
    def proposed(self) -> Decimal | None:
        return self.proposal.proposed_amount if self.proposal else None

    # What a row of the agenda writes, read once here rather than looked up and filtered cell by cell in the template.
    @property
    def territory_label(self) -> str:
        """« CC du Couserans (2) »: the territory and the dossier's rank in it (« — » without a proposal)."""
        if self.proposal is None:
            return ABSENT
        rank = f" ({self.proposal.rank})" if self.proposal.rank else ""
        return f"{self.proposal.territory.name}{rank}"

    @property
    def mean_score_label(self) -> str:
        score = self.proposal.mean_score if self.proposal else None
        return ABSENT if score is None else number(Decimal(score))

    @property
    def proposal_opinion_label(self) -> str:
        return str(self.proposal.get_opinion_display()) if self.proposal else ABSENT

    @property
    def my_opinion_label(self) -> str:
        return str(self.mine.get_opinion_display()) if self.mine else "à donner"

    @property
    def awarded(self) -> Decimal | None:
        return self.decision.awarded_amount if self.decision else None


@dataclass(frozen=True)
class DepartementTotals:
    """One département's part of the agenda, over all its dossiers (not only those of the page shown)."""

    code: str
    label: str
    count: int
    requested: Decimal
    proposed: Decimal
    awarded: Decimal


@dataclass
class AgendaGroup:
    departement: str
    totals: DepartementTotals
    items: list[AgendaItem] = field(default_factory=list)

    @property
    def requested_total(self) -> Decimal:
        return self.totals.requested

    @property
    def proposed_total(self) -> Decimal:
        return self.totals.proposed

    @property
    def awarded_total(self) -> Decimal:
        return self.totals.awarded


@dataclass
class AgendaPage:
    """One page of the agenda, its dossiers grouped by département, and every département's totals."""

    groups: list[AgendaGroup]
    page: Page
    departements: list[DepartementTotals]
    departement: str  # the code the agenda is filtered on, "" for all
    ids: list[int] = field(default_factory=list)  # the page's dossiers, in the agenda's order

    @property
    def count(self) -> int:
        return sum(d.count for d in self.departements)


AGENDA_PAGE_SIZE = 50
# What a row of the agenda reads: never the outlines of the territories nor the long texts of the dossier.
AGENDA_ROW_FIELDS = (
    *DOSSIER_LIST_FIELDS,
    "proposal__territory__name",
    "proposal__proposed_amount",
    "proposal__opinion",
    "proposal__rank",
    "proposal__mean_score",
)


def visible_agenda(*, session: CommitteeSession, user: User) -> QuerySet[Dossier]:
    """The agenda's dossiers that ``user`` may see, in the agenda's order: département, territory, rank, reference.
    Both scopes are plain conditions on the dossiers (no ``IN`` subquery): the (call, state) index reads them."""
    return (dossiers_visible_to(user) & session_agenda_dossiers(session)).order_by(
        "departement__code",
        Coalesce("proposal__territory__name", Value("")),
        Coalesce("proposal__rank", Value(9999)),
        "reference",
    )


def _awarded_in(session: CommitteeSession) -> Subquery:
    """The amount ``session`` awards to the outer dossier (NULL when it has no retained decision in it)."""
    return Subquery(
        CommitteeDecision.objects.filter(session=session, dossier=OuterRef("pk"))
        .order_by()
        .values("awarded_amount")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def agenda_totals(*, session: CommitteeSession, dossiers: QuerySet[Dossier]) -> list[DepartementTotals]:
    """Each département's number of dossiers and requested, proposed and awarded totals: one GROUP BY query."""
    rows = (
        with_requested_grant(dossiers.order_by())
        .values_list("departement__code", "departement__name")
        .annotate(
            n=Count("pk"),
            requested=Sum("requested_grant"),
            proposed=Sum("proposal__proposed_amount"),
            awarded=Sum(_awarded_in(session)),
        )
        .order_by("departement__code")
    )
    return [
        DepartementTotals(
            code=code,
            label=f"{name} ({code})",
            count=n,
            requested=requested or ZERO,
            proposed=proposed or ZERO,
            awarded=awarded or ZERO,
        )
        for code, name, n, requested, proposed, awarded in rows
    ]


@dataclass(frozen=True)
class AgendaOutline:
    """What a page of the agenda needs of the whole agenda as one reader sees it: each département's totals and the
    dossiers' ids in the agenda's order with their département's code (2 000 pairs for a regional agenda). It depends
    only on the facts (``pactes.core.facts_version``), the session and the reader's scope: the session's page
    keeps it under the facts token (``pactes.committee.kept``)."""

    departements: tuple[DepartementTotals, ...]
    # Each département's dossier ids in the agenda's order (the agenda is sorted by département first), as arrays:
    # read back from the cache at once, where 2 000 pairs of Python objects would cost a third of a millisecond.
    order: dict[str, array[int]]

    def ids(self, departement: str = "") -> list[int]:
        """The ids of the agenda (of one département when ``departement`` is a code), in its order."""
        if departement:
            return list(self.order.get(departement, ()))
        return [pk for ids in self.order.values() for pk in ids]


def agenda_outline(*, session: CommitteeSession, user: User) -> AgendaOutline:
    """The totals (one grouped query) and the order (one query of ids) of the agenda ``user`` may see."""
    visible = visible_agenda(session=session, user=user)
    order: dict[str, array[int]] = {}
    for code, pk in visible.values_list("departement__code", "pk"):
        order.setdefault(code, array("q")).append(pk)
    return AgendaOutline(departements=tuple(agenda_totals(session=session, dossiers=visible)), order=order)


def session_agenda(
    *,
    session: CommitteeSession,
    user: User,
    departement: str = "",
    page: int | str | None = 1,
    per_page: int = AGENDA_PAGE_SIZE,
    outline: AgendaOutline | None = None,
    read_rows: bool = True,
) -> AgendaPage:
    """One page of the agenda as ``user`` may see it (of one département when ``departement`` is a code), grouped by
    département, ordered by territory and rank; the totals are over every dossier of each département. ``outline``:
    the agenda's totals and order as the caller keeps them (read here otherwise); ``read_rows=False``: the page's
    ids only, its groups left empty (the caller keeps its rows, ``agenda_groups_of``)."""
    outline = outline or agenda_outline(session=session, user=user)
    departements = list(outline.departements)
    totals = {t.code: t for t in departements}
    shown = outline.ids(departement)
    paginator = Paginator(shown, per_page, allow_empty_first_page=True)
    current = paginator.get_page(page)
    current.pages_list = list(paginator.get_elided_page_range(current.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    ids = list(current.object_list)
    groups = agenda_groups_of(session=session, user=user, ids=ids, totals=totals) if read_rows and ids else []
    return AgendaPage(groups=groups, page=current, departements=departements, departement=departement, ids=ids)


def agenda_groups_of(
    *, session: CommitteeSession, user: User, ids: list[int], totals: dict[str, DepartementTotals]
) -> list[AgendaGroup]:
    """The rows of the dossiers ``ids`` (one page of the agenda, in its order), grouped by département: their
    dossiers, proposals and requested grants (one query), the session's decisions and opinions on them (one each)."""
    rows = with_requested_grant(
        Dossier.objects.filter(pk__in=ids).select_related("organisation", "departement", "proposal__territory")
    ).only(*AGENDA_ROW_FIELDS)
    found = {d.pk: d for d in rows.order_by()}
    dossiers = [found[pk] for pk in ids if pk in found]
    decisions = {
        d.dossier_id: d
        for d in CommitteeDecision.objects.filter(session=session, dossier_id__in=ids)
        .order_by()
        .only("dossier_id", "decision", "awarded_amount")
    }
    summaries = {pk: OpinionSummary() for pk in ids}
    for opinion in (
        JuryOpinion.objects.filter(session=session, dossier_id__in=ids)
        .order_by()
        .only("dossier_id", "member_id", "opinion")
    ):
        summaries[opinion.dossier_id].opinions.append(opinion)
    reopenings: dict[int, DossierTransitionLog] = {}
    if session.is_closed and session.closed_at is not None:
        for log in DossierTransitionLog.objects.filter(
            dossier_id__in=ids, transition__startswith="reopen_", at__gte=session.closed_at
        ).select_related("by"):
            reopenings.setdefault(log.dossier_id, log)
    groups: list[AgendaGroup] = []
    for d in dossiers:
        item = AgendaItem(
            d,
            getattr(d, "proposal", None),
            d.requested_grant,
            decisions.get(d.pk),
            reopenings.get(d.pk),
            summaries[d.pk],
            next((o for o in summaries[d.pk].opinions if o.member_id == user.pk), None),
        )
        label = totals[d.departement.code].label
        if not groups or groups[-1].departement != label:
            groups.append(AgendaGroup(label, totals[d.departement.code]))
        groups[-1].items.append(item)
    return groups


def agenda_page_of(
    *,
    session: CommitteeSession,
    user: User,
    dossier: Dossier,
    per_page: int = AGENDA_PAGE_SIZE,
    outline: AgendaOutline | None = None,
) -> int:
    """The page of the whole agenda (every département, as the session's page opens) on which ``dossier`` is listed
    (1 when it is not on the agenda): after a decision the DREETS comes back to where the dossier is."""
    if outline is not None:
        ids = outline.ids()
    else:
        ids = list(visible_agenda(session=session, user=user).values_list("pk", flat=True))
    return ids.index(dossier.pk) // per_page + 1 if dossier.pk in ids else 1
