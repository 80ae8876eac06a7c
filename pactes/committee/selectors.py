"""Scoped reads of the regional committee: who sees which session, its agenda and the regional envelope.

Words: the *agenda* (ordre du jour) of an open or planned session is the call's dossiers transmitted to the
committee (state ``transmis``), grouped by département; that of a closed session is the dossiers it decided.
The *committed* amount is what closed sessions awarded to dossiers still retained; the *proposed* amount is the
sum of the départements' proposals for the dossiers awaiting a decision; a session's *awarded* amount is what its
retained decisions grant.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from pactes.accounts.models import Role, User
from pactes.assessment.models import Opinion, Proposal
from pactes.calls.models import Call
from pactes.committee.models import CommitteeDecision, CommitteeSession, Decision, JuryOpinion
from pactes.dossiers.models import Dossier, DossierTransitionLog
from pactes.dossiers.selectors import dossiers_visible_to, with_requested_grant
from pactes.rules.envelope import (
    ENVELOPE_EXCEEDED,
    ZERO,
    EnvelopeDecision,
    EnvelopeSummary,
    summarize_envelope_totals,
)
from pactes.rules.formatting import number
from pactes.rules.lifecycle import DECIDED_STATES, DossierState
from pactes.rules.verdict import Reason

DECIDED_STATE_VALUES: frozenset[str] = frozenset(s.value for s in DECIDED_STATES)
ABSENT = "—"  # an empty cell of the agenda, as the templates' filters write it


def sessions_visible_to(user: User) -> QuerySet[CommitteeSession]:
    """The DREETS and administrators see every session; a jury member the sessions it is a member of."""
    qs = CommitteeSession.objects.select_related("call")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.DREETS | Role.ADMIN:
            return qs
        case Role.JURY:
            return qs.filter(attendances__user=user).distinct()
    return qs.none()


LETTER_ROLES = frozenset({Role.APPLICANT, Role.INSTRUCTOR, Role.DREETS, Role.ADMIN})


def may_read_decision_letters(user: User) -> bool:
    """The letters go to the applicants; their département's instructors, the DREETS and administrators read them
    too; jury members do not (within each one's scope of dossiers)."""
    return bool(user.is_authenticated and user.is_active and user.role in LETTER_ROLES)


def committee_members_choices() -> QuerySet[User]:
    """Who may sit on the committee: active jury members and DREETS agents."""
    return User.objects.filter(is_active=True, role__in=[Role.JURY, Role.DREETS]).order_by(
        "role", "last_name", "first_name", "email"
    )


def proposal_of(dossier: Dossier) -> Proposal | None:
    return Proposal.objects.select_related("territory").filter(dossier=dossier).first()


def session_agenda_dossiers(session: CommitteeSession) -> QuerySet[Dossier]:
    """The dossiers on the agenda of ``session`` (unscoped: services use it; views go through ``session_agenda``)."""
    if session.is_closed:
        return Dossier.objects.filter(committee_decisions__session=session)
    return Dossier.objects.filter(call_id=session.call_id, state=DossierState.TRANSMITTED.value)


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
    "reference",
    "title",
    "state",
    "call_id",
    "organisation__name",
    "departement__code",
    "departement__name",
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
    only on the facts (``pactes.followup.facts_version``), the session and the reader's scope: the session's page
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


def committed_decisions(call: Call) -> QuerySet[CommitteeDecision]:
    """The decisions of closed sessions that still hold: the latest retained one of each dossier still retained."""
    retained = CommitteeDecision.objects.of_closed_sessions().filter(session__call=call, decision=Decision.RETAINED)
    latest = retained.filter(dossier=OuterRef("dossier")).latest_first().values("pk")[:1]
    # The call's retained dossiers read from the (call, state) index, not each decision's dossier row.
    still_retained = Dossier.objects.filter(call=call, state=DossierState.RETAINED.value).values("pk")
    return retained.filter(dossier__in=still_retained, pk=Subquery(latest))


@dataclass(frozen=True)
class EnvelopeView:
    funding_label: str
    envelope: Decimal | None
    committed: Decimal
    proposed: Decimal
    session_awarded: Decimal
    remaining: Decimal | None  # envelope − committed − this session's awarded amounts
    remaining_after_proposals: Decimal | None  # envelope − committed − proposals of the dossiers awaiting decision
    reasons: tuple[Reason, ...]

    @property
    def is_set(self) -> bool:
        return self.envelope is not None


def envelope_summary(call: Call) -> EnvelopeSummary:
    """What closed sessions committed and what the départements propose for the transmitted dossiers, added up by the
    database with the number of amounts above the cap per project; only those are then read one by one, for the rule
    to name them."""
    cap = call.rules.grant_cap
    committed = committed_decisions(call)
    transmitted = Dossier.objects.filter(call=call, state=DossierState.TRANSMITTED.value).values("pk")
    proposals = Proposal.objects.filter(dossier__in=transmitted)
    committed_sums = committed.order_by().aggregate(
        total=Sum("awarded_amount"), over=Count("pk", filter=Q(awarded_amount__gt=cap))
    )
    proposed_sums = proposals.order_by().aggregate(
        total=Sum("proposed_amount"), over=Count("pk", filter=Q(proposed_amount__gt=cap))
    )
    checked: list[EnvelopeDecision] = []
    if committed_sums["over"]:
        checked += [
            EnvelopeDecision(reference, is_closed=True, awarded=amount)
            for reference, amount in committed.filter(awarded_amount__gt=cap)
            .order_by("dossier_id")
            .values_list("dossier__reference", "awarded_amount")
        ]
    if proposed_sums["over"]:
        checked += [
            EnvelopeDecision(reference, is_closed=False, proposed=amount)
            for reference, amount in proposals.filter(proposed_amount__gt=cap)
            .order_by("pk")
            .values_list("dossier__reference", "proposed_amount")
        ]
    return summarize_envelope_totals(
        call.regional_envelope,
        committed=committed_sums["total"] or ZERO,
        proposed=proposed_sums["total"] or ZERO,
        checked=checked,
        config=call.rules,
    )


def session_awarded(session: CommitteeSession) -> Decimal:
    total = session.decisions.filter(decision=Decision.RETAINED).aggregate(total=Sum("awarded_amount"))["total"]
    return total or ZERO


def envelope_for_session(session: CommitteeSession) -> EnvelopeView:
    """The regional envelope as the session sees it (BOP 304 action 23), computed by ``pactes.rules.envelope``."""
    call = session.call
    config = call.rules
    summary = envelope_summary(call)
    awarded = ZERO if session.is_closed else session_awarded(session)
    remaining = None if summary.remaining is None else summary.remaining - awarded
    reasons = list(summary.reasons)
    if remaining is not None and remaining < 0 and ENVELOPE_EXCEEDED not in {r.code for r in reasons}:
        reasons.append(
            Reason(ENVELOPE_EXCEEDED, "Les montants attribués lors de la séance dépassent l'enveloppe régionale.")
        )
    return EnvelopeView(
        funding_label=config.funding_label,
        envelope=summary.envelope,
        committed=summary.committed,
        proposed=summary.proposed,
        session_awarded=awarded,
        remaining=remaining,
        remaining_after_proposals=summary.remaining_after_proposals,
        reasons=tuple(reasons),
    )


def present_count(session: CommitteeSession) -> int:
    return session.attendances.filter(is_present=True).count()


def current_decision(dossier: Dossier) -> CommitteeDecision | None:
    """The decision a decided (or, after it, settled) dossier holds: the latest one of a closed session (None before
    closing)."""
    if dossier.state not in DECIDED_STATE_VALUES | {DossierState.SETTLED.value}:
        return None
    return latest_closed_decision(dossier)


def latest_closed_decision(dossier: Dossier) -> CommitteeDecision | None:
    """The latest decision of a closed session on ``dossier``, whatever the dossier's state (None if there is none)."""
    return (
        CommitteeDecision.objects.of_closed_sessions()
        .filter(dossier=dossier)
        .latest_first()
        .select_related("session")
        .first()
    )


def retained_decision(dossier: Dossier) -> CommitteeDecision | None:
    """The committee's decision awarding the grant: the latest « retenu » decided in a closed session."""
    return (
        CommitteeDecision.objects.of_closed_sessions()
        .filter(dossier=dossier, decision=Decision.RETAINED)
        .latest_first()
        .select_related("session")
        .first()
    )


# -- the jury's opinions (``pactes.committee.opinions``) --------------------------------------------------------------
def is_jury_member_of(user: User, session: CommitteeSession, *, members: Iterable[int] | None = None) -> bool:
    """``user`` is an active jury member listed among the session's members (``members``: their ids, when the caller
    has read them already)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.JURY
        and (session.attendances.filter(user=user).exists() if members is None else user.pk in members)
    )


@dataclass
class OpinionSummary:
    """The opinions of the jury on one dossier of a session, counted by kind."""

    opinions: list[JuryOpinion] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[str, int]]:
        found = Counter(o.opinion for o in self.opinions)
        return [(str(kind.label).lower(), found[kind.value]) for kind in Opinion if found[kind.value]]

    @property
    def text(self) -> str:
        """« 2 favorables, 1 réservé » (« aucun avis » when none)."""
        if not self.opinions:
            return "aucun avis"
        return ", ".join(f"{n} {label}{'s' if n > 1 else ''}" for label, n in self.counts)


def opinions_of(*, session: CommitteeSession, dossier: Dossier) -> list[JuryOpinion]:
    return list(JuryOpinion.objects.filter(session=session, dossier=dossier).select_related("member"))


def opinion_summaries(*, session: CommitteeSession, dossier_ids: Iterable[int]) -> dict[int, OpinionSummary]:
    """Each dossier's summary of the session's opinions (one query)."""
    ids = list(dossier_ids)
    summaries = {pk: OpinionSummary() for pk in ids}
    for row in JuryOpinion.objects.filter(session=session, dossier_id__in=ids).select_related("member"):
        summaries[row.dossier_id].opinions.append(row)
    return summaries


def my_opinion(*, session: CommitteeSession, dossier: Dossier, member: User) -> JuryOpinion | None:
    return JuryOpinion.objects.filter(session=session, dossier=dossier, member=member).first()


@dataclass(frozen=True)
class DocumentsStatus:
    """Where a closed session's documents stand: they are rendered after the closing, by background tasks (ADR 0054);
    a letter is e-mailed once it exists."""

    minutes_ready: bool
    letters: int
    letters_ready: int

    @property
    def letters_pending(self) -> int:
        return self.letters - self.letters_ready

    @property
    def missing(self) -> int:
        return self.letters_pending + (0 if self.minutes_ready else 1)

    @property
    def is_complete(self) -> bool:
        return self.missing == 0


def session_documents_status(session: CommitteeSession) -> DocumentsStatus:
    """The procès-verbal's and the letters' state of a closed session (one query for the letters)."""
    counts = session.decisions.aggregate(total=Count("pk"), ready=Count("pk", filter=~Q(letter_pdf="")))
    return DocumentsStatus(
        minutes_ready=bool(session.minutes_pdf), letters=counts["total"], letters_ready=counts["ready"]
    )
