"""Budget rules of §1.4: balance, State grant cap, cofinancing (in-kind excluded) ≥ minimum rate of the total."""

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pactes.rules.budget import (
    BUDGET_UNBALANCED,
    COFINANCING_TOO_LOW,
    GRANT_MISSING,
    GRANT_OVER_CAP,
    BudgetInput,
    CofinancingLine,
    ExpenseLine,
    FundingStatus,
    InKindValuation,
    budget_problems,
    summarize_budget,
)
from pactes.rules.call_config import CallConfig
from pactes.rules.money import AmountError, euros, percent

CONFIG = CallConfig.from_yaml(
    (Path(__file__).resolve().parents[2] / "pactes/calls/data/pts-occitanie-2024.yaml").read_text()
)
CAP = CONFIG.grant_cap
RATE = CONFIG.min_cofinancing_rate


def budget(expenses: str, grant: str | None, cofinancing: str = "0", own: str = "0", in_kind: str = "0") -> BudgetInput:
    return BudgetInput(
        expenses=(ExpenseLine("Personnel", Decimal(expenses)),),
        state_grant=None if grant is None else Decimal(grant),
        cofinancing=(CofinancingLine("Conseil départemental", Decimal(cofinancing), FundingStatus.REQUESTED),),
        own_funds=Decimal(own),
        in_kind=(InKindValuation("Mise à disposition de locaux", Decimal(in_kind)),),
    )


def codes(b: BudgetInput, config: CallConfig = CONFIG) -> list[str]:
    return [r.code for r in budget_problems(b, config)]


@pytest.mark.parametrize(
    ("case", "b", "expected"),
    [
        (
            "124 000 € budget, 62 000 € grant, 62 000 € cofinancing: exactly 50 %",
            budget("124000", "62000", "62000"),
            [],
        ),
        ("61 999,99 € of cofinancing fails", budget("123999.99", "62000", "61999.99"), [COFINANCING_TOO_LOW]),
        ("cofinancing from own funds counts", budget("124000", "62000", "30000", own="32000"), []),
        (
            "in-kind valuation never counts",
            budget("124000", "62000", "61999.99", in_kind="50000"),
            [BUDGET_UNBALANCED, COFINANCING_TOO_LOW],
        ),
        (
            "in-kind cannot fill the gap",
            budget("123999.99", "62000", "61999.99", in_kind="1000"),
            [COFINANCING_TOO_LOW],
        ),
        ("grant over the cap", budget("130000", "65000", "65000"), [GRANT_OVER_CAP]),
        ("grant exactly at the cap", budget("130000", "62000", "68000"), []),
        ("grant missing", budget("124000", None, "124000"), [GRANT_MISSING]),
        ("grant zero is missing", budget("124000", "0", "124000"), [GRANT_MISSING]),
        ("resources short of expenses", budget("124000", "62000", "58000"), [BUDGET_UNBALANCED, COFINANCING_TOO_LOW]),
        ("resources above expenses", budget("100000", "50000", "60000"), [BUDGET_UNBALANCED]),
        ("no expense at all", BudgetInput(state_grant=Decimal("1000")), [BUDGET_UNBALANCED]),
        ("small budget mostly granted", budget("20000", "15000", "5000"), [COFINANCING_TOO_LOW]),
    ],
)
def test_budget_rules_of_the_call(case: str, b: BudgetInput, expected: list[str]) -> None:
    assert codes(b) == expected, case


def test_grant_over_cap_message_names_both_amounts_and_the_section() -> None:
    (reason,) = budget_problems(budget("130000", "65000", "65000"), CONFIG)
    assert reason.message == (
        f"La subvention demandée ({euros(Decimal('65000'))}) dépasse le plafond de {euros(CAP)} (§1.4)."
    )
    assert reason.section == CONFIG.section("funding.grant_cap")
    assert reason.blocking


def test_cofinancing_too_low_message_never_rounds_a_failure_up_to_the_minimum() -> None:
    (reason,) = budget_problems(budget("123999.99", "62000", "61999.99"), CONFIG)
    assert "49,99\u00a0%" in reason.message
    assert "au moins 50\u00a0%" in reason.message
    assert reason.section == CONFIG.section("funding.min_cofinancing")


def test_unbalanced_message_gives_the_gap() -> None:
    reasons = budget_problems(budget("124000", "62000", "58000"), CONFIG)
    assert f"écart de {euros(Decimal('4000'))}" in reasons[0].message


