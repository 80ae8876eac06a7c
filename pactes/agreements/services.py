"""Writes on conventions. ``agreement_transition`` moves a convention through the one engine
(``pactes.core.transitions.fire``, the only writer of ``Agreement.state``); ``payment_record`` is the only writer of
payments. Both lock the convention's row and check the rules of ``pactes.rules`` first. Sending a convention queues
its e-mail in the same transaction (``pactes.agreements.notifications``), sent once committed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import IO

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.accounts.permissions import is_applicant_of, is_instructor_of
from pactes.agreements.documents import agreement_docx, agreement_pdf, default_template_body
from pactes.agreements.models import DATE_FIELDS, Agreement, AgreementTemplate, Payment
from pactes.agreements.notifications import agreement_sent_notify
from pactes.calls.models import Call
from pactes.committee.selectors import retained_decision
from pactes.core.document_sandbox import document_template_problems
from pactes.core.journal import journal_record
from pactes.core.transitions import TransitionRefused, fire, moment_problems
from pactes.dossiers.attachments import AttachmentRefused, attachment_check
from pactes.dossiers.models import Dossier
from pactes.dossiers.services import dossier_transition
from pactes.rules.agreement import (
    AGREEMENT_LIFECYCLE,
    AGREEMENT_STATE_DATES,
    AgreementState,
    is_agreement_editable,
)
from pactes.rules.formatting import date_short
from pactes.rules.lifecycle import DossierState
from pactes.rules.money import AmountError, check_amount, euros
from pactes.rules.payments import Payment as PaymentFact
from pactes.rules.payments import payment_problems
from pactes.rules.state_machine import Transition
from pactes.rules.verdict import Reason

AGREEMENT_NOT_RETAINED = "AGREEMENT_NOT_RETAINED"
AGREEMENT_NO_DECISION = "AGREEMENT_NO_DECISION"
AGREEMENT_NOT_EDITABLE = "AGREEMENT_NOT_EDITABLE"
AGREEMENT_NOT_ALLOWED = "AGREEMENT_NOT_ALLOWED"
AGREEMENT_STATE_CHANGED = "AGREEMENT_STATE_CHANGED"
AGREEMENT_DATE_INVALID = "AGREEMENT_DATE_INVALID"
AGREEMENT_SCAN_INVALID = "AGREEMENT_SCAN_INVALID"
AGREEMENT_NOT_SETTLEABLE = "AGREEMENT_NOT_SETTLEABLE"
AGREEMENT_BALANCE_UNPAID = "AGREEMENT_BALANCE_UNPAID"
COMMITMENT_NOT_ALLOWED = "COMMITMENT_NOT_ALLOWED"
COMMITMENT_INVALID = "COMMITMENT_INVALID"

# The states whose date a person may give (a signature's date is the one written on the document).
DATE_OF_TARGET: dict[AgreementState, str] = {
    AgreementState.SENT: "sent_on",
    AgreementState.SIGNED_BY_APPLICANT: "applicant_signed_on",
    AgreementState.SIGNED: "state_signed_on",
    AgreementState.SETTLED: "settled_on",
    AgreementState.TERMINATED: "terminated_on",
}
# Transitions going back: the dates the target state does not require are cleared.
REWINDING_TARGETS: frozenset[AgreementState] = frozenset(
    {AgreementState.DRAFT, AgreementState.SENT, AgreementState.SIGNED_BY_APPLICANT, AgreementState.SIGNED}
)


class AgreementRefused(Exception):
    """The operation on a convention may not be done; ``reasons`` say why in French."""

    def __init__(self, reasons: list[Reason]) -> None:
        self.reasons = reasons
        super().__init__(" ".join(r.message for r in reasons))


class PaymentRefused(AgreementRefused):
    """The payment may not be recorded; ``reasons`` say why in French (PAYMENT_OVER_AWARD…)."""


def today_for(call: Call) -> dt.date:
    """Today in the call's time zone (Europe/Paris)."""
    return timezone.now().astimezone(call.rules.timezone).date()


def _may_act(user: User, dossier: Dossier) -> bool:
    """Scope of the acting user: applicants of the dossier, instructors of its département, the DREETS."""
    return is_instructor_of(user, dossier.departement_id) or is_applicant_of(user, dossier) or user.role == Role.DREETS


