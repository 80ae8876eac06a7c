"""Writes of the follow-up: progress notes and measured values by the applicant, reports and their lifecycle, and
the settlement on validation of the final report (balance payment or reversal, convention and dossier settled).

``report_transition`` moves a report through the one engine (``pactes.core.transitions.fire``, the only writer of
``Report.state``). E-mails are sent once the transaction is committed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.accounts.permissions import is_applicant_of, is_instructor_of
from pactes.agreements.models import Agreement, Payment
from pactes.agreements.services import AgreementRefused, agreement_settle, payment_record
from pactes.core.journal import journal_record
from pactes.core.transitions import TransitionRefused, fire, moment_problems
from pactes.dossiers.models import Action, Dossier, ExpenseLine, ImpactMeasure, ResourceKind, ResourceLine
from pactes.followup.models import (
    ActionProgress,
    IndicatorMeasurement,
    Report,
    ReportLine,
    Reversal,
)
from pactes.followup.notifications import report_returned_notify, report_submitted_notify, report_validated_notify
from pactes.followup.selectors import today_in
from pactes.rules.call_config import PaymentTrigger
from pactes.rules.followup import (
    StatementLine,
    StatementSide,
    StatementTotals,
    statement_problems,
    statement_totals,
)
from pactes.rules.formatting import date_short
from pactes.rules.lifecycle import DossierState
from pactes.rules.money import AmountError, euros
from pactes.rules.payments import GrantSettlement, grant_settlement, payment_schedule
from pactes.rules.report_lifecycle import REPORT_LIFECYCLE, ReportKind, ReportState, submit_transition_for
from pactes.rules.state_machine import Transition
from pactes.rules.verdict import Reason

logger = logging.getLogger(__name__)

FOLLOWUP_NOT_ALLOWED = "FOLLOWUP_NOT_ALLOWED"
FOLLOWUP_NOT_RETAINED = "FOLLOWUP_NOT_RETAINED"
MEASUREMENT_INVALID = "MEASUREMENT_INVALID"
PROGRESS_INVALID = "PROGRESS_INVALID"
REPORT_NOT_EDITABLE = "REPORT_NOT_EDITABLE"
REPORT_STATE_CHANGED = "REPORT_STATE_CHANGED"
REPORT_ASSESSMENT_MISSING = "REPORT_ASSESSMENT_MISSING"
STATEMENT_INCOMPLETE = "STATEMENT_INCOMPLETE"
SETTLEMENT_IMPOSSIBLE = "SETTLEMENT_IMPOSSIBLE"


class FollowupRefused(Exception):
    """The follow-up operation may not be done; ``reasons`` say why in French."""

    def __init__(self, reasons: list[Reason]) -> None:
        self.reasons = reasons
        super().__init__(" ".join(r.message for r in reasons))


def _refuse(code: str, message: str) -> FollowupRefused:
    return FollowupRefused([Reason(code, message)])


def _check_applicant(dossier: Dossier, by: User) -> None:
    if not is_applicant_of(by, dossier):
        raise _refuse(FOLLOWUP_NOT_ALLOWED, "Seuls les porteurs du dossier rendent compte de ses actions.")
    if dossier.state != DossierState.RETAINED.value:
        raise _refuse(FOLLOWUP_NOT_RETAINED, "Le suivi se saisit sur un dossier retenu, avant qu'il soit soldé.")


# -- measured values and progress -----------------------------------------------------------------------------------
@transaction.atomic
def measurement_record(
    *,
    measure: ImpactMeasure,
    value: Decimal,
    measured_on: dt.date,
    by: User,
    comment: str = "",
    at: dt.datetime | None = None,
) -> IndicatorMeasurement:
    """Records a measured value of an impact indicator, by an applicant of the retained dossier. ``at`` is when it
    was entered (now by default; it dates the report for lateness)."""
    action = measure.action
    dossier = action.dossier
    _check_applicant(dossier, by)
    if problems := moment_problems(at):
        raise FollowupRefused(problems)
    today = today_in(dossier.call.rules)
    if not value.is_finite():
        raise _refuse(MEASUREMENT_INVALID, "La valeur mesurée n'est pas un nombre.")
    if measured_on > today:
        raise _refuse(MEASUREMENT_INVALID, f"La date de la mesure ({date_short(measured_on)}) est dans le futur.")
    if action.start is not None and measured_on < action.start:
        raise _refuse(
            MEASUREMENT_INVALID,
            f"La date de la mesure ({date_short(measured_on)}) précède le début de l'action "
            f"({date_short(action.start)}).",
        )
    return IndicatorMeasurement.objects.create(
        measure=measure,
        value=value,
        measured_on=measured_on,
        comment=comment.strip(),
        entered_by=by,
        entered_at=at or timezone.now(),
    )


@transaction.atomic
def progress_record(*, action: Action, percent_done: int, text: str, reported_on: dt.date, by: User) -> ActionProgress:
    """Records where an action stands (text and % done) on a day, by an applicant of the retained dossier."""
    dossier = action.dossier
    _check_applicant(dossier, by)
    problems: list[Reason] = []
    if not 0 <= percent_done <= 100:
        problems.append(Reason(PROGRESS_INVALID, "Le taux de réalisation est compris entre 0 et 100 %."))
    if not text.strip():
        problems.append(Reason(PROGRESS_INVALID, "Décrivez l'avancement de l'action."))
    if reported_on > today_in(dossier.call.rules):
        problems.append(Reason(PROGRESS_INVALID, f"La date ({date_short(reported_on)}) est dans le futur."))
    if problems:
        raise FollowupRefused(problems)
    return ActionProgress.objects.create(
        action=action, reported_on=reported_on, percent_done=percent_done, text=text.strip(), entered_by=by
    )


# -- reports --------------------------------------------------------------------------------------------------------
def _resource_label(line: ResourceLine) -> str:
    kind = ResourceKind(line.kind).label if line.kind in ResourceKind.values else line.kind
    return f"{kind} — {line.funder}" if line.funder else kind


def _expense_label(line: ExpenseLine) -> str:
    parts = [p for p in (line.category, line.label) if p]
    return " — ".join(parts) or "Dépense"


@transaction.atomic
def report_open(*, dossier: Dossier, kind: str, by: User) -> Report:
    """The report of ``kind`` of the dossier, created as a draft the first time; the final report's financial
    statement starts from the filed budget (planned amounts), the actual amounts left to enter."""
    try:
        report_kind = ReportKind(kind)
    except ValueError as exc:
        raise _refuse(FOLLOWUP_NOT_ALLOWED, f"Le bilan « {kind} » n'existe pas.") from exc
    existing = Report.objects.filter(dossier=dossier, kind=report_kind.value).first()
    if existing is not None:
        return existing
    _check_applicant(dossier, by)
    if report_kind == ReportKind.INTERIM and not dossier.call.rules.agreements.interim_report_required:
        raise _refuse(FOLLOWUP_NOT_ALLOWED, "L'appel ne prévoit pas de bilan intermédiaire.")
    try:
        with transaction.atomic():
            report = Report.objects.create(dossier=dossier, kind=report_kind.value, created_by=by)
    except IntegrityError:
        return Report.objects.get(dossier=dossier, kind=report_kind.value)
    if report_kind == ReportKind.FINAL:
        lines = [
            ReportLine(
                report=report,
                position=index,
                side=StatementSide.EXPENSE.value,
                label=_expense_label(line),
                expense_line=line,
                planned=line.amount,
            )
            for index, line in enumerate(dossier.expenses.order_by("position", "pk"))
        ]
        lines += [
            ReportLine(
                report=report,
                position=index,
                side=StatementSide.RESOURCE.value,
                label=_resource_label(line),
                resource_line=line,
                is_state_grant=line.kind == ResourceKind.STATE_PTS,
                planned=line.amount,
            )
            for index, line in enumerate(dossier.resources.order_by("position", "pk"))
        ]
        ReportLine.objects.bulk_create(lines)
    return report


@dataclass(frozen=True)
class LineInput:
    actual: Decimal | None
    explanation: str = ""


@transaction.atomic
def report_update(
    *, report: Report, qualitative_assessment: str, lines: dict[int, LineInput] | None = None, by: User
) -> Report:
    """Saves the applicant's text and, for the final report, the actual amounts and explanations of the lines."""
    locked = Report.objects.select_for_update().select_related("dossier__call").get(pk=report.pk)
    _check_applicant(locked.dossier, by)
    if not locked.is_editable:
        raise _refuse(REPORT_NOT_EDITABLE, f"Le bilan est « {locked.state_label} » : il n'est plus modifiable.")
    locked.qualitative_assessment = qualitative_assessment.strip()
    locked.save(update_fields=["qualitative_assessment", "updated_at"])
    for line in locked.lines.all():
        given = (lines or {}).get(line.pk)
        if given is None:
            continue
        if given.actual is not None and given.actual < 0:
            raise _refuse(STATEMENT_INCOMPLETE, f"Ligne « {line.label} » : le réalisé ne peut pas être négatif.")
        line.actual = given.actual
        line.explanation = given.explanation.strip()
        line.save(update_fields=["actual", "explanation"])
    report.qualitative_assessment = locked.qualitative_assessment
    return locked


