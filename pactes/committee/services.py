"""Writes of the regional committee: sessions, attendance, decisions, closing and reopening.

Only the DREETS writes. Decisions are recorded while a session is open and change no dossier until the session is
closed; closing fires the lifecycle transitions (``retain``, ``reject``, ``postpone``) through
``dossier_transition`` and freezes the decisions; once committed, background tasks produce the procès-verbal and the
decision letters, each letter e-mailed once it exists (``pactes.committee.tasks``, ADR 0054). A decision is
reopened only by the DREETS, with a motivation, through the lifecycle (``reopen_retained``…): the closed session's
record is never edited. Opening and closing a session are transitions of ``pactes.rules.committee_session``, fired
through the one engine (``pactes.core.transitions.fire``, logged).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.calls.models import Call
from pactes.committee.models import (
    DECISION_TRANSITIONS,
    REOPEN_TRANSITIONS,
    Attendance,
    CommitteeDecision,
    CommitteeSession,
    Decision,
    SessionState,
)
from pactes.committee.selectors import (
    EnvelopeView,
    committed_decisions,
    envelope_for_session,
    latest_closed_decision,
    present_count,
    session_agenda_dossiers,
    session_documents_status,
)
from pactes.committee.tasks import session_documents_prepare, session_documents_task
from pactes.core.journal import journal_record
from pactes.core.transitions import TransitionRefused, fire, moment_problems
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import requested_grant
from pactes.dossiers.services import dossier_transition
from pactes.rules.committee_session import OPENING_DAY, OTHER_OPEN_SESSION_DATE, SESSION_DATE, SESSION_LIFECYCLE
from pactes.rules.envelope import (
    ENVELOPE_EXCEEDED,
    ENVELOPE_NOT_SET,
    ZERO,
    award_problems,
    summarize_envelope_totals,
)
from pactes.rules.formatting import date_short
from pactes.rules.lifecycle import DossierState
from pactes.rules.money import euros
from pactes.rules.state_machine import Transition
from pactes.rules.verdict import Reason

logger = logging.getLogger(__name__)

QUORUM_NOT_MET = "QUORUM_NOT_MET"
AWARD_MISSING = "AWARD_MISSING"
AWARD_OVER_REQUESTED = "AWARD_OVER_REQUESTED"
MOTIVATION_REQUIRED = "MOTIVATION_REQUIRED"
SESSION_NOT_OPEN = "SESSION_NOT_OPEN"
SESSION_CLOSED = "SESSION_CLOSED"
SESSION_NOT_CLOSED = "SESSION_NOT_CLOSED"
SESSION_ALREADY_OPEN = "SESSION_ALREADY_OPEN"
NOT_ON_AGENDA = "NOT_ON_AGENDA"
AGENDA_EMPTY = "AGENDA_EMPTY"
DOSSIER_UNDECIDED = "DOSSIER_UNDECIDED"
MOMENT_BEFORE_OPENING = "MOMENT_BEFORE_OPENING"
NOT_ALLOWED = "NOT_ALLOWED"
NOT_A_MEMBER_ROLE = "NOT_A_MEMBER_ROLE"
DECISION_NOT_CURRENT = "DECISION_NOT_CURRENT"
SESSION_DATE_AFTER_OPENING = "SESSION_DATE_AFTER_OPENING"

MEMBER_ROLES = frozenset({Role.JURY, Role.DREETS})


class CommitteeRefused(Exception):
    """The committee act may not be done; ``reasons`` say why in French (stable codes)."""

    def __init__(self, reasons: list[Reason]) -> None:
        self.reasons = reasons
        super().__init__(" ".join(r.message for r in reasons))


def _only_dreets(by: User) -> list[Reason]:
    if by.role == Role.DREETS:
        return []
    return [Reason(NOT_ALLOWED, "Seule la DREETS organise les séances du comité et y enregistre les décisions.")]


def _check_members(members: Iterable[User]) -> list[Reason]:
    return [
        Reason(NOT_A_MEMBER_ROLE, f"{m} n'est ni membre du jury ni agent de la DREETS : il ne peut pas siéger.")
        for m in members
        if m.role not in MEMBER_ROLES or not m.is_active
    ]


def _set_members(session: CommitteeSession, members: Iterable[User]) -> None:
    wanted = {m.pk for m in members}
    session.attendances.exclude(user_id__in=wanted).delete()
    existing = set(session.attendances.values_list("user_id", flat=True))
    Attendance.objects.bulk_create([Attendance(session=session, user_id=pk) for pk in wanted - existing])


# -- sessions -------------------------------------------------------------------------------------------------------
@transaction.atomic
def session_create(
    *, call: Call, date: dt.date, place: str, chair: str, members: Iterable[User], by: User
) -> CommitteeSession:
    members = list(members)
    problems = _only_dreets(by) + _check_members(members)
    if problems:
        raise CommitteeRefused(problems)
    session = CommitteeSession.objects.create(
        call=call, date=date, place=place.strip(), chair=chair.strip() or call.rules.committee_chair, created_by=by
    )
    _set_members(session, members)
    return session


@transaction.atomic
def session_update(
    *, session: CommitteeSession, date: dt.date, place: str, chair: str, members: Iterable[User], by: User
) -> CommitteeSession:
    locked = CommitteeSession.objects.select_for_update().get(pk=session.pk)
    members = list(members)
    problems = _only_dreets(by) + _check_members(members)
    if locked.is_closed:
        problems.append(Reason(SESSION_CLOSED, "La séance est close : son procès-verbal ne se modifie plus."))
    if locked.opened_at is not None and date > locked.opened_at.astimezone(locked.call.rules.timezone).date():
        problems.append(
            Reason(
                SESSION_DATE_AFTER_OPENING,
                f"La séance a été ouverte le {date_short(locked.opened_at, locked.call.rules.timezone)} : "
                "sa date ne peut pas être postérieure à son ouverture.",
            )
        )
    if problems:
        raise CommitteeRefused(problems)
    locked.date, locked.place, locked.chair = date, place.strip(), chair.strip() or locked.call.rules.committee_chair
    locked.save(update_fields=["date", "place", "chair"])
    _set_members(locked, members)
    return locked


@transaction.atomic
def session_open(*, session: CommitteeSession, by: User, at: dt.datetime | None = None) -> CommitteeSession:
    """Opens a planned session at ``at`` (now by default; an explicit moment is only for acts recorded afterwards,
    the views never pass it, and a moment in the future is refused), through the one engine (logged)."""
    locked = CommitteeSession.objects.select_for_update().get(pk=session.pk)
    problems = _only_dreets(by) + moment_problems(at)
    if not locked.is_planned:
        problems.append(Reason(SESSION_NOT_OPEN, "Seule une séance planifiée peut être ouverte."))
    if problems:
        raise CommitteeRefused(problems)
    other = (
        CommitteeSession.objects.filter(call_id=locked.call_id, state=SessionState.OPEN).exclude(pk=locked.pk).first()
    )
    try:
        return fire(
            obj=locked,
            lifecycle=SESSION_LIFECYCLE,
            code="open",
            by=by,
            at=at,
            facts={
                OTHER_OPEN_SESSION_DATE: other.date if other is not None else None,
                SESSION_DATE: locked.date,
                OPENING_DAY: (at or timezone.now()).astimezone(locked.call.rules.timezone).date(),
            },
        )
    except TransitionRefused as exc:
        raise CommitteeRefused(exc.reasons) from exc


@transaction.atomic
def attendance_set(*, session: CommitteeSession, present: Iterable[User], by: User) -> CommitteeSession:
    """Ticks who is present among the members (the others are absent)."""
    locked = CommitteeSession.objects.select_for_update().get(pk=session.pk)
    problems = _only_dreets(by)
    if locked.is_closed:
        problems.append(Reason(SESSION_CLOSED, "La séance est close : la liste de présence est figée."))
    if problems:
        raise CommitteeRefused(problems)
    ids = {u.pk for u in present}
    locked.attendances.filter(user_id__in=ids).update(is_present=True)
    locked.attendances.exclude(user_id__in=ids).update(is_present=False)
    return locked


def quorum_problems(session: CommitteeSession, *, present: int | None = None) -> list[Reason]:
    # 1.6: the committee decides only when enough of its members are present (quorum of the call's YAML).
    quorum = session.call.rules.quorum
    present = present_count(session) if present is None else present
    if present >= quorum:
        return []
    return [
        Reason(
            QUORUM_NOT_MET,
            f"Le quorum n'est pas atteint : {present} membre{'s' if present > 1 else ''} présent"
            f"{'s' if present > 1 else ''} sur {quorum} requis. Cochez les présences avant de décider.",
        )
    ]


# -- decisions ------------------------------------------------------------------------------------------------------
def decision_problems(
    *,
    session: CommitteeSession,
    dossier: Dossier,
    decision: str,
    awarded_amount: Decimal | None,
    motivation: str,
) -> list[Reason]:
    """Why this decision may not be recorded (empty: it may); the envelope is read from the database."""
    rules = session.call.rules
    problems: list[Reason] = []
    if not session.is_open:
        problems.append(Reason(SESSION_NOT_OPEN, "Les décisions ne s'enregistrent que pendant une séance ouverte."))
    if dossier.call_id != session.call_id or dossier.state != DossierState.TRANSMITTED.value:
        problems.append(
            Reason(NOT_ON_AGENDA, f"Le dossier {dossier.reference} n'est pas à l'ordre du jour de cette séance.")
        )
    problems += quorum_problems(session)
    if decision not in Decision.values:
        problems.append(Reason("DECISION_UNKNOWN", "Choisissez une décision : retenu, non retenu ou ajourné."))
        return problems
    if decision != Decision.RETAINED:
        if not motivation.strip():
            label = Decision(decision).label.lower()
            problems.append(Reason(MOTIVATION_REQUIRED, f"Une décision « {label} » doit être motivée."))
        return problems
    if awarded_amount is None or awarded_amount <= 0:
        problems.append(Reason(AWARD_MISSING, "Un dossier retenu demande le montant attribué (en euros)."))
        return problems
    problems += award_problems(awarded_amount, rules, reference=dossier.reference)
    requested = requested_grant(dossier)
    if awarded_amount > requested:
        problems.append(
            Reason(
                AWARD_OVER_REQUESTED,
                f"Le montant attribué ({euros(awarded_amount)}) dépasse la subvention demandée par le porteur "
                f"({euros(requested)}).",
            )
        )
    problems += _envelope_problems(session=session, dossier=dossier, awarded_amount=awarded_amount)
    return problems


def _envelope_problems(*, session: CommitteeSession, dossier: Dossier, awarded_amount: Decimal) -> list[Reason]:
    # 1.4, 1.6: what the committee awards stays within the regional envelope (BOP 304 action 23).
    call = session.call
    others = session.decisions.filter(decision=Decision.RETAINED).exclude(dossier=dossier)
    committed = (committed_decisions(call).aggregate(total=Sum("awarded_amount"))["total"] or ZERO) + (
        others.aggregate(total=Sum("awarded_amount"))["total"] or ZERO
    )
    # Only the totals matter here: the cap per project is checked on this decision by ``award_problems``.
    summary = summarize_envelope_totals(
        call.regional_envelope,
        committed=committed + awarded_amount,
        proposed=ZERO,
        checked=[],
        config=call.rules,
    )
    problems = [r for r in summary.reasons if r.code == ENVELOPE_NOT_SET]
    if summary.remaining is not None and summary.remaining < 0:
        available = summary.remaining + awarded_amount
        problems.append(
            Reason(
                ENVELOPE_EXCEEDED,
                f"Le montant attribué ({euros(awarded_amount)}) dépasse ce qui reste de l'enveloppe régionale "
                f"({euros(max(available, ZERO))} disponibles sur {euros(summary.envelope)}).",
                section=call.rules.section("funding.regional_envelope"),
            )
        )
    return problems


@transaction.atomic
def decision_record(
    *,
    session: CommitteeSession,
    dossier: Dossier,
    decision: str,
    awarded_amount: Decimal | None,
    motivation: str,
    by: User,
    at: dt.datetime | None = None,
) -> CommitteeDecision:
    """Records (or changes, while the session is open) the decision on one dossier of the agenda, at ``at`` (now by
    default; an explicit moment is only for acts recorded afterwards, never in the future)."""
    locked = CommitteeSession.objects.select_for_update().select_related("call").get(pk=session.pk)
    fresh = Dossier.objects.get(pk=dossier.pk)
    amount = awarded_amount if decision == Decision.RETAINED else None
    problems = _only_dreets(by) + decision_problems(
        session=locked, dossier=fresh, decision=decision, awarded_amount=amount, motivation=motivation
    )
    problems += moment_problems(at) + _before_opening_problems(locked, at)
    if problems:
        raise CommitteeRefused(problems)
    record, _created = CommitteeDecision.objects.update_or_create(
        session=locked,
        dossier=fresh,
        defaults={
            "decision": decision,
            "awarded_amount": amount,
            "motivation": motivation.strip(),
            "decided_by": by,
            "decided_at": at or timezone.now(),
        },
    )
    journal_record(record, by=by)
    return record


def _before_opening_problems(session: CommitteeSession, at: dt.datetime | None) -> list[Reason]:
    if at is None or session.opened_at is None or timezone.is_naive(at) or at >= session.opened_at:
        return []
    return [Reason(MOMENT_BEFORE_OPENING, "La date de l'acte ne peut pas précéder l'ouverture de la séance.")]


# -- closing --------------------------------------------------------------------------------------------------------
def undecided_problems(session: CommitteeSession, *, listed: int | None = None) -> list[Reason]:
    """The problems of ``closing_problems`` the agenda causes: an empty agenda, the dossiers without a decision
    (``listed``: at most so many named, the others counted in one more reason; all of them by default)."""
    problems: list[Reason] = []
    agenda = session_agenda_dossiers(session)
    if not agenda.exists():
        problems.append(Reason(AGENDA_EMPTY, "L'ordre du jour est vide : aucun dossier n'a été transmis au comité."))
    undecided = agenda.exclude(pk__in=session.decisions.values("dossier_id")).order_by("departement__code", "reference")
    references = list(undecided.values_list("reference", flat=True)[: None if listed is None else listed + 1])
    if listed is not None and len(references) > listed:
        references = references[:listed]
        rest = undecided.count() - listed
        problems += [Reason(DOSSIER_UNDECIDED, f"Le dossier {r} n'a pas encore de décision.") for r in references]
        problems.append(
            Reason(
                DOSSIER_UNDECIDED,
                f"Et {rest} autre{'s' if rest > 1 else ''} dossier{'s' if rest > 1 else ''} sans décision.",
            )
        )
    else:
        problems += [Reason(DOSSIER_UNDECIDED, f"Le dossier {r} n'a pas encore de décision.") for r in references]
    return problems


def closing_problems(
    session: CommitteeSession,
    *,
    listed: int | None = None,
    present: int | None = None,
    envelope: EnvelopeView | None = None,
    undecided: list[Reason] | None = None,
) -> list[Reason]:
    """Why the session may not be closed yet (shown on its page, and checked again when closing). ``listed``: at most
    so many undecided dossiers are named, the others counted in one more reason (the page); all of them by default.
    ``present``, ``envelope`` and ``undecided`` (``undecided_problems``): the page passes what it has read already
    or keeps (read here otherwise)."""
    if not session.is_open:
        return [Reason(SESSION_NOT_OPEN, "Seule une séance ouverte peut être close.")]
    problems = quorum_problems(session, present=present)
    problems += undecided_problems(session, listed=listed) if undecided is None else undecided
    envelope = envelope or envelope_for_session(session)
    if envelope.remaining is not None and envelope.remaining < 0:
        problems.append(
            Reason(
                ENVELOPE_EXCEEDED,
                f"Les montants attribués ({euros(envelope.session_awarded)}) dépassent l'enveloppe régionale "
                f"restante de {euros(envelope.remaining + envelope.session_awarded)}.",
            )
        )
    return problems


def session_close(
    *, session: CommitteeSession, by: User, at: dt.datetime | None = None, in_background: bool = True
) -> CommitteeSession:
    """Applies every decision to its dossier and freezes the session, in one transaction; once committed, the
    procès-verbal and the letters are rendered by background tasks, each letter e-mailed once it exists (the
    transaction holds no lock while a PDF renders, ADR 0054). With ``in_background`` False (loading demo data) they
    are prepared at once, after the commit, by what the tasks run. ``at``: the moment of closing, dated on the PV and
    the letters (now by default; an explicit moment is only for acts recorded afterwards, never in the future).
    Raises ``CommitteeRefused`` (nothing is changed then)."""
    with transaction.atomic():
        closed = _session_close_decisions(session=session, by=by, at=at)
        if in_background:
            transaction.on_commit(partial(_documents_enqueue, closed.pk))
    if not in_background:
        return session_documents_prepare(session_id=closed.pk)
    return closed


def _session_close_decisions(*, session: CommitteeSession, by: User, at: dt.datetime | None) -> CommitteeSession:
    locked = CommitteeSession.objects.select_for_update().select_related("call").get(pk=session.pk)
    problems = _only_dreets(by) + closing_problems(locked) + moment_problems(at) + _before_opening_problems(locked, at)
    moment = at or timezone.now()
    if problems:
        raise CommitteeRefused(problems)
    envelope = envelope_for_session(locked)
    decisions = list(locked.decisions.select_related("dossier__organisation", "dossier__departement"))
    for record in decisions:
        try:
            dossier_transition(
                dossier=record.dossier,
                transition=DECISION_TRANSITIONS[record.decision],
                by=by,
                reason=record.motivation,
                at=moment,
            )
        except TransitionRefused as exc:
            raise CommitteeRefused(
                [Reason(r.code, f"Dossier {record.dossier.reference} : {r.message}") for r in exc.reasons]
            ) from exc

    def freeze(row: CommitteeSession, move: Transition) -> list[Reason]:
        # The procès-verbal's figures, frozen with the state.
        row.quorum = locked.call.rules.quorum
        row.awarded_total = envelope.session_awarded
        row.envelope_remaining = envelope.remaining
        return []

    try:
        return fire(obj=locked, lifecycle=SESSION_LIFECYCLE, code="close", by=by, at=moment, prepare=freeze)
    except TransitionRefused as exc:
        raise CommitteeRefused(exc.reasons) from exc


def _documents_enqueue(session_id: int) -> None:
    # The closing is committed: nothing here may turn it into an error page (the DREETS can relaunch the documents).
    try:
        session_documents_task.enqueue(session_id)
    except Exception:
        logger.exception("Échec de la mise en file des documents de la séance %s.", session_id)


def session_documents_relaunch(*, session: CommitteeSession, by: User) -> int:
    """Enqueues again the preparation of what a closed session's documents still lack (a render failed, or no worker
    ran); returns how many documents were missing (0: every one exists, nothing is enqueued). Only the DREETS."""
    problems = _only_dreets(by)
    if not session.is_closed:
        problems.append(Reason(SESSION_NOT_CLOSED, "Seule une séance close a un procès-verbal et des lettres."))
    if problems:
        raise CommitteeRefused(problems)
    missing = session_documents_status(session).missing
    if missing:
        session_documents_task.enqueue(session.pk)
    return missing


# -- reopening ------------------------------------------------------------------------------------------------------
@transaction.atomic
def decision_reopen(
    *, decision: CommitteeDecision, motivation: str, by: User, at: dt.datetime | None = None
) -> Dossier:
    """Sends a decided dossier back to the committee (state ``transmis``), motivated and logged (at ``at``, now by
    default); the closed session's record stays as it was."""
    dossier = Dossier.objects.get(pk=decision.dossier_id)
    problems = _only_dreets(by)
    current = latest_closed_decision(dossier)
    if not decision.session.is_closed or current is None or current.pk != decision.pk:
        problems.append(
            Reason(DECISION_NOT_CURRENT, "Cette décision n'est pas la décision en vigueur du dossier : rien à rouvrir.")
        )
    transition = REOPEN_TRANSITIONS.get(dossier.state)
    if transition is None:
        problems.append(Reason(DECISION_NOT_CURRENT, f"Le dossier {dossier.reference} n'a pas de décision à rouvrir."))
    if problems:
        raise CommitteeRefused(problems)
    assert transition is not None
    try:
        return dossier_transition(dossier=dossier, transition=transition, by=by, reason=motivation.strip(), at=at)
    except TransitionRefused as exc:
        raise CommitteeRefused(exc.reasons) from exc
