"""Payments of a convention (§1.4): the schedule from the call's YAML, each payment checked, remaining, reversal."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pactes.rules.call_config import CallConfig, CallConfigError, PaymentStep, PaymentTrigger
from pactes.rules.money import AmountError
from pactes.rules.payments import (
    Payment,
    grant_settlement,
    payment_problems,
    payment_schedule,
    remaining_to_pay,
    total_paid,
)

DATA = Path(__file__).resolve().parents[2] / "pactes" / "calls" / "data"
TEXT = (DATA / "pts-occitanie-2024.yaml").read_text(encoding="utf-8")
CONFIG = CallConfig.from_yaml(TEXT)
D = Decimal


def _with_agreements(**changes: object) -> str:
    data = yaml.safe_load(TEXT)
    data["agreements"].update(changes)
    return yaml.safe_dump(data, allow_unicode=True)


def _codes(reasons):
    return [r.code for r in reasons]


# -- the agreements section of the call --------------------------------------------------------------------------------
def test_call_schedules_an_advance_of_half_at_signature_and_the_balance_on_the_final_report():
    steps = CONFIG.agreements.payment_schedule
    assert [(s.code, s.trigger, s.share) for s in steps] == [
        ("avance", PaymentTrigger.SIGNATURE, D("0.50")),
        ("solde", PaymentTrigger.FINAL_REPORT, D("0.50")),
    ]
    assert CONFIG.section("agreements.payment_schedule").startswith("1.4 FINANCEMENT")


def test_call_agreements_section_cites_its_sources():
    spec = CONFIG.agreements
    assert (spec.final_report_months_after_end, spec.variance_threshold) == (6, D("0.15"))
    assert spec.reminder_offsets_days == (14, 7, 1)
    assert spec.engagement_alert_days == 15
    assert spec.interim_report_required and spec.interim_report_at_fraction == D("0.5")
    assert "DILA" in CONFIG.section("agreements.final_report_months_after_end")
    assert CONFIG.section("agreements.engagement_alert_days").startswith("1.7")
    assert CONFIG.section("agreements.interim_report").startswith("1.5")


def test_a_call_without_agreements_section_gets_the_defaults():
    data = yaml.safe_load(TEXT)
    del data["agreements"]
    config = CallConfig.from_dict(data)
    assert config.agreements.payment_schedule == CONFIG.agreements.payment_schedule
    assert config.agreements.reminder_offsets_days == (14, 7, 1)


def test_the_demo_shift_leaves_the_agreements_section_alone_and_moves_the_engagement_deadline():
    shifted = CallConfig.from_yaml(TEXT, date_offset_days=100)
    assert shifted.agreements == CONFIG.agreements
    assert shifted.calendar_step("engagement").end == dt.date(2024, 11, 30) + dt.timedelta(days=100)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"payment_schedule": {"steps": [{"code": "a", "label": "A", "trigger": "signature", "share": "0.6"}]}},
            "totaliser 1",
        ),
        (
            {"payment_schedule": {"steps": [{"code": "a", "label": "A", "trigger": "signature", "share": 1.0}]}},
            "entre guillemets",
        ),
        (
            {"payment_schedule": {"steps": [{"code": "a", "label": "A", "trigger": "jamais", "share": "1"}]}},
            "trigger » inconnu",
        ),
        ({"reminder_offsets_days": [7, 7]}, "jours distincts"),
        ({"variance_threshold": "-0.1"}, "seuil d'écart"),
        ({"final_report_months_after_end": "six"}, "nombre entier"),
        ({"interim_report": {"required": True, "at_fraction": "1"}}, "strictement entre"),
    ],
)
def test_invalid_agreements_section_is_a_french_error(changes, message):
    with pytest.raises(CallConfigError, match=message):
        CallConfig.from_yaml(_with_agreements(**changes))


# -- schedule -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("awarded", "amounts"),
    [
        ("62000.00", ["31000.00", "31000.00"]),
        ("30000.01", ["15000.01", "15000.00"]),  # half of 0.01 rounds up, the balance takes the rest
        ("0.01", ["0.01", "0.00"]),
    ],
)
def test_schedule_splits_the_award_and_the_balance_takes_the_rounding(awarded, amounts):
    planned = payment_schedule(awarded=D(awarded), config=CONFIG)
    assert [p.amount for p in planned] == [D(a) for a in amounts]
    assert sum(p.amount for p in planned) == D(awarded)


@given(awarded=st.decimals(min_value=0, max_value=62000, places=2), first=st.integers(min_value=1, max_value=99))
def test_schedule_always_adds_up_to_the_award(awarded, first):
    advance = D(first) / 100
    steps = (
        PaymentStep("avance", "Avance", PaymentTrigger.SIGNATURE, advance),
        PaymentStep("solde", "Solde", PaymentTrigger.FINAL_REPORT, D(1) - advance),
    )
    config = replace(CONFIG, agreements=replace(CONFIG.agreements, payment_schedule=steps))
    planned = payment_schedule(awarded=awarded, config=config)
    assert sum(p.amount for p in planned) == awarded
    assert all(p.amount >= 0 for p in planned)


# -- each payment ---------------------------------------------------------------------------------------------------
def _check(amount, *, paid=(), on=dt.date(2024, 12, 10), year=None, **kwargs):
    already = [Payment(D(a), dt.date(2024, 12, 1)) for a in paid]
    return _codes(
        payment_problems(
            awarded=D("62000"),
            already_paid=already,
            payment=Payment(D(amount), on, "CHORUS-1", year),
            config=CONFIG,
            **kwargs,
        )
    )


@pytest.mark.parametrize(
    ("amount", "paid", "codes"),
    [
        ("31000", (), []),
        ("62000", (), []),
        ("31000", ("31000",), []),
        ("31000.01", ("31000",), ["PAYMENT_OVER_AWARD"]),
        ("1", ("62000",), ["PAYMENT_OVER_AWARD"]),
        ("0", (), ["PAYMENT_NOT_POSITIVE"]),
        ("-10", (), ["PAYMENT_NOT_POSITIVE"]),
    ],
)
def test_payment_is_positive_and_never_exceeds_what_remains_of_the_award(amount, paid, codes):
    assert _check(amount, paid=paid) == codes


def test_payment_over_award_message_states_the_remaining_amount():
    problems = payment_problems(
        awarded=D("62000"),
        already_paid=[Payment(D("31000"), dt.date(2024, 12, 1))],
        payment=Payment(D("40000"), dt.date(2025, 1, 5)),
        config=CONFIG,
    )
    assert "31\u202f000\u00a0€" in problems[0].message


def test_accounting_year_is_the_year_of_the_payment_and_a_different_declared_year_is_refused():
    assert Payment(D("10"), dt.date(2024, 12, 31)).accounting_year == 2024
    assert _check("10", on=dt.date(2024, 12, 31), year=2024) == []
    problems = payment_problems(
        awarded=D("62000"), already_paid=[], payment=Payment(D("10"), dt.date(2025, 1, 2), "", 2024), config=CONFIG
    )
    assert _codes(problems) == ["PAYMENT_WRONG_YEAR"]
    assert "année comptable en cours (§1.4)" in problems[0].message


def test_payment_needs_a_convention_in_force_an_ej_and_a_date_not_in_the_future():
    assert _check("10", agreement_state="signee", has_commitment=True, today=dt.date(2024, 12, 10)) == []
    assert _check("10", agreement_state="envoyee") == ["PAYMENT_AGREEMENT_NOT_IN_FORCE"]
    assert _check("10", has_commitment=False) == ["PAYMENT_NOT_ENGAGED"]
    assert _check("10", today=dt.date(2024, 12, 9)) == ["PAYMENT_IN_FUTURE"]


def test_payment_with_more_than_two_decimals_is_a_french_error():
    with pytest.raises(AmountError, match="deux décimales"):
        _check("10.001")


def test_remaining_to_pay_is_the_award_minus_payments():
    payments = [Payment(D("31000"), dt.date(2024, 12, 1)), Payment(D("12000.50"), dt.date(2025, 6, 1))]
    assert total_paid(payments) == D("43000.50")
    assert remaining_to_pay(awarded=D("62000"), payments=payments) == D("18999.50")


@given(
    awarded=st.decimals(min_value=0, max_value=62000, places=2),
    attempts=st.lists(st.decimals(min_value=-100, max_value=70000, places=2), max_size=8),
)
def test_accepted_payments_never_exceed_the_award_and_remaining_stays_non_negative(awarded, attempts):
    accepted: list[Payment] = []
    for amount in attempts:
        payment = Payment(amount, dt.date(2025, 3, 1))
        if not payment_problems(awarded=awarded, already_paid=accepted, payment=payment, config=CONFIG):
            accepted.append(payment)
        assert total_paid(accepted) <= awarded
        assert remaining_to_pay(awarded=awarded, payments=accepted) >= 0
        assert total_paid(accepted) + remaining_to_pay(awarded=awarded, payments=accepted) == awarded


# -- settlement and reversal ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("awarded", "planned", "actual", "paid", "justified", "reversal", "balance"),
    [
        # Everything spent as planned: the balance is the second half.
        ("40000", "100000", "100000", "20000", "40000.00", "0.00", "20000.00"),
        # 80 % spent: the grant is justified at 80 %, the balance shrinks.
        ("40000", "100000", "80000", "20000", "32000.00", "0.00", "12000.00"),
        # 30 % spent after an advance of 50 %: 8 000 € to pay back.
        ("40000", "100000", "30000", "20000", "12000.00", "8000.00", "0.00"),
        # Overspending does not raise the grant.
        ("40000", "100000", "130000", "40000", "40000.00", "0.00", "0.00"),
        # Rounding half up to the cent: 1/3 share.
        ("10000", "30000", "10000.01", "0", "3333.34", "0.00", "3333.34"),
    ],
)
def test_settlement_justifies_the_grant_pro_rata_of_actual_eligible_expenses(
    awarded, planned, actual, paid, justified, reversal, balance
):
    result = grant_settlement(
        awarded=D(awarded), planned_total_expenses=D(planned), actual_eligible_expenses=D(actual), paid=D(paid)
    )
    assert (result.justified, result.reversal_due, result.balance_due) == (D(justified), D(reversal), D(balance))
    assert result.unspent == result.reversal_due
    assert _codes(result.reasons) == (["REVERSAL_DUE"] if D(reversal) else [])


def test_reversal_message_gives_the_amounts():
    result = grant_settlement(
        awarded=D("40000"), planned_total_expenses=D("100000"), actual_eligible_expenses=D("30000"), paid=D("20000")
    )
    assert result.is_reversal_due
    assert "Un reversement de 8\u202f000\u00a0€ est dû" in result.reasons[0].message


def test_settlement_refuses_an_empty_budget_or_a_grant_above_the_budget():
    with pytest.raises(AmountError, match="budget prévisionnel"):
        grant_settlement(awarded=D("1"), planned_total_expenses=D("0"), actual_eligible_expenses=D("0"), paid=D("0"))
    with pytest.raises(AmountError, match="dépasse le budget prévisionnel"):
        grant_settlement(awarded=D("10"), planned_total_expenses=D("5"), actual_eligible_expenses=D("5"), paid=D("0"))


@given(
    planned=st.decimals(min_value=D("0.01"), max_value=200000, places=2),
    share=st.decimals(min_value=0, max_value=1, places=4),
    actual=st.decimals(min_value=0, max_value=300000, places=2),
    paid_share=st.decimals(min_value=0, max_value=1, places=2),
)
def test_reversal_is_exactly_the_overpayment_and_the_grant_never_exceeds_the_award(planned, share, actual, paid_share):
    awarded = (planned * share).quantize(D("0.01"))
    paid = (awarded * paid_share).quantize(D("0.01"))
    if paid > awarded:
        paid = awarded
    result = grant_settlement(
        awarded=awarded, planned_total_expenses=planned, actual_eligible_expenses=actual, paid=paid
    )
    assert 0 <= result.justified <= awarded
    assert result.reversal_due == max(D(0), paid - result.justified)
    assert result.reversal_due >= 0 and result.balance_due >= 0
    assert paid - result.reversal_due + result.balance_due == result.justified
    assert result.reversal_due == 0 or result.balance_due == 0
