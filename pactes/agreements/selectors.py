"""Scoped reads of conventions: who sees which, and the figures of the engagement and payment pages.

Visibility follows the dossier's (``dossiers_visible_to``): the instructors of its département, the DREETS and
administrators; the applicants of the dossier only once the convention is sent to them (a draft is internal).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from pactes.accounts.models import Role, User
from pactes.agreements.models import Agreement, Payment
from pactes.agreements.services import payment_facts, today_for
from pactes.committee.selectors import retained_decision
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import dossiers_visible_to
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


def agreement_rows(user: User, today: dt.date | None = None) -> list[AgreementRow]:
    """One row per retained dossier the user follows: convention state, EJ, awarded / paid / remaining, alert."""
    rows = []
    dossiers = retained_dossiers_visible_to(user).select_related("call", "organisation", "departement")
    for dossier in dossiers.order_by("departement__code", "reference"):
        agreement = Agreement.objects.filter(dossier=dossier).prefetch_related("payments").first()
        if agreement is not None:
            summary = payment_summary(agreement)
            awarded, paid, remaining = summary.awarded, summary.paid, summary.remaining
        else:
            decision = retained_decision(dossier)
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


def engagement_deadline_of(dossier: Dossier) -> dt.date | None:
    return engagement_deadline(dossier.call.rules)


def payments_of(agreement: Agreement) -> list[Payment]:
    """The payments of a convention, each with ``step_label``: the label of its step in the call's schedule (« Avance à
    la signature de la convention »), never the step's code; « — » for a payment outside the schedule."""
    labels = {step.code: step.label for step in agreement.dossier.call.rules.agreements.payment_schedule}
    payments = list(agreement.payments.select_related("recorded_by"))
    for payment in payments:
        payment.step_label = labels.get(payment.step_code, payment.step_code) or "—"  # type: ignore[attr-defined]
    return payments
