"""Payments of a convention (§1.4 FINANCEMENT): the planned schedule, each payment made, what remains, the reversal.

No Django here; Decimal only, rounded half up to the cent. Words:
- *awarded*: the State grant of the convention (BOP 304 action 23), at most the call's cap.
- *schedule*: the planned payments, each a share of the awarded amount due on an event (``PaymentTrigger``): by
  default an advance at signature and the balance on validation of the final report (``agreements.payment_schedule``
  of the call's YAML). Every step but the last is rounded half up to the cent; the last takes what remains, so the
  schedule always adds up to the awarded amount exactly.
- *accounting year*: the year a payment is tied to; §1.4 « Les crédits versés seront rattachés à l'année comptable
  en cours », so it is the year of the payment date, and a declared year that differs is refused.
- *settlement* (compte rendu financier, CERFA 15059-like): the State's *grant share* is awarded / planned total
  expenses of the convention's budget; the *justified grant* is min(awarded, actual eligible expenses × grant share)
  rounded half up to the cent; the *unspent grant* is paid − justified when positive, and it is the *reversal due*
  (reversement); when the justified grant exceeds what was paid, the difference is the *balance due*. The State never
  pays more than awarded, so an underspend lowers the grant pro rata and an overspend does not raise it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pactes.rules.agreement import agreement_state_label, is_agreement_payable
from pactes.rules.call_config import CallConfig, PaymentTrigger
from pactes.rules.formatting import date_short
from pactes.rules.money import CENT, AmountError, check_amount, cited, euros
from pactes.rules.verdict import Reason

PAYMENT_NOT_POSITIVE = "PAYMENT_NOT_POSITIVE"
PAYMENT_OVER_AWARD = "PAYMENT_OVER_AWARD"
PAYMENT_WRONG_YEAR = "PAYMENT_WRONG_YEAR"
PAYMENT_IN_FUTURE = "PAYMENT_IN_FUTURE"
PAYMENT_AGREEMENT_NOT_IN_FORCE = "PAYMENT_AGREEMENT_NOT_IN_FORCE"
PAYMENT_NOT_ENGAGED = "PAYMENT_NOT_ENGAGED"
REVERSAL_DUE = "REVERSAL_DUE"

ZERO = Decimal("0.00")

__all__ = [
    "PAYMENT_AGREEMENT_NOT_IN_FORCE",
    "PAYMENT_IN_FUTURE",
    "PAYMENT_NOT_ENGAGED",
    "PAYMENT_NOT_POSITIVE",
    "PAYMENT_OVER_AWARD",
    "PAYMENT_WRONG_YEAR",
    "REVERSAL_DUE",
    "GrantSettlement",
    "Payment",
    "PaymentTrigger",
    "PlannedPayment",
    "accounting_year",
    "grant_settlement",
    "payment_problems",
    "payment_schedule",
    "remaining_to_pay",
    "total_paid",
]


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PlannedPayment:
    """One step of the schedule with its amount for a given award."""

    code: str
    label: str
    trigger: PaymentTrigger
    share: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Payment:
    """A payment made: amount, date, reference (Chorus) and the accounting year when declared."""

    amount: Decimal
    paid_on: dt.date
    reference: str = ""
    declared_year: int | None = None

    def __post_init__(self) -> None:
        if not self.amount.is_finite():
            raise AmountError("Le montant du versement n'est pas un nombre.")

    @property
    def accounting_year(self) -> int:
        return accounting_year(self.paid_on, self.declared_year)


def accounting_year(paid_on: dt.date, declared_year: int | None = None) -> int:
    """The accounting year of a payment: the declared one, else the year of its date (§1.4)."""
    return paid_on.year if declared_year is None else declared_year


def payment_schedule(*, awarded: Decimal, config: CallConfig) -> tuple[PlannedPayment, ...]:
    # 1.4 FINANCEMENT: the call fixes no schedule; the YAML gives the shares (default 50 % / 50 %).
    awarded = check_amount(awarded)
    steps = config.agreements.payment_schedule
    planned: list[PlannedPayment] = []
    scheduled = ZERO
    for index, step in enumerate(steps):
        is_last = index == len(steps) - 1
        amount = awarded - scheduled if is_last else _cents(awarded * step.share)
        scheduled += amount
        planned.append(PlannedPayment(step.code, step.label, step.trigger, step.share, amount))
    return tuple(planned)


def total_paid(payments: Sequence[Payment]) -> Decimal:
    return _cents(sum((p.amount for p in payments), ZERO))


def remaining_to_pay(*, awarded: Decimal, payments: Sequence[Payment]) -> Decimal:
    """What remains of the award once ``payments`` are made; never negative."""
    return max(ZERO, _cents(check_amount(awarded) - total_paid(payments)))


def payment_problems(
    *,
    awarded: Decimal,
    already_paid: Sequence[Payment],
    payment: Payment,
    config: CallConfig,
    today: dt.date | None = None,
    agreement_state: str | None = None,
    has_commitment: bool | None = None,
) -> list[Reason]:
    """Why ``payment`` may not be recorded (empty list: it may).

    ``today``, ``agreement_state`` and ``has_commitment`` (an EJ number is entered) are checked when given.
    """
    year_section = config.section("funding.accounting_year") or config.section("agreements.payment_schedule")
    problems: list[Reason] = []
    if agreement_state is not None and not is_agreement_payable(agreement_state):
        problems.append(
            Reason(
                PAYMENT_AGREEMENT_NOT_IN_FORCE,
                "Un versement ne peut être enregistré que sur une convention signée et en vigueur (état actuel : "
                f"« {agreement_state_label(agreement_state)} »).",
            )
        )
    if has_commitment is False:
        problems.append(
            Reason(
                PAYMENT_NOT_ENGAGED,
                "Les crédits ne sont pas engagés : saisissez le numéro d'engagement juridique (EJ) avant tout "
                "versement.",
            )
        )
    amount = payment.amount
    if amount <= 0:
        problems.append(
            Reason(PAYMENT_NOT_POSITIVE, f"Le montant du versement doit être positif (saisi : {euros(amount)}).")
        )
    else:
        amount = check_amount(amount)
        remaining = remaining_to_pay(awarded=awarded, payments=already_paid)
        if amount > remaining:
            problems.append(
                Reason(
                    PAYMENT_OVER_AWARD,
                    f"Le versement de {euros(amount)} dépasse ce qui reste à verser sur la subvention attribuée : "
                    f"{euros(remaining)} (attribué {euros(check_amount(awarded))}, déjà versé "
                    f"{euros(total_paid(already_paid))}).",
                )
            )
    if payment.declared_year is not None and payment.declared_year != payment.paid_on.year:
        problems.append(
            Reason(
                PAYMENT_WRONG_YEAR,
                f"Un versement du {date_short(payment.paid_on)} est rattaché à l'année comptable "
                f"{payment.paid_on.year}, pas {payment.declared_year} : les crédits versés sont rattachés à l'année "
                f"comptable en cours{cited(year_section)}.",
                section=year_section,
            )
        )
    if today is not None and payment.paid_on > today:
        problems.append(
            Reason(
                PAYMENT_IN_FUTURE,
                f"La date du versement ({date_short(payment.paid_on)}) est dans le futur : enregistrez un "
                "versement une fois effectué.",
            )
        )
    return problems


@dataclass(frozen=True)
class GrantSettlement:
    """The financial settlement of a convention from its financial statement (see the module docstring)."""

    awarded: Decimal
    paid: Decimal
    planned_total_expenses: Decimal
    actual_eligible_expenses: Decimal
    grant_share: Decimal  # exact, not rounded
    justified: Decimal
    unspent: Decimal  # = reversal_due
    reversal_due: Decimal
    balance_due: Decimal
    reasons: tuple[Reason, ...] = ()

    @property
    def is_reversal_due(self) -> bool:
        return self.reversal_due > 0


def grant_settlement(
    *,
    awarded: Decimal,
    planned_total_expenses: Decimal,
    actual_eligible_expenses: Decimal,
    paid: Decimal,
) -> GrantSettlement:
    # CERFA 15059 (compte rendu financier): the grant is justified pro rata of the eligible expenses actually made.
    awarded = check_amount(awarded)
    planned_total = check_amount(planned_total_expenses)
    actual = check_amount(actual_eligible_expenses)
    paid = check_amount(paid)
    if planned_total <= 0:
        raise AmountError("Le budget prévisionnel de la convention est nul : la part de l'État ne peut être calculée.")
    if awarded > planned_total:
        raise AmountError(
            f"La subvention attribuée ({euros(awarded)}) dépasse le budget prévisionnel ({euros(planned_total)})."
        )
    share = awarded / planned_total
    justified = min(awarded, _cents(actual * awarded / planned_total))
    reversal = max(ZERO, paid - justified)
    balance = max(ZERO, justified - paid)
    reasons: tuple[Reason, ...] = ()
    if reversal > 0:
        reasons = (
            Reason(
                REVERSAL_DUE,
                f"Un reversement de {euros(reversal)} est dû : {euros(paid)} versés pour une subvention justifiée de "
                f"{euros(justified)} ({euros(actual)} de dépenses éligibles réalisées sur {euros(planned_total)} "
                "prévues).",
            ),
        )
    return GrantSettlement(
        awarded=awarded,
        paid=paid,
        planned_total_expenses=planned_total,
        actual_eligible_expenses=actual,
        grant_share=share,
        justified=justified,
        unspent=reversal,
        reversal_due=reversal,
        balance_due=balance,
        reasons=reasons,
    )
