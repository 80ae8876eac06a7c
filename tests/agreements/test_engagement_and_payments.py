"""Engagement (EJ) and payments through the services: French refusals, Decimal arithmetic, accounting year, and
the alert on retained projects not engaged as the deadline approaches."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pactes.agreements.models import Payment
from pactes.agreements.selectors import agreement_rows, payment_summary
from pactes.agreements.services import AgreementRefused, PaymentRefused, agreement_commitment_set, payment_record
from pactes.rules.reminders import engagement_deadline

pytestmark = pytest.mark.django_db


def codes(refused) -> set[str]:
    return {r.code for r in refused.value.reasons}


def pay(agreement, by, amount: str, *, paid_on=None, **kwargs):
    return payment_record(
        agreement=agreement,
        amount=Decimal(amount),
        paid_on=paid_on or timezone.localdate(),
        reference=kwargs.pop("reference", "DP-1"),
        by=by,
        **kwargs,
    )


# -- engagement ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("number", ["210345678", "21034567890", "21034A6789", "２１０３４５６７８９"])
def test_an_ej_number_has_ten_ascii_digits(signed_agreement, accounts, number):
    with pytest.raises(AgreementRefused) as refused:
        agreement_commitment_set(
            agreement=signed_agreement, number=number, date=timezone.localdate(), by=accounts["instructeur.09"]
        )
    assert codes(refused) == {"COMMITMENT_INVALID"}
    assert "10 chiffres" in refused.value.reasons[0].message


def test_an_ej_is_recorded_with_its_date_spaces_removed(signed_agreement, accounts):
    agreement_commitment_set(
        agreement=signed_agreement, number="21 0345 6789", date=timezone.localdate(), by=accounts["instructeur.09"]
    )
    signed_agreement.refresh_from_db()
    assert signed_agreement.commitment_number == "2103456789" and signed_agreement.has_commitment


def test_an_ej_dated_in_the_future_or_by_another_departement_is_refused(signed_agreement, accounts):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(AgreementRefused) as refused:
        agreement_commitment_set(
            agreement=signed_agreement, number="2103456789", date=tomorrow, by=accounts["instructeur.09"]
        )
    assert codes(refused) == {"COMMITMENT_INVALID"}
    with pytest.raises(AgreementRefused) as refused:
        agreement_commitment_set(
            agreement=signed_agreement, number="2103456789", date=timezone.localdate(), by=accounts["instructeur.11"]
        )
    assert codes(refused) == {"COMMITMENT_NOT_ALLOWED"}


def test_the_list_alerts_on_retained_projects_not_engaged_near_and_after_the_deadline(
    engaged_agreement, retained_dossier, accounts
):
    deadline = engagement_deadline(engaged_agreement.dossier.call.rules)
    near = {r.dossier.departement.code: r for r in agreement_rows(accounts["dreets"], deadline - dt.timedelta(days=3))}
    assert near["09"].alerts == ()  # engaged
    assert [a.code for a in near["11"].alerts] == ["ENGAGEMENT_DEADLINE_NEAR"]
    assert near["11"].agreement is None and near["11"].awarded == Decimal("30000.00")
    late = {r.dossier.departement.code: r for r in agreement_rows(accounts["dreets"], deadline + dt.timedelta(days=1))}
    assert [a.code for a in late["11"].alerts] == ["ENGAGEMENT_DEADLINE_PASSED"]
    early = agreement_rows(accounts["dreets"], deadline - dt.timedelta(days=60))
    assert all(r.alerts == () for r in early)
    assert [r.dossier.departement.code for r in agreement_rows(accounts["instructeur.11"])] == ["11"]


# -- payments ------------------------------------------------------------------------------------------------------
def test_a_payment_needs_a_convention_in_force_and_an_ej(draft_agreement, accounts):
    with pytest.raises(PaymentRefused) as refused:
        pay(draft_agreement, accounts["instructeur.09"], "20000")
    assert codes(refused) == {"PAYMENT_AGREEMENT_NOT_IN_FORCE", "PAYMENT_NOT_ENGAGED"}
    assert not Payment.objects.exists()


def test_payments_add_up_to_the_award_and_never_beyond(engaged_agreement, accounts):
    instructor = accounts["instructeur.09"]
    pay(engaged_agreement, instructor, "20000.00", step_code="avance")
    pay(engaged_agreement, instructor, "19999.99", step_code="solde")
    summary = payment_summary(engaged_agreement)
    assert (summary.paid, summary.remaining) == (Decimal("39999.99"), Decimal("0.01"))
    assert [line.paid for line in summary.schedule] == [Decimal("20000.00"), Decimal("19999.99")]
    with pytest.raises(PaymentRefused) as refused:
        pay(engaged_agreement, instructor, "0.02")
    assert codes(refused) == {"PAYMENT_OVER_AWARD"}
    assert "0,01" in refused.value.reasons[0].message
    pay(engaged_agreement, instructor, "0.01")
    assert payment_summary(engaged_agreement).remaining == Decimal("0.00")


def test_the_accounting_year_defaults_to_the_payment_date_year_and_another_is_refused(engaged_agreement, accounts):
    today = timezone.localdate()
    payment = pay(engaged_agreement, accounts["instructeur.09"], "1000")
    assert payment.accounting_year == today.year
    with pytest.raises(PaymentRefused) as refused:
        pay(engaged_agreement, accounts["instructeur.09"], "1000", declared_year=today.year + 1)
    assert codes(refused) == {"PAYMENT_WRONG_YEAR"}


def test_a_payment_that_is_not_positive_or_in_the_future_is_refused(engaged_agreement, accounts):
    with pytest.raises(PaymentRefused) as refused:
        pay(engaged_agreement, accounts["instructeur.09"], "0")
    assert codes(refused) == {"PAYMENT_NOT_POSITIVE"}
    with pytest.raises(PaymentRefused) as refused:
        pay(engaged_agreement, accounts["instructeur.09"], "10", paid_on=timezone.localdate() + dt.timedelta(days=2))
    assert "PAYMENT_IN_FUTURE" in codes(refused)


def test_only_the_ddets_pp_of_the_departement_or_the_dreets_records_a_payment(engaged_agreement, accounts):
    for user in (accounts["porteur.ariege"], accounts["instructeur.11"], accounts["jury"]):
        with pytest.raises(PaymentRefused) as refused:
            pay(engaged_agreement, user, "100")
        assert codes(refused) == {"AGREEMENT_NOT_ALLOWED"}
    assert pay(engaged_agreement, accounts["dreets"], "100").amount == Decimal("100")


def test_a_stale_copy_of_the_convention_cannot_overpay(engaged_agreement, accounts):
    # Two pages loaded before either payment: the service re-reads the payments on the locked row.
    from pactes.agreements.models import Agreement

    first, second = (Agreement.objects.get(pk=engaged_agreement.pk) for _ in range(2))
    pay(first, accounts["instructeur.09"], "30000")
    with pytest.raises(PaymentRefused) as refused:
        pay(second, accounts["dreets"], "30000")
    assert codes(refused) == {"PAYMENT_OVER_AWARD"}