def statement_lines(report: Report) -> list[StatementLine]:
    """The lines of the financial statement as the rules read them (a missing actual counts as 0 here)."""
    return [
        StatementLine(
            label=line.label,
            planned=line.planned,
            actual=line.actual if line.actual is not None else Decimal("0.00"),
            side=StatementSide(line.side),
            explanation=line.explanation,
        )
        for line in report.lines.all()
    ]


def report_totals(report: Report) -> StatementTotals:
    return statement_totals(statement_lines(report))


def report_submission_problems(report: Report) -> list[Reason]:
    """Why the report may not be submitted yet: no assessment, actual amounts missing, variances unexplained."""
    problems: list[Reason] = []
    if not report.qualitative_assessment.strip():
        problems.append(
            Reason(REPORT_ASSESSMENT_MISSING, "Rédigez le bilan qualitatif des actions avant de remettre le bilan.")
        )
    if report.is_final:
        missing = [line.label for line in report.lines.all() if line.actual is None]
        if missing:
            problems.append(
                Reason(
                    STATEMENT_INCOMPLETE,
                    "Saisissez le montant réalisé de chaque ligne du compte rendu financier (manquant : "
                    + ", ".join(f"« {label} »" for label in missing)
                    + ").",
                )
            )
        problems += statement_problems(statement_lines(report), config=report.dossier.call.rules)
    return problems


