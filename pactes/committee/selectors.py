"""Scoped reads of the regional committee: who sees which session, its agenda and the regional envelope.

Words: the *agenda* (ordre du jour) of an open or planned session is the call's dossiers transmitted to the
committee (state ``transmis``), grouped by département; that of a closed session is the dossiers it decided.
The *committed* amount is what closed sessions awarded to dossiers still retained; the *proposed* amount is the
sum of the départements' proposals for the dossiers awaiting a decision; a session's *awarded* amount is what its
retained decisions grant.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum

from pactes.accounts.models import Role, User
from pactes.assessment.models import Opinion, Proposal
from pactes.calls.models import Call
from pactes.committee.models import CommitteeDecision, CommitteeSession, Decision, JuryOpinion
from pactes.dossiers.models import Dossier, DossierTransitionLog
from pactes.dossiers.selectors import dossiers_visible_to, requested_grants
from pactes.rules.envelope import ENVELOPE_EXCEEDED, ZERO, EnvelopeDecision, summarize_envelope
from pactes.rules.lifecycle import DECIDED_STATES, DossierState
from pactes.rules.verdict import Reason

DECIDED_STATE_VALUES: frozenset[str] = frozenset(s.value for s in DECIDED_STATES)


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


@dataclass
class AgendaGroup:
    departement: str
    items: list[AgendaItem] = field(default_factory=list)

    @property
    def requested_total(self) -> Decimal:
        return sum((i.requested for i in self.items), ZERO)

    @property
    def proposed_total(self) -> Decimal:
        return sum((i.proposed or ZERO for i in self.items), ZERO)

    @property
    def awarded_total(self) -> Decimal:
        return sum((i.decision.awarded_amount or ZERO for i in self.items if i.decision), ZERO)


def _sort_key(item: AgendaItem) -> tuple[str, str, int, str]:
    proposal = item.proposal
    return (
        item.dossier.departement.code,
        proposal.territory.name if proposal else "",
        proposal.rank if proposal and proposal.rank else 9999,
        item.dossier.reference,
    )


def session_agenda(*, session: CommitteeSession, user: User) -> list[AgendaGroup]:
    """The agenda as ``user`` may see it, grouped by département, ordered by territory and rank."""
    dossiers = list(
        dossiers_visible_to(user)
        .filter(pk__in=session_agenda_dossiers(session).values("pk"))
        .select_related("organisation", "departement", "call")
    )
    ids = [d.pk for d in dossiers]
    proposals = {p.dossier_id: p for p in Proposal.objects.select_related("territory").filter(dossier_id__in=ids)}
    decisions = {
        d.dossier_id: d for d in CommitteeDecision.objects.select_related("decided_by").filter(session=session)
    }
    requested = requested_grants(ids)
    summaries = opinion_summaries(session=session, dossier_ids=ids)
    reopenings: dict[int, DossierTransitionLog] = {}
    if session.is_closed and session.closed_at is not None:
        for log in DossierTransitionLog.objects.filter(
            dossier_id__in=ids, transition__startswith="reopen_", at__gte=session.closed_at
        ).select_related("by"):
            reopenings.setdefault(log.dossier_id, log)
    items = sorted(
        (
            AgendaItem(
                d,
                proposals.get(d.pk),
                requested.get(d.pk, ZERO),
                decisions.get(d.pk),
                reopenings.get(d.pk),
                summaries.get(d.pk),
                next((o for o in summaries[d.pk].opinions if o.member_id == user.pk), None),
            )
            for d in dossiers
        ),
        key=_sort_key,
    )
    groups: list[AgendaGroup] = []
    for item in items:
        label = str(item.dossier.departement)
        if not groups or groups[-1].departement != label:
            groups.append(AgendaGroup(label))
        groups[-1].items.append(item)
    return groups


def committed_decisions(call: Call) -> list[CommitteeDecision]:
    """The decisions of closed sessions that still hold: the latest retained one of each dossier still retained."""
    current: dict[int, CommitteeDecision] = {}
    for decision in (
        CommitteeDecision.objects.of_closed_sessions()
        .filter(session__call=call, decision=Decision.RETAINED, dossier__state=DossierState.RETAINED.value)
        .select_related("dossier", "session")
        .order_by("dossier_id", "-session__closed_at", "-decided_at", "-pk")
    ):
        current.setdefault(decision.dossier_id, decision)
    return list(current.values())


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


def envelope_decisions(call: Call) -> list[EnvelopeDecision]:
    """What closed sessions committed, and what the départements propose for the transmitted dossiers."""
    decisions = [
        EnvelopeDecision(d.dossier.reference, is_closed=True, awarded=d.awarded_amount)
        for d in committed_decisions(call)
    ]
    for proposal in Proposal.objects.filter(
        dossier__call=call, dossier__state=DossierState.TRANSMITTED.value
    ).select_related("dossier"):
        decisions.append(
            EnvelopeDecision(proposal.dossier.reference, is_closed=False, proposed=proposal.proposed_amount)
        )
    return decisions


def session_awarded(session: CommitteeSession) -> Decimal:
    total = session.decisions.filter(decision=Decision.RETAINED).aggregate(total=Sum("awarded_amount"))["total"]
    return total or ZERO


def envelope_for_session(session: CommitteeSession) -> EnvelopeView:
    """The regional envelope as the session sees it (BOP 304 action 23), computed by ``pactes.rules.envelope``."""
    call = session.call
    config = call.rules
    summary = summarize_envelope(call.regional_envelope, envelope_decisions(call), config)
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
def is_jury_member_of(user: User, session: CommitteeSession) -> bool:
    """``user`` is an active jury member listed among the session's members."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.JURY
        and session.attendances.filter(user=user).exists()
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
