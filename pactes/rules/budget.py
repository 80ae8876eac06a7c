"""The provisional budget of a dossier (§1.4 FINANCEMENT): totals, State grant, cofinancing rate, caps.

No Django here; Decimal only. Words:
- *expenses*: the lines of planned spending; their sum is the *total budget*.
- *financial resources*: the State PTS grant (``state_grant``), the other cofinancing lines and own funds.
- *cofinancing*: financial resources minus the State PTS grant; its *rate* is cofinancing / total budget.
- *in-kind valuations* (apports en nature, en moyens humains): shown apart; when the call says cofinancing excludes
  them (``cofinancing_excludes_in_kind``), they count for neither side, so they never change the rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal
from enum import StrEnum

from pactes.rules.call_config import CallConfig
from pactes.rules.money import CENT, check_amount, cited, euros, percent
from pactes.rules.verdict import Reason

BUDGET_UNBALANCED = "BUDGET_UNBALANCED"
GRANT_MISSING = "GRANT_MISSING"
GRANT_OVER_CAP = "GRANT_OVER_CAP"
COFINANCING_TOO_LOW = "COFINANCING_TOO_LOW"

ZERO = Decimal("0.00")


class FundingStatus(StrEnum):
    PLANNED = "envisage"
    REQUESTED = "demande"
    OBTAINED = "acquis"

    @property
    def label(self) -> str:
        return {"envisage": "Envisagé", "demande": "Demandé", "acquis": "Acquis"}[self.value]


@dataclass(frozen=True)
class ExpenseLine:
    label: str
    amount: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", check_amount(self.amount))


@dataclass(frozen=True)
class CofinancingLine:
    funder: str
    amount: Decimal
    status: FundingStatus = FundingStatus.REQUESTED

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", check_amount(self.amount))


@dataclass(frozen=True)
class InKindValuation:
    label: str
    amount: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", check_amount(self.amount))


@dataclass(frozen=True)
class BudgetInput:
    expenses: tuple[ExpenseLine, ...] = ()
    state_grant: Decimal | None = None  # None: not filled in
    cofinancing: tuple[CofinancingLine, ...] = ()
    own_funds: Decimal = ZERO
    in_kind: tuple[InKindValuation, ...] = ()

    def __post_init__(self) -> None:
        if self.state_grant is not None:
            object.__setattr__(self, "state_grant", check_amount(self.state_grant))
        object.__setattr__(self, "own_funds", check_amount(self.own_funds))


@dataclass(frozen=True)
class BudgetSummary:
    """Every figure of the budget, for the live panel and the instruction sheet."""

    total_expenses: Decimal
    total_in_kind: Decimal
    total_budget: Decimal  # the base of the rate: expenses, plus in-kind only if the call counts it
    state_grant: Decimal | None
    other_cofinancing: Decimal
    own_funds: Decimal
    financial_resources: Decimal
    cofinancing: Decimal  # financial resources − State grant (+ in-kind if the call counts it)
    cofinancing_rate: Decimal | None  # None when the total budget is 0
    required_cofinancing: Decimal  # total budget × minimum rate, rounded up to the cent
    cofinancing_gap: Decimal  # what is missing to reach the minimum (0 when reached)
    grant_cap: Decimal
    max_grant: Decimal  # the largest grant both the cap and the minimum cofinancing allow for this total budget
    balance: Decimal  # financial resources − expenses (0 when balanced)
    min_cofinancing_rate: Decimal

    @property
    def is_balanced(self) -> bool:
        return self.total_expenses > 0 and self.balance == 0


def _sum(amounts: Sequence[Decimal]) -> Decimal:
    return sum(amounts, ZERO)


def summarize_budget(budget: BudgetInput, config: CallConfig) -> BudgetSummary:
    total_expenses = _sum([line.amount for line in budget.expenses])
    total_in_kind = _sum([line.amount for line in budget.in_kind])
    grant = budget.state_grant if budget.state_grant is not None else ZERO
    other = _sum([line.amount for line in budget.cofinancing])
    financial = grant + other + budget.own_funds
    counted_in_kind = ZERO if config.cofinancing_excludes_in_kind else total_in_kind
    total_budget = total_expenses + counted_in_kind
    cofinancing = financial - grant + counted_in_kind
    rate = cofinancing / total_budget if total_budget > 0 else None
    required = (total_budget * config.min_cofinancing_rate).quantize(CENT, rounding=ROUND_UP)
    max_grant = max(ZERO, min(config.grant_cap, total_expenses - required + counted_in_kind))
    return BudgetSummary(
        total_expenses=total_expenses,
        total_in_kind=total_in_kind,
        total_budget=total_budget,
        state_grant=budget.state_grant,
        other_cofinancing=other,
        own_funds=budget.own_funds,
        financial_resources=financial,
        cofinancing=cofinancing,
        cofinancing_rate=rate,
        required_cofinancing=required,
        cofinancing_gap=max(ZERO, required - cofinancing),
        grant_cap=config.grant_cap,
        max_grant=max_grant,
        balance=financial - total_expenses,
        min_cofinancing_rate=config.min_cofinancing_rate,
    )


def budget_problems(budget: BudgetInput, config: CallConfig) -> list[Reason]:
    # 1.4 FINANCEMENT: grant capped per project, cofinancing (in-kind excluded) ≥ minimum rate of the total budget.
    summary = summarize_budget(budget, config)
    cap_section = config.section("funding.grant_cap")
    rate_section = config.section("funding.min_cofinancing")
    reasons: list[Reason] = []
    if summary.total_expenses == 0:
        reasons.append(
            Reason(BUDGET_UNBALANCED, "Le budget prévisionnel ne comporte aucune dépense.", section=rate_section)
        )
    elif summary.balance != 0:
        direction = "dépassent" if summary.balance > 0 else "ne couvrent pas"
        reasons.append(
            Reason(
                BUDGET_UNBALANCED,
                f"Le budget n'est pas équilibré : les ressources financières ({euros(summary.financial_resources)}) "
                f"{direction} les dépenses ({euros(summary.total_expenses)}), écart de {euros(abs(summary.balance))}.",
                section=rate_section,
            )
        )
    if budget.state_grant is None or budget.state_grant == 0:
        reasons.append(
            Reason(
                GRANT_MISSING,
                f"Le montant de la subvention demandée à l'État ({config.funding_label}) n'est pas renseigné.",
                section=cap_section,
            )
        )
    elif budget.state_grant > config.grant_cap:
        reasons.append(
            Reason(
                GRANT_OVER_CAP,
                f"La subvention demandée ({euros(budget.state_grant)}) dépasse le plafond de "
                f"{euros(config.grant_cap)}{cited(cap_section)}.",
                section=cap_section,
            )
        )
    if summary.total_budget > 0 and cofinancing_is_too_low(summary):
        assert summary.cofinancing_rate is not None
        reasons.append(
            Reason(
                COFINANCING_TOO_LOW,
                f"Le cofinancement ({euros(summary.cofinancing)}) représente "
                f"{percent(summary.cofinancing_rate)} du budget total de {euros(summary.total_budget)} : "
                f"il doit en couvrir au moins {percent(config.min_cofinancing_rate)}, soit "
                f"{euros(summary.required_cofinancing)}{_in_kind_note(config)}{cited(rate_section)}.",
                section=rate_section,
            )
        )
    return reasons


def cofinancing_is_too_low(summary: BudgetSummary) -> bool:
    # Exact comparison, no division: cofinancing ≥ total budget × minimum rate.
    return summary.cofinancing < summary.total_budget * summary.min_cofinancing_rate


def _in_kind_note(config: CallConfig) -> str:
    return ", hors valorisation des apports en nature" if config.cofinancing_excludes_in_kind else ""