def report_settlement(report: Report) -> GrantSettlement | None:
    """The settlement of the grant from the final report: awarded, paid, justified, balance or reversal due.

    None while there is no convention or the report is not final; raises ``FollowupRefused`` when the figures do
    not allow the computation (e.g. a nil planned budget).
    """
    if not report.is_final:
        return None
    agreement = getattr(report.dossier, "agreement", None)
    if agreement is None:
        return None
    totals = report_totals(report)
    paid = sum((p.amount for p in agreement.payments.all()), Decimal("0.00"))
    try:
        return grant_settlement(
            awarded=agreement.awarded_amount,
            planned_total_expenses=totals.planned_expenses,
            actual_eligible_expenses=totals.actual_expenses,
            paid=paid,
        )
    except AmountError as exc:
        raise _refuse(SETTLEMENT_IMPOSSIBLE, str(exc)) from exc


def report_transition(
    *, report: Report, transition: str, by: User, reason: str = "", at: dt.datetime | None = None
) -> Report:
    """Fires ``transition`` through the one engine (locked row, stale state refused, logged at ``at``: now by
    default; an explicit moment is only for acts recorded afterwards, never in the future), after the scope of
    ``by`` and the dossier's state are checked."""

    def prepare(locked: Report, move: Transition) -> list[Reason]:
        dossier = locked.dossier
        allowed = (
            is_applicant_of(by, dossier) if by.role == Role.APPLICANT else is_instructor_of(by, dossier.departement_id)
        )
        if not allowed:
            return [Reason(FOLLOWUP_NOT_ALLOWED, "Ce dossier ne relève pas de votre périmètre.")]
        if dossier.state != DossierState.RETAINED.value:
            return [Reason(FOLLOWUP_NOT_RETAINED, "Les bilans se traitent sur un dossier retenu non soldé.")]
        if move.target == ReportState.RETURNED:
            locked.return_motivation = reason.strip()
        return []

    try:
        locked = fire(
            obj=report, lifecycle=REPORT_LIFECYCLE, code=transition, by=by, reason=reason, at=at, prepare=prepare
        )
    except TransitionRefused as exc:
        raise FollowupRefused(exc.reasons) from exc
    report.return_motivation = locked.return_motivation
    return locked


def report_submit(*, report: Report, by: User, at: dt.datetime | None = None) -> Report:
    """The applicant submits the report (at ``at``, now by default); refused while the assessment or the statement
    is incomplete."""
    with transaction.atomic():
        problems = report_submission_problems(report)
        if problems:
            raise FollowupRefused(problems)
        submitted = report_transition(report=report, transition=submit_transition_for(report.state), by=by, at=at)
        dossier = submitted.dossier
        report_submitted_notify(report=submitted, dossier=dossier)
    return submitted


def report_return(*, report: Report, motivation: str, by: User) -> Report:
    """The DDETS-PP sends the report back to the applicant, with a motivation (e-mailed to the applicants)."""
    with transaction.atomic():
        returned = report_transition(report=report, transition="return", by=by, reason=motivation)
        dossier = returned.dossier
        report_returned_notify(report=returned, dossier=dossier, motivation=motivation.strip())
    return returned