# -- the awarded amount -------------------------------------------------------------------------------------------
# -- templates ----------------------------------------------------------------------------------------------------
@transaction.atomic
def agreement_template_save(*, call: Call, body: str, by: User | None, note: str = "") -> AgreementTemplate:
    """A new version of the call's template becomes the current one; older versions are kept. A body that the
    document sandbox refuses (``|safe``, ``load``, ``include``, a ``<link>``…, ADR 0030) is refused with its reasons."""
    if problems := document_template_problems(body):
        raise AgreementRefused([Reason("TEMPLATE_REFUSED", problem) for problem in problems])
    Call.objects.select_for_update().get(pk=call.pk)  # one new version at a time per call
    last = AgreementTemplate.objects.filter(call=call).order_by("-version").first()
    AgreementTemplate.objects.filter(call=call, is_current=True).update(is_current=False)
    return AgreementTemplate.objects.create(
        call=call, version=(last.version + 1) if last else 1, body=body, note=note, created_by=by, is_current=True
    )


def agreement_template_current(*, call: Call) -> AgreementTemplate:
    """The current template of the call, seeded with the default body when the call has none yet."""
    current = AgreementTemplate.objects.filter(call=call, is_current=True).first()
    if current is not None:
        return current
    return agreement_template_save(
        call=call, body=default_template_body(), by=None, note="Modèle par défaut de la plateforme"
    )


# -- generation ---------------------------------------------------------------------------------------------------
@transaction.atomic
def agreement_generate(*, dossier: Dossier, by: User, at: dt.datetime | None = None) -> Agreement:
    """Draws up (or redraws, while a draft) the convention of a retained dossier: PDF and DOCX from the template,
    stamped ``at`` (now by default; an explicit moment is only for acts recorded afterwards, never in the future).

    The first generation takes the call's current template and the awarded amount of the committee's decision; a
    regeneration keeps the template version it started from (and refreshes the amount and the dossier's content).
    """
    if moment_problems(at):
        raise AgreementRefused(moment_problems(at))
    locked = Dossier.objects.select_for_update().select_related("call", "organisation").get(pk=dossier.pk)
    if not (is_instructor_of(by, locked.departement_id) or by.role == Role.DREETS):
        raise AgreementRefused(
            [Reason(AGREEMENT_NOT_ALLOWED, "Seule la DDETS-PP du département ou la DREETS établit la convention.")]
        )
    if locked.state != DossierState.RETAINED.value:
        raise AgreementRefused(
            [Reason(AGREEMENT_NOT_RETAINED, "Une convention n'est établie que pour un dossier retenu par le comité.")]
        )
    decision = retained_decision(locked)
    if decision is None or decision.awarded_amount is None:
        raise AgreementRefused(
            [
                Reason(
                    AGREEMENT_NO_DECISION,
                    "Aucune décision « retenu » d'une séance close du comité ne fixe le montant attribué.",
                )
            ]
        )
    agreement = Agreement.objects.select_for_update().filter(dossier=locked).first()
    if agreement is None:
        agreement = Agreement(
            dossier=locked,
            awarded_amount=decision.awarded_amount,
            template=agreement_template_current(call=locked.call),
            created_by=by,
        )
    elif not is_agreement_editable(agreement.state):
        raise AgreementRefused(
            [
                Reason(
                    AGREEMENT_NOT_EDITABLE,
                    f"La convention est à l'état « {agreement.state_label} » : elle ne peut plus être régénérée.",
                )
            ]
        )
    else:
        agreement.awarded_amount = decision.awarded_amount
    if agreement.template is None:
        agreement.template = agreement_template_current(call=locked.call)
    agreement.generated_at = at or timezone.now()
    agreement.generated_by = by
    agreement.generation_count += 1
    agreement.dossier = locked
    old_files = [f.name for f in (agreement.pdf_file, agreement.docx_file) if f]
    pdf = agreement_pdf(agreement=agreement)
    docx = agreement_docx(agreement=agreement)
    stem = f"convention-{locked.reference}-{agreement.generation_count}-{uuid.uuid4().hex[:8]}"
    agreement.pdf_file.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    agreement.docx_file.save(f"{stem}.docx", ContentFile(docx), save=False)
    agreement.save()
    storage = agreement.pdf_file.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in old_files])
    return agreement


