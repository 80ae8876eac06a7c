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

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from pactes.accounts.models import Role, User
from pactes.assessment.models import Opinion, Proposal
from pactes.calls.models import Call
from pactes.committee.models import CommitteeDecision, CommitteeSession, Decision, JuryOpinion
from pactes.dossiers.models import Dossier
from pactes.rules.envelope import (
    ENVELOPE_EXCEEDED,
    ZERO,
    EnvelopeDecision,
    EnvelopeSummary,
    summarize_envelope_totals,
)
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