@dataclass(frozen=True)
class ValidationOutcome:
    report: Report
    settlement: GrantSettlement | None = None
    payment: Payment | None = None
    reversal: Reversal | None = None
    balance_requested: bool = False  # the final report's balance is put into payment (« mise en paiement demandée »)


def _step_code(agreement: Agreement, trigger: PaymentTrigger) -> tuple[str, Decimal] | None:
    dossier = agreement.dossier
    for step in payment_schedule(awarded=agreement.awarded_amount, config=dossier.call.rules):
        if step.trigger == trigger:
            return step.code, step.amount
    return None


def report_validate(
    *,
    report: Report,
    by: User,
    reversal_reference: str = "",
    on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> ValidationOutcome:
    """The DDETS-PP validates the report. For the final report, in the same transaction: the grant finally due is
    fixed; a balance to pay is put into payment (the convention is settled when it is paid), a reversal is claimed
    back and the convention and the dossier are settled (soldés), as with a nil balance. ``on`` is the
    date of the validation (today by default; an earlier date when recording a decision taken on paper); ``at`` the
    moment the transitions are logged at (now by default; when given without ``on``, its date is the validation's).
    """
    with transaction.atomic():
        dossier = Dossier.objects.select_related("call").get(pk=report.dossier_id)
        if on is None and at is not None and timezone.is_aware(at):
            on = at.astimezone(dossier.call.rules.timezone).date()
        today = on or today_in(dossier.call.rules)
        agreement = getattr(dossier, "agreement", None)
        if report.kind == ReportKind.FINAL.value and agreement is None:
            raise _refuse(
                SETTLEMENT_IMPOSSIBLE, "Le dossier n'a pas de convention : le bilan final ne peut être soldé."
            )
        validated = report_transition(report=report, transition="validate", by=by, at=at)
        outcome = ValidationOutcome(report=validated)
        try:
            if validated.kind == ReportKind.INTERIM.value and agreement is not None:
                outcome = _interim_payment(validated, agreement, by, today)
            elif validated.kind == ReportKind.FINAL.value:
                outcome = _settle(validated, agreement, by, today, reversal_reference)
        except AgreementRefused as exc:  # PaymentRefused included
            raise FollowupRefused(exc.reasons) from exc
        except TransitionRefused as exc:
            raise FollowupRefused(exc.reasons) from exc
        report_validated_notify(report=validated, dossier=dossier, outcome=outcome)
    return outcome


def _interim_payment(report: Report, agreement: Agreement, by: User, today: dt.date) -> ValidationOutcome:
    # When the call's schedule ties a payment to the interim report, its validation makes it due.
    step = _step_code(agreement, PaymentTrigger.INTERIM_REPORT)
    if step is None:
        return ValidationOutcome(report=report)
    code, amount = step
    if agreement.payments.filter(step_code=code).exists():
        return ValidationOutcome(report=report)
    payment = payment_record(
        agreement=agreement,
        amount=amount,
        paid_on=today,
        reference=f"INTER-{report.dossier.reference}",
        by=by,
        step_code=code,
    )
    return ValidationOutcome(report=report, payment=payment)


def _settle(
    report: Report, agreement: Agreement, by: User, today: dt.date, reversal_reference: str
) -> ValidationOutcome:
    """Validating the final report fixes the grant finally due (ADR 0017): a balance still to pay is « mis en
    paiement » (requested; the payment is recorded when made, and it settles the convention); a reversal is claimed
    back (titre de perception) and, like a nil balance, settles the convention at once."""
    settlement = report_settlement(report)
    assert settlement is not None
    dossier = report.dossier
    reversal = None
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    locked.final_amount = settlement.justified
    locked.balance_requested_on = today if settlement.balance_due > 0 else None
    locked.save(update_fields=["final_amount", "balance_requested_on", "updated_at"])
    if settlement.reversal_due > 0:
        reversal = Reversal.objects.create(
            dossier=dossier,
            report=report,
            amount=settlement.reversal_due,
            reference=reversal_reference.strip() or f"REVERSEMENT-{dossier.reference}",
            recorded_on=today,
            recorded_by=by,
        )
        journal_record(reversal, by=by)
    if settlement.balance_due <= 0:
        agreement_settle(agreement=locked, by=by, on=today)
    logger.info(
        "Bilan final du dossier %s validé : solde mis en paiement %s, reversement %s.",
        dossier.reference,
        euros(settlement.balance_due),
        euros(settlement.reversal_due),
    )
    return ValidationOutcome(
        report=report, settlement=settlement, reversal=reversal, balance_requested=settlement.balance_due > 0
    )