def test_summary_gives_every_figure_of_the_worked_example() -> None:
    s = summarize_budget(budget("124000", "62000", "50000", own="12000", in_kind="8000"), CONFIG)
    assert s.total_expenses == Decimal("124000")
    assert s.total_budget == Decimal("124000")
    assert s.total_in_kind == Decimal("8000")
    assert s.financial_resources == Decimal("124000")
    assert s.cofinancing == Decimal("62000")
    assert s.cofinancing_rate == Decimal("0.5")
    assert s.required_cofinancing == Decimal("62000")
    assert s.cofinancing_gap == 0
    assert s.max_grant == Decimal("62000")
    assert s.is_balanced


def test_summary_max_grant_is_limited_by_the_minimum_cofinancing_for_a_small_budget() -> None:
    s = summarize_budget(budget("20000", "15000", "5000"), CONFIG)
    assert s.max_grant == Decimal("10000")
    assert s.cofinancing_gap == Decimal("5000")


def test_the_rule_follows_the_config_not_literals() -> None:
    other = dataclasses.replace(CONFIG, grant_cap=Decimal("70000"), min_cofinancing_rate=Decimal("0.20"))
    assert codes(budget("100000", "70000", "30000"), other) == []
    assert codes(budget("100000", "70000", "30000")) == [GRANT_OVER_CAP, COFINANCING_TOO_LOW]


def test_in_kind_counts_on_both_sides_when_the_call_says_so() -> None:
    counting = dataclasses.replace(CONFIG, cofinancing_excludes_in_kind=False)
    s = summarize_budget(budget("100000", "60000", "40000", in_kind="20000"), counting)
    assert s.total_budget == Decimal("120000")
    assert s.cofinancing == Decimal("60000")
    assert codes(budget("100000", "60000", "40000", in_kind="20000"), counting) == []


@pytest.mark.parametrize("bad", [Decimal("-1"), Decimal("1.001"), Decimal("NaN")])
def test_budget_lines_refuse_invalid_amounts(bad: Decimal) -> None:
    with pytest.raises(AmountError):
        ExpenseLine("Personnel", bad)
    with pytest.raises(AmountError):
        BudgetInput(state_grant=bad)


# -- properties ----------------------------------------------------------------------------------------------------
cents = st.decimals(min_value=0, max_value=Decimal("500000"), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def balanced_budgets(draw: st.DrawFn) -> BudgetInput:
    grant = draw(cents)
    other = draw(cents)
    own = draw(cents)
    total = grant + other + own
    split = draw(st.decimals(min_value=0, max_value=total, places=2, allow_nan=False, allow_infinity=False))
    return BudgetInput(
        expenses=(ExpenseLine("A", split), ExpenseLine("B", total - split)),
        state_grant=grant,
        cofinancing=(CofinancingLine("Commune", other),),
        own_funds=own,
        in_kind=(InKindValuation("Locaux", draw(cents)),),
    )


@given(balanced_budgets())
def test_rate_of_a_balanced_budget_lies_between_0_and_1(b: BudgetInput) -> None:
    s = summarize_budget(b, CONFIG)
    assert BUDGET_UNBALANCED not in codes(b) or s.total_expenses == 0
    if s.cofinancing_rate is not None:
        assert Decimal(0) <= s.cofinancing_rate <= Decimal(1)


@given(balanced_budgets())
def test_grant_plus_cofinancing_equals_financial_resources(b: BudgetInput) -> None:
    s = summarize_budget(b, CONFIG)
    assert (s.state_grant or 0) + s.cofinancing == s.financial_resources


@given(balanced_budgets(), cents)
def test_in_kind_never_changes_the_rate_nor_the_verdict(b: BudgetInput, in_kind: Decimal) -> None:
    changed = dataclasses.replace(b, in_kind=(InKindValuation("Bénévolat", in_kind),))
    assert summarize_budget(changed, CONFIG).cofinancing_rate == summarize_budget(b, CONFIG).cofinancing_rate
    assert codes(changed) == codes(b)


@given(balanced_budgets())
def test_cofinancing_verdict_agrees_with_the_exact_rate(b: BudgetInput) -> None:
    s = summarize_budget(b, CONFIG)
    if s.cofinancing_rate is not None:
        assert (COFINANCING_TOO_LOW in codes(b)) == (s.cofinancing_rate < RATE)


@given(balanced_budgets())
def test_shown_rate_never_reaches_the_minimum_when_the_rule_refuses(b: BudgetInput) -> None:
    s = summarize_budget(b, CONFIG)
    if s.cofinancing_rate is not None:
        shown = Decimal(percent(s.cofinancing_rate).removesuffix("\u00a0%").replace(",", "."))
        assert (COFINANCING_TOO_LOW in codes(b)) == (shown < RATE * 100)
