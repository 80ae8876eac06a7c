"""Interim and final reports: submission blocked by unexplained variances, return with a motivation, validation of
the final report settling the grant (balance payment or reversal), the convention and the dossier."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from pactes.agreements.models import Payment
from pactes.agreements.selectors import payment_summary
from pactes.agreements.services import AgreementRefused, agreement_transition, payment_record
from pactes.followup.models import Report, Reversal
from pactes.followup.services import (
    FollowupRefused,
    LineInput,
    report_open,
    report_return,
    report_settlement,
    report_submit,
    report_update,
    report_validate,
)
from pactes.rules.agreement import AgreementState
from pactes.rules.lifecycle import DossierState

pytestmark = pytest.mark.django_db


def fill(report: Report, by, ratio: Decimal = Decimal("1"), explanation: str = "") -> Report:
    """Actual = planned × ratio on every line, with the same explanation."""
    lines = {
        line.pk: LineInput(actual=(line.planned * ratio).quantize(Decimal("0.01")), explanation=explanation)
        for line in report.lines.all()
    }
    return report_update(
        report=report,
        qualitative_assessment="Vingt familles accompagnées ; ateliers tenus dans huit communes.",
        lines=lines,
        by=by,
    )


@pytest.fixture
def final_report(paid_agreement, accounts) -> Report:
    return report_open(dossier=paid_agreement.dossier, kind="final", by=accounts["porteur.ariege"])


def test_the_final_report_starts_from_the_filed_budget(final_report):
    expenses = final_report.lines.filter(side="charge")
    resources = final_report.lines.filter(side="produit")
    assert sum(line.planned for line in expenses) == Decimal("124000.00")
    assert resources.filter(is_state_grant=True).count() == 1
    assert all(line.actual is None for line in final_report.lines.all())


def test_submission_is_blocked_while_actual_amounts_are_missing(final_report, accounts):
    with pytest.raises(FollowupRefused) as refused:
        report_submit(report=final_report, by=accounts["porteur.ariege"])
    codes = {r.code for r in refused.value.reasons}
    assert {"REPORT_ASSESSMENT_MISSING", "STATEMENT_INCOMPLETE"} <= codes


def test_submission_is_blocked_by_an_unexplained_variance(final_report, accounts):
    fill(final_report, accounts["porteur.ariege"])
    line = final_report.lines.filter(side="charge").first()
    report_update(
        report=final_report,
        qualitative_assessment="Bilan.",
        lines={line.pk: LineInput(actual=line.planned / 2, explanation="")},
        by=accounts["porteur.ariege"],
    )
    with pytest.raises(FollowupRefused) as refused:
        report_submit(report=final_report, by=accounts["porteur.ariege"])
    assert [r.code for r in refused.value.reasons] == ["VARIANCE_UNEXPLAINED"]
    final_report.refresh_from_db()
    assert final_report.state == "brouillon"


def test_an_explained_variance_lets_the_report_be_submitted_and_the_instructors_are_told(
    final_report, accounts, django_capture_on_commit_callbacks
):
    fill(final_report, accounts["porteur.ariege"], Decimal("0.5"), "Recrutement tardif de l'auxiliaire.")
    with django_capture_on_commit_callbacks(execute=True):
        submitted = report_submit(report=final_report, by=accounts["porteur.ariege"])
    assert submitted.state == "remis" and submitted.submitted_at is not None
    assert [m.to for m in mail.outbox] == [["instructeur.09@demo.test"]]


def test_the_instructor_returns_the_report_with_a_motivation_e_mailed_to_the_applicants(
    final_report, accounts, django_capture_on_commit_callbacks
):
    fill(final_report, accounts["porteur.ariege"])
    report_submit(report=final_report, by=accounts["porteur.ariege"])
    with pytest.raises(FollowupRefused):
        report_return(report=final_report, motivation="", by=accounts["instructeur.09"])
    with django_capture_on_commit_callbacks(execute=True):
        returned = report_return(
            report=final_report,
            motivation="Joignez les justificatifs de frais de personnel.",
            by=accounts["instructeur.09"],
        )
    assert returned.state == "renvoye"
    assert returned.return_motivation == "Joignez les justificatifs de frais de personnel."
    assert "Joignez les justificatifs" in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["porteur.ariege@demo.test"]
    resubmitted = report_submit(report=returned, by=accounts["porteur.ariege"])
    assert resubmitted.state == "remis"
    assert [t.transition for t in resubmitted.transitions.all()] == ["submit", "return", "resubmit"]


def test_an_instructor_of_another_departement_cannot_validate(final_report, accounts):
    fill(final_report, accounts["porteur.ariege"])
    report_submit(report=final_report, by=accounts["porteur.ariege"])
    with pytest.raises(FollowupRefused) as refused:
        report_validate(report=final_report, by=accounts["instructeur.11"])
    assert [r.code for r in refused.value.reasons] == ["FOLLOWUP_NOT_ALLOWED"]


def test_settlement_arithmetic_through_the_service(final_report, accounts):
    fill(final_report, accounts["porteur.ariege"], Decimal("0.25"), "Action réduite de moitié.")
    settlement = report_settlement(final_report)
    # 31 000 € spent of 124 000 € planned: 31 000 × 40 000 / 124 000 = 10 000 € justified; 20 000 € paid.
    assert settlement.actual_eligible_expenses == Decimal("31000.00")
    assert settlement.justified == Decimal("10000.00")
    assert settlement.reversal_due == Decimal("10000.00") and settlement.balance_due == Decimal("0.00")


def test_validating_the_final_report_puts_the_balance_into_payment_and_its_payment_settles(
    final_report, accounts, django_capture_on_commit_callbacks
):
    """Issue 16 (3): validation makes the balance due; the payment is recorded when made; then it is settled."""
    fill(final_report, accounts["porteur.ariege"])
    report_submit(report=final_report, by=accounts["porteur.ariege"])
    with django_capture_on_commit_callbacks(execute=True):
        outcome = report_validate(report=final_report, by=accounts["instructeur.09"])
    dossier = final_report.dossier
    dossier.refresh_from_db()
    agreement = dossier.agreement
    agreement.refresh_from_db()
    assert outcome.balance_requested and outcome.payment is None
    assert not Payment.objects.filter(agreement=agreement, step_code="solde").exists()
    assert agreement.final_amount == Decimal("40000.00")
    assert agreement.balance_requested_on == timezone.localdate()
    assert agreement.state == AgreementState.SIGNED and dossier.state == DossierState.RETAINED
    summary = payment_summary(agreement)
    assert summary.remaining == Decimal("20000.00") and summary.is_balance_awaiting_payment
    assert "Le solde de 20" in mail.outbox[-1].body and "est mis en paiement" in mail.outbox[-1].body
    assert "soldés" not in mail.outbox[-1].body

    # A manual « Solder » before the payment is refused.
    with pytest.raises(AgreementRefused) as refused:
        agreement_transition(agreement=agreement, transition="settle", by=accounts["instructeur.09"])
    assert [r.code for r in refused.value.reasons] == ["AGREEMENT_BALANCE_UNPAID"]

    # The payment, when made, with its own date and reference: the convention and the dossier are settled.
    paid_on = timezone.localdate()
    payment_record(
        agreement=agreement,
        amount=Decimal("20000.00"),
        paid_on=paid_on,
        reference="DP-2026-000123",
        by=accounts["dreets"],
        step_code="solde",
    )
    agreement.refresh_from_db()
    dossier.refresh_from_db()
    assert agreement.state == AgreementState.SETTLED and agreement.settled_on == paid_on
    assert dossier.state == DossierState.SETTLED
    assert payment_summary(agreement).remaining == Decimal("0.00")
    assert not Reversal.objects.exists()


def test_the_balance_due_caps_the_payments_once_the_final_report_is_validated(final_report, accounts):
    fill(final_report, accounts["porteur.ariege"], Decimal("0.75"), "Une action décalée.")
    report_submit(report=final_report, by=accounts["porteur.ariege"])
    outcome = report_validate(report=final_report, by=accounts["instructeur.09"])
    agreement = final_report.dossier.agreement
    agreement.refresh_from_db()
    remaining = payment_summary(agreement).remaining
    assert remaining == outcome.settlement.balance_due > 0
    with pytest.raises(AgreementRefused) as refused:
        payment_record(
            agreement=agreement,
            amount=remaining + Decimal("0.01"),
            paid_on=timezone.localdate(),
            reference="DP-X",
            by=accounts["instructeur.09"],
        )
    assert "PAYMENT_OVER_AWARD" in [r.code for r in refused.value.reasons]


def test_validating_an_underspent_final_report_records_the_reversal_and_settles(final_report, accounts):
    fill(final_report, accounts["porteur.ariege"], Decimal("0.25"), "Action réduite de moitié.")
    report_submit(report=final_report, by=accounts["porteur.ariege"])
    outcome = report_validate(report=final_report, by=accounts["instructeur.09"], reversal_reference="TP-2026-0042")
    reversal = Reversal.objects.get()
    assert reversal.amount == Decimal("10000.00") == outcome.reversal.amount
    assert reversal.reference == "TP-2026-0042" and reversal.report == final_report
    dossier = final_report.dossier
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SETTLED
    assert dossier.agreement.state == AgreementState.SETTLED
    assert not Payment.objects.filter(step_code="solde").exists()


def test_the_interim_report_has_no_statement_and_validation_keeps_the_dossier_open(paid_agreement, accounts):
    interim = report_open(dossier=paid_agreement.dossier, kind="intermediaire", by=accounts["porteur.ariege"])
    assert not interim.lines.exists()
    report_update(report=interim, qualitative_assessment="Mi-parcours : 12 familles.", by=accounts["porteur.ariege"])
    report_submit(report=interim, by=accounts["porteur.ariege"])
    outcome = report_validate(report=interim, by=accounts["instructeur.09"])
    assert outcome.report.state == "valide" and outcome.payment is None
    paid_agreement.dossier.refresh_from_db()
    assert paid_agreement.dossier.state == DossierState.RETAINED