# -- lifecycle ----------------------------------------------------------------------------------------------------
@transaction.atomic
def agreement_transition(
    *,
    agreement: Agreement,
    transition: str,
    by: User,
    reason: str = "",
    on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Agreement:
    """Fires ``transition`` through the one engine (locked row, stale state refused, logged), after the scope of
    ``by`` and the date of the target state (``on``, default today) are checked and set.

    ``on`` is the date written on the document for a signature; it may not be in the future nor before the
    previous step's date. ``at`` is the moment of the log (now by default; an explicit moment is only for acts
    recorded afterwards, never in the future).
    """

    def prepare(locked: Agreement, move: Transition) -> list[Reason]:
        if not _may_act(by, locked.dossier):
            return [Reason(AGREEMENT_NOT_ALLOWED, "Cette convention ne relève pas de votre périmètre.")]
        if move.target == AgreementState.SETTLED:
            problems = settlement_problems(locked)
            if problems:
                return problems
        return _dates_set(locked, AgreementState(move.target), on)

    try:
        locked = fire(
            obj=agreement,
            lifecycle=AGREEMENT_LIFECYCLE,
            code=transition,
            by=by,
            reason=reason,
            at=at,
            prepare=prepare,
        )
    except TransitionRefused as exc:
        raise AgreementRefused(exc.reasons) from exc
    if transition == "send":
        agreement_sent_notify(agreement=locked)  # queued in this transaction, sent once committed
    for name in DATE_FIELDS:
        setattr(agreement, name, getattr(locked, name))
    return locked


def _dates_set(locked: Agreement, target: AgreementState, on: dt.date | None) -> list[Reason]:
    """Sets the date of the target state on the locked convention (clears those a step back does not keep), or
    says why the date is refused."""
    today = today_for(locked.dossier.call)
    day = on or today
    date_field = DATE_OF_TARGET.get(target)
    if date_field is not None:
        previous = [getattr(locked, n) for n in AGREEMENT_STATE_DATES[target] if n != date_field]
        previous = [d for d in previous if d is not None]
        if day > today:
            return [Reason(AGREEMENT_DATE_INVALID, f"La date du {date_short(day)} est dans le futur.")]
        if previous and day < max(previous):
            return [
                Reason(
                    AGREEMENT_DATE_INVALID,
                    f"La date du {date_short(day)} précède celle de l'étape précédente ({date_short(max(previous))}).",
                )
            ]
        setattr(locked, date_field, day)
    if target in REWINDING_TARGETS:
        for name in DATE_FIELDS:
            if name not in AGREEMENT_STATE_DATES[target]:
                setattr(locked, name, None)
    return []


@transaction.atomic
def agreement_signed_scan_upload(
    *,
    agreement: Agreement,
    name: str,
    stream: IO[bytes],
    by: User,
    signed_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Agreement:
    """Stores the convention signed by the applicant (a PDF, checked by its content) and records the signature
    (uploaded ``at``, now by default)."""
    try:
        checked = attachment_check(name=name, stream=stream)
    except AttachmentRefused as exc:
        raise AgreementRefused([Reason(AGREEMENT_SCAN_INVALID, str(exc))]) from exc
    if checked.format.code != "pdf":
        raise AgreementRefused(
            [
                Reason(
                    AGREEMENT_SCAN_INVALID, f"Déposez la convention signée en PDF (« {checked.name} » n'en est pas un)."
                )
            ]
        )
    updated = agreement_transition(
        agreement=agreement, transition="upload_applicant_signature", by=by, on=signed_on, at=at
    )
    stream.seek(0)
    old = updated.signed_scan.name if updated.signed_scan else ""
    updated.signed_scan.save(f"convention-signee-{uuid.uuid4().hex}.pdf", File(stream), save=False)
    updated.signed_scan_name = checked.name
    updated.signed_scan_sha256 = checked.sha256
    updated.signed_scan_uploaded_by = by
    updated.signed_scan_uploaded_at = at or timezone.now()
    updated.save()
    journal_record(updated, by=by)
    if old:
        storage = updated.signed_scan.storage
        transaction.on_commit(lambda: storage.delete(old))
    agreement.signed_scan = updated.signed_scan
    return updated


# -- engagement ---------------------------------------------------------------------------------------------------
@transaction.atomic
def agreement_commitment_set(*, agreement: Agreement, number: str, date: dt.date, by: User) -> Agreement:
    """Records the legal commitment (EJ, Chorus) entered by the DDETS-PP: 10 digits and a date not in the future."""
    locked = Agreement.objects.select_for_update().select_related("dossier__call").get(pk=agreement.pk)
    if not (is_instructor_of(by, locked.dossier.departement_id) or by.role == Role.DREETS):
        raise AgreementRefused(
            [Reason(COMMITMENT_NOT_ALLOWED, "Seule la DDETS-PP du département saisit l'engagement juridique.")]
        )
    problems: list[Reason] = []
    number = "".join(number.split())
    if not (len(number) == 10 and number.isascii() and number.isdigit()):
        problems.append(
            Reason(
                COMMITMENT_INVALID,
                "Le numéro d'engagement juridique (EJ) compte 10 chiffres, sans lettre (ex. : 2103456789).",
            )
        )
    if date > today_for(locked.dossier.call):
        problems.append(Reason(COMMITMENT_INVALID, f"La date de l'engagement ({date_short(date)}) est dans le futur."))
    if locked.state in (AgreementState.ABANDONED, AgreementState.TERMINATED):
        problems.append(
            Reason(COMMITMENT_INVALID, f"La convention est « {locked.state_label} » : aucun engagement n'est possible.")
        )
    if problems:
        raise AgreementRefused(problems)
    locked.commitment_number = number
    locked.commitment_date = date
    locked.commitment_entered_by = by
    locked.save()
    journal_record(locked, by=by)
    agreement.commitment_number, agreement.commitment_date = number, date
    return locked


# -- payments -----------------------------------------------------------------------------------------------------
def payment_facts(agreement: Agreement) -> list[PaymentFact]:
    return [
        PaymentFact(amount=p.amount, paid_on=p.paid_on, reference=p.reference, declared_year=p.accounting_year)
        for p in agreement.payments.all()
    ]


@transaction.atomic
def payment_record(
    *,
    agreement: Agreement,
    amount: Decimal,
    paid_on: dt.date,
    reference: str,
    by: User,
    declared_year: int | None = None,
    step_code: str = "",
    at: dt.datetime | None = None,
) -> Payment:
    """Records a payment on the locked convention; never beyond what is due (``PaymentRefused`` otherwise). The
    payment that completes the balance put into payment settles the convention and its dossier (logged at ``at``,
    now by default; an explicit moment is only for acts recorded afterwards)."""
    locked = Agreement.objects.select_for_update().select_related("dossier__call").get(pk=agreement.pk)
    rules = locked.dossier.call.rules
    if not (is_instructor_of(by, locked.dossier.departement_id) or by.role == Role.DREETS):
        raise PaymentRefused(
            [Reason(AGREEMENT_NOT_ALLOWED, "Seule la DDETS-PP du département ou la DREETS enregistre un versement.")]
        )
    try:
        fact = PaymentFact(amount=amount, paid_on=paid_on, reference=reference, declared_year=declared_year)
        problems = payment_problems(
            awarded=locked.amount_due,
            already_paid=payment_facts(locked),
            payment=fact,
            config=rules,
            today=today_for(locked.dossier.call),
            agreement_state=locked.state,
            has_commitment=locked.has_commitment,
        )
        if not problems:
            check_amount(amount)
    except AmountError as exc:
        raise PaymentRefused([Reason("PAYMENT_AMOUNT_INVALID", str(exc))]) from exc
    if step_code and step_code not in {s.code for s in rules.agreements.payment_schedule}:
        problems.append(Reason("PAYMENT_STEP_UNKNOWN", f"L'échéance « {step_code} » n'existe pas dans l'échéancier."))
    if problems:
        raise PaymentRefused(problems)
    payment = Payment.objects.create(
        agreement=locked,
        step_code=step_code,
        amount=amount,
        paid_on=paid_on,
        reference=reference.strip(),
        accounting_year=fact.accounting_year,
        recorded_by=by,
    )
    journal_record(payment, by=by)
    if locked.final_amount is not None and not settlement_problems(locked):
        # The balance put into payment is now paid: the convention and the dossier are settled (ADR 0017).
        agreement_settle(agreement=locked, by=by, on=paid_on, at=at)
    return payment


def settlement_problems(agreement: Agreement) -> list[Reason]:
    """Why the convention may not be settled yet: its final report is not validated, or the balance put into
    payment is not paid in full (what is due is paid, or the excess is claimed back by a reversal)."""
    if agreement.final_amount is None:
        return [
            Reason(
                AGREEMENT_NOT_SETTLEABLE,
                "La convention se solde à la validation du bilan final, une fois le solde versé.",
            )
        ]
    paid = sum((p.amount for p in agreement.payments.all()), Decimal("0.00"))
    if paid < agreement.final_amount:
        return [
            Reason(
                AGREEMENT_BALANCE_UNPAID,
                f"Le solde de {euros(agreement.final_amount - paid)} est mis en paiement mais pas encore versé : "
                "enregistrez le versement (montant, date, référence) pour solder la convention.",
            )
        ]
    return []


def agreement_settle(*, agreement: Agreement, by: User, on: dt.date, at: dt.datetime | None = None) -> Agreement:
    """Settles the convention and its dossier (soldés), once what is due is paid or claimed back."""
    settled = agreement_transition(agreement=agreement, transition="settle", by=by, on=on, at=at)
    try:
        dossier_transition(dossier=settled.dossier, transition="settle", by=by, at=at)
    except TransitionRefused as exc:
        raise AgreementRefused(exc.reasons) from exc
    return settled
