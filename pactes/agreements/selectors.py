"""Scoped reads of conventions: who sees which, and the figures of the engagement and payment pages.

Visibility follows the dossier's (``dossiers_visible_to``): the instructors of its département, the DREETS and
administrators; the applicants of the dossier only once the convention is sent to them (a draft is internal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from pactes.accounts.models import Role, User
from pactes.agreements.models import Agreement, AgreementTransitionLog, Payment
from pactes.agreements.services import payment_facts, today_for
from pactes.calls.models import Call
from pactes.committee.models import CommitteeDecision, Decision
from pactes.core.prepared import PreparedQuery, PreparedVariants
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import DOSSIER_LIST_FIELDS, dossiers_visible_to, visibility_key
from pactes.rules.agreement import AgreementState
from pactes.rules.lifecycle import DossierState
from pactes.rules.payments import payment_schedule, remaining_to_pay, total_paid
from pactes.rules.reminders import engagement_alert, engagement_deadline
from pactes.rules.verdict import Reason

STAFF_ROLES = frozenset({Role.INSTRUCTOR, Role.DREETS, Role.ADMIN})
# A dossier keeps its convention once retained, and after it is settled.
AGREEMENT_DOSSIER_STATES = (DossierState.RETAINED.value, DossierState.SETTLED.value)


def agreements_visible_to(user: User) -> QuerySet[Agreement]:
    qs = Agreement.objects.filter(dossier__in=dossiers_visible_to(user))
    if getattr(user, "role", None) == Role.APPLICANT:
        return qs.exclude(state=AgreementState.DRAFT.value)
    if getattr(user, "role", None) not in STAFF_ROLES:
        return qs.none()
    return qs


def retained_dossiers_visible_to(user: User) -> QuerySet[Dossier]:
    """The retained (or settled) dossiers a member of staff follows; applicants and jury see none here."""
    if getattr(user, "role", None) not in STAFF_ROLES:
        return Dossier.objects.none()
    return dossiers_visible_to(user).filter(state__in=AGREEMENT_DOSSIER_STATES)


@dataclass(frozen=True)
class ScheduleLine:
    code: str
    label: str
    trigger: str
    share: Decimal
    planned: Decimal
    paid: Decimal


@dataclass(frozen=True)
class PaymentSummary:
    awarded: Decimal
    paid: Decimal
    remaining: Decimal  # of what is due: the award, or the grant finally due once the final report is validated
    schedule: tuple[ScheduleLine, ...]
    final_amount: Decimal | None = None
    balance_requested_on: dt.date | None = None

    @property
    def is_balance_awaiting_payment(self) -> bool:
        return self.balance_requested_on is not None and self.remaining > 0


def payment_summary(agreement: Agreement) -> PaymentSummary:
    rules = agreement.dossier.call.rules
    payments = list(agreement.payments.all())
    facts = payment_facts(agreement)
    lines = tuple(
        ScheduleLine(
            code=step.code,
            label=step.label,
            trigger=step.trigger.label,
            share=step.share,
            planned=step.amount,
            paid=sum((p.amount for p in payments if p.step_code == step.code), Decimal("0.00")),
        )
        for step in payment_schedule(awarded=agreement.awarded_amount, config=rules)
    )
    return PaymentSummary(
        awarded=agreement.awarded_amount,
        paid=total_paid(facts),
        remaining=remaining_to_pay(awarded=agreement.amount_due, payments=facts),
        schedule=lines,
        final_amount=agreement.final_amount,
        balance_requested_on=agreement.balance_requested_on,
    )


def agreement_engagement_alert(
    dossier: Dossier, agreement: Agreement | None, today: dt.date | None = None
) -> list[Reason]:
    """ENGAGEMENT_DEADLINE_NEAR / PASSED when the retained project has no EJ as the deadline (30 Nov) approaches."""
    if agreement is not None and agreement.state in (AgreementState.ABANDONED, AgreementState.TERMINATED):
        return []
    return engagement_alert(
        has_commitment=agreement is not None and agreement.has_commitment,
        today=today or today_for(dossier.call),
        config=dossier.call.rules,
        label=f"Le projet {dossier.reference}",
    )


@dataclass(frozen=True)
class AgreementRow:
    dossier: Dossier
    agreement: Agreement | None
    awarded: Decimal | None
    paid: Decimal
    remaining: Decimal | None
    alerts: tuple[Reason, ...]


AGREEMENT_ROW_FIELDS = DOSSIER_LIST_FIELDS


def agreement_list(user: User) -> QuerySet[Dossier]:
    """The retained dossiers of the convention list, in its order (département, reference); rows read no outline."""
    return (
        retained_dossiers_visible_to(user)
        .select_related("organisation", "departement")
        .only(*AGREEMENT_ROW_FIELDS)
        .order_by("departement__code", "reference")
    )


def agreement_rows(
    user: User, today: dt.date | None = None, *, dossiers: Iterable[Dossier] | None = None
) -> list[AgreementRow]:
    """One row per retained dossier the user follows (or of ``dossiers``, a page of ``agreement_list``): convention
    state, EJ, awarded / paid / remaining, alert; a fixed number of queries for any number of rows."""
    listed = list(agreement_list(user) if dossiers is None else dossiers)
    ids = [d.pk for d in listed]
    calls = {c.pk: c for c in Call.objects.filter(pk__in={d.call_id for d in listed})}
    for dossier in listed:
        dossier.call = calls[dossier.call_id]  # each call (and its parsed rules) read once for all rows
    agreements = {a.dossier_id: a for a in Agreement.objects.filter(dossier_id__in=ids).prefetch_related("payments")}
    decisions: dict[int, CommitteeDecision] = {}
    for decision in (
        CommitteeDecision.objects.of_closed_sessions()
        .filter(dossier_id__in=[pk for pk in ids if pk not in agreements], decision=Decision.RETAINED)
        .latest_first()
    ):
        decisions.setdefault(decision.dossier_id, decision)
    rows = []
    for dossier in listed:
        agreement = agreements.get(dossier.pk)
        if agreement is not None:
            agreement.dossier = dossier
            summary = payment_summary(agreement)
            awarded, paid, remaining = summary.awarded, summary.paid, summary.remaining
        else:
            decision = decisions.get(dossier.pk)
            awarded = decision.awarded_amount if decision else None
            paid, remaining = Decimal("0.00"), awarded
        rows.append(
            AgreementRow(
                dossier=dossier,
                agreement=agreement,
                awarded=awarded,
                paid=paid,
                remaining=remaining,
                alerts=tuple(agreement_engagement_alert(dossier, agreement, today)),
            )
        )
    return rows


def engagement_alert_count(user: User, today: dt.date | None = None) -> int:
    """How many rows of the whole list carry an engagement alert, counted by the database: per call, the rule says
    whether a project without EJ is alerted today; the database counts those projects."""
    listed = retained_dossiers_visible_to(user)
    count = 0
    for call in Call.objects.filter(pk__in=listed.values("call_id")):
        if engagement_alert(has_commitment=False, today=today or today_for(call), config=call.rules):
            count += (
                listed.filter(call=call)
                .exclude(agreement__state__in=[AgreementState.ABANDONED.value, AgreementState.TERMINATED.value])
                .exclude(agreement__commitment_number__gt="")
                .count()
            )
    return count


def engagement_deadline_of(dossier: Dossier) -> dt.date | None:
    return engagement_deadline(dossier.call.rules)


def with_page_data(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """The conventions with what their page reads: the model's number (not its text), the payments with who recorded
    them (``payments_of``, ``payment_summary`` and ``payment_facts`` then read them without a query)."""
    return (
        agreements.select_related("template")
        .defer("template__body")
        .prefetch_related(Prefetch("payments", queryset=Payment.objects.select_related("recorded_by")))
    )


# What the convention's page reads, each by a query compiled once (pactes.core.prepared): the retained dossier in the
# scope of a member of staff (one query per scope), its convention with its model's number, the payments with who
# recorded them, the changes of state.
_RETAINED_DOSSIER: PreparedVariants[Dossier] = PreparedVariants(kinds=(int,))
_AGREEMENT_OF_DOSSIER = PreparedQuery(
    lambda pk: (
        Agreement.objects.filter(dossier_id=pk).order_by("pk").select_related("template").defer("template__body")
    ),
    kinds=(int,),
)
_PAYMENTS = PreparedQuery(
    lambda pk: Payment.objects.filter(agreement_id=pk).select_related("recorded_by"), kinds=(int,)
)
_HISTORY = PreparedQuery(
    lambda pk: AgreementTransitionLog.objects.filter(agreement_id=pk).select_related("by"), kinds=(int,)
)
_PAYMENTS_CACHE = Payment._meta.get_field("agreement").remote_field.cache_name


def retained_dossier_for_page(user: User, dossier_id: int) -> Dossier | None:
    """The dossier ``dossier_id`` of ``retained_dossiers_visible_to(user)`` with its call, organisation and
    département, or None: the same query, compiled once per scope of a person."""
    if getattr(user, "role", None) not in STAFF_ROLES:
        return None
    query = _RETAINED_DOSSIER(
        visibility_key(user),
        lambda pk: (
            retained_dossiers_visible_to(user).select_related("call", "organisation", "departement").filter(pk=pk)
        ),
    )
    return query.first(dossier_id)


def agreement_for_page(dossier: Dossier) -> Agreement | None:
    """The convention of ``dossier`` (one at most) as ``with_page_data`` reads it: its model's number (not its text) and
    its payments with who recorded them, given to ``agreement.payments.all()`` as ``prefetch_related`` gives them."""
    agreement = _AGREEMENT_OF_DOSSIER.first(dossier.pk)
    if agreement is None:
        return None
    agreement.dossier = dossier
    payments = _PAYMENTS.all(agreement.pk)
    for payment in payments:
        payment.agreement = agreement
    prefetched = Payment.objects.all()
    prefetched._result_cache = payments  # what prefetch_related leaves on the instance
    prefetched._prefetch_done = True
    agreement._prefetched_objects_cache = {_PAYMENTS_CACHE: prefetched}
    return agreement


def agreement_history(agreement: Agreement) -> list[AgreementTransitionLog]:
    """The changes of state of ``agreement``, in their order, with who made them."""
    history = _HISTORY.all(agreement.pk)
    for log in history:
        log.agreement = agreement
    return history


def payments_of(agreement: Agreement) -> list[Payment]:
    """The payments of a convention, each with ``step_label``: the label of its step in the call's schedule (« Avance à
    la signature de la convention »), never the step's code; « — » for a payment outside the schedule. Read with
    ``with_page_data`` (their recorders come with them)."""
    labels = {step.code: step.label for step in agreement.dossier.call.rules.agreements.payment_schedule}
    payments = list(agreement.payments.all())
    for payment in payments:
        payment.step_label = labels.get(payment.step_code, payment.step_code) or "—"  # type: ignore[attr-defined]
    return payments
