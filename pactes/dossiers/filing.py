"""Filing (dépôt) of a dossier: every rule checked again by the server's clock, then a frozen version and a receipt.

Words: a *version* (``DossierVersion``) is what was filed, frozen: the canonical JSON snapshot of the dossier
(format ``pactes.dossier/1``, ``submitted_at`` = the moment of the filing), its SHA-256, and the *receipt*
(accusé de réception, a PDF). Each filing adds a version numbered after the last one, so that a dossier reopened by
an instructor and filed again keeps every earlier version readable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from pactes.accounts.models import User
from pactes.dossiers.checks import canonical_json, dossier_to_document, dossier_verdict
from pactes.dossiers.models import Dossier, DossierVersion
from pactes.dossiers.receipt import filed_at_label, receipt_render
from pactes.dossiers.services import TransitionRefused, dossier_transition
from pactes.instruction.services import complements_answer_close
from pactes.rules.lifecycle import DossierState, check_transition
from pactes.rules.verdict import Reason

logger = logging.getLogger(__name__)

SUBMIT = "submit"
ANSWER_COMPLEMENTS = "answer_complements"


def filing_transition(dossier: Dossier) -> str:
    """A draft is filed (``submit``); a dossier reopened for complements is filed again as their answer."""
    return ANSWER_COMPLEMENTS if dossier.state == DossierState.COMPLEMENTS_REQUESTED.value else SUBMIT


class FilingRefused(Exception):
    """The dossier may not be filed; ``reasons`` say why in French (stable codes of the rules)."""

    def __init__(self, reasons: list[Reason]) -> None:
        self.reasons = reasons
        super().__init__(" ".join(r.message for r in reasons))


def dossier_filing_problems(*, dossier: Dossier, by: User, now: dt.datetime) -> list[Reason]:
    """Who may file from which state, then the blocking reasons of every rule of the call judged at ``now``
    (``DEADLINE_PASSED`` included: the rules judge the deadline whenever they are given a moment). The answer to
    complements, asked during the instruction, is not judged against the filing deadline."""
    transition = filing_transition(dossier)
    problems = list(check_transition(transition, state=dossier.state, actor=by.role))
    verdict, _summary = dossier_verdict(dossier, now=now if transition == SUBMIT else None)
    return problems + [r for r in verdict.reasons if r.blocking]


def dossier_file(*, dossier: Dossier, by: User, now: dt.datetime | None = None, notify: bool = True) -> DossierVersion:
    """Files a draft, or the answer to complements: re-checks every rule with the server's clock, freezes a new
    version with its receipt PDF, fires ``submit`` (or ``answer_complements``, which also closes the open complement
    request) and, once committed, e-mails the receipt (unless ``notify`` is False, for loading demo data).
    Raises ``FilingRefused``."""
    moment = (now or timezone.now()).astimezone(dossier.call.rules.timezone).replace(microsecond=0)
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update().select_related("call", "organisation", "departement").get(pk=dossier.pk)
        )
        if locked.state != dossier.state:
            raise FilingRefused(
                [
                    Reason(
                        "STATE_CHANGED",
                        "Le dossier a changé d'état entre-temps : rechargez la page avant de recommencer.",
                    )
                ]
            )
        problems = dossier_filing_problems(dossier=locked, by=by, now=moment)
        if problems:
            raise FilingRefused(problems)
        document = dossier_to_document(locked)
        document["submitted_at"] = moment.isoformat()
        snapshot = canonical_json(document)
        number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = DossierVersion(
            dossier=locked,
            number=number,
            snapshot=snapshot,
            sha256=hashlib.sha256(snapshot.encode("utf-8")).hexdigest(),
            submitted_at=moment,
            submitted_by=by,
        )
        pdf = receipt_render(version=version)  # before any write: no filing without its receipt
        transition = filing_transition(locked)
        try:
            # A first filing is logged at the moment the rules were judged at, like ``submitted_at`` (the demo files
            # at a past moment); an answer to complements is logged when it is made.
            dossier_transition(
                dossier=locked, transition=transition, by=by, at=moment if now and transition == SUBMIT else None
            )
        except TransitionRefused as exc:
            raise FilingRefused(exc.reasons) from exc
        if transition == SUBMIT:
            # The transition stamps its own clock; the filing time is the one the rules were judged at.
            Dossier.objects.filter(pk=locked.pk).update(submitted_at=moment)
        version.receipt_pdf.save(f"accuse-reception-{locked.reference}-v{number}.pdf", ContentFile(pdf), save=False)
        version.save()
        if transition == ANSWER_COMPLEMENTS:
            complements_answer_close(dossier=locked, version=version, by=by)
        if notify:
            transaction.on_commit(lambda: _receipt_send_after_filing(version.pk))
    dossier.refresh_from_db()
    return version


def receipt_recipients(*, version: DossierVersion) -> list[str]:
    """The filer and the dossier's contact (when it is an e-mail address), each once."""
    contact = str((json.loads(version.snapshot).get("applicant") or {}).get("contact") or "").strip()
    recipients = [version.submitted_by.email]
    try:
        validate_email(contact)
    except ValidationError:
        contact = ""
    if contact and contact.lower() not in {r.lower() for r in recipients}:
        recipients.append(contact)
    return [r for r in recipients if r]


def receipt_subject(*, version: DossierVersion) -> str:
    """« [AMI 2024-PTS] Accusé de réception du dossier PTS-2024-09-0001 »."""
    prefix = version.dossier.call.rules.subject_prefix
    return f"[{prefix}] Accusé de réception du dossier {version.dossier.reference}"


def _receipt_send_after_filing(version_id: int) -> None:
    # The filing is committed: a mail server failure must not turn it into an error page (the receipt stays online).
    try:
        receipt_send(version_id=version_id)
    except Exception:
        logger.exception("Échec de l'envoi de l'accusé de réception (version %s).", version_id)


def receipt_send(*, version_id: int) -> int:
    """E-mails the receipt PDF of a filed version to its recipients; returns the number of messages sent."""
    version = DossierVersion.objects.select_related("dossier__call", "submitted_by").get(pk=version_id)
    dossier = version.dossier
    body = render_to_string(
        "emails/filing_receipt.txt",
        {
            "dossier": dossier,
            "call": dossier.call,
            "rules": dossier.call.rules,
            "version": version,
            "filed_at": filed_at_label(version.submitted_at, dossier.call),
        },
    )
    message = EmailMessage(subject=receipt_subject(version=version), body=body, to=receipt_recipients(version=version))
    with version.receipt_pdf.open("rb") as pdf:
        message.attach(f"accuse-reception-{dossier.reference}-v{version.number}.pdf", pdf.read(), "application/pdf")
    sent = message.send()
    logger.info("Accusé de réception du dossier %s (version %s) envoyé.", dossier.reference, version.number)
    return sent
