"""Filing (dépôt) of a dossier: every rule checked again at the moment the request arrived, then a frozen version; its
receipt is produced after commit.

Words: a *version* (``DossierVersion``) is what was filed, frozen: the canonical JSON snapshot of the dossier
(format ``pactes.dossier/1``, ``submitted_at`` = the moment of the filing), its SHA-256, and the *receipt*
(accusé de réception, a PDF). Each filing adds a version numbered after the last one, so that a dossier reopened by
an instructor and filed again keeps every earlier version readable. The *arrival* is the moment the filing request
reached the server, stamped before it could wait for a worker (``pactes.web.arrival``, ADR 0012): a filing that
arrived before the deadline is judged on time whatever the queue. A receipt is *pending* while its PDF does not
exist yet: the filing transaction only freezes the version and fires the transition (milliseconds, so that filings
of other dossiers never wait behind a PDF render); the PDF and the e-mail come after commit
(``pactes.dossiers.tasks``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pactes.accounts.models import User
from pactes.core.journal import journal_record
from pactes.dossiers.interchange import canonical_json, dossier_to_document, dossier_verdict
from pactes.dossiers.models import Dossier, DossierVersion
from pactes.dossiers.receipt import receipt_ensure
from pactes.dossiers.services import TransitionRefused, dossier_transition, moment_problems
from pactes.dossiers.tasks import receipt_prepare_task
from pactes.rules.lifecycle import DossierState, check_transition
from pactes.rules.verdict import Reason

logger = logging.getLogger(__name__)

SUBMIT = "submit"
ANSWER_COMPLEMENTS = "answer_complements"
STATE_CHANGED = "STATE_CHANGED"


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


def filing_moment(*, dossier: Dossier, arrived_at: dt.datetime | None, now: dt.datetime | None) -> dt.datetime:
    """The moment a filing is judged at and recorded as, to the second, in the call's time zone: the request's
    arrival, or a moment recorded afterwards, or the server's clock. Never in the future, never without a zone."""
    if arrived_at is not None and now is not None:
        raise ValueError("Un dépôt a un seul moment : son arrivée sur le serveur ou un moment enregistré après coup.")
    given = arrived_at or now
    problems = moment_problems(given)
    if problems:
        raise ValueError(problems[0].message)
    return (given or timezone.now()).astimezone(dossier.call.rules.timezone).replace(microsecond=0)


def dossier_file(
    *,
    dossier: Dossier,
    by: User,
    arrived_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    notify: bool = True,
    answering_complements: bool = False,
) -> DossierVersion:
    """Files a draft, or the answer to complements: re-checks every rule at the filing moment, freezes a new version
    and fires ``submit`` (or ``answer_complements``), all in one transaction of a few milliseconds. An answer to
    complements is filed by ``pactes.instruction.services.complements_answer`` (``answering_complements``), which
    closes the open request in the same transaction. Once committed, the receipt PDF is rendered and e-mailed by a
    background task; with ``notify`` False (loading demo data) it is rendered at once and nothing is sent.

    The filing moment is ``arrived_at``, when the request reached the server (the web view passes it); or ``now``,
    a filing recorded afterwards (demo data, a paper filing); by default the server's clock. A first filing's
    transition is logged at that moment too. Raises ``FilingRefused``; a second filing of the same draft (a double
    click, two tabs) is refused with ``STATE_CHANGED`` or ``TRANSITION_NOT_FROM_STATE`` and creates nothing."""
    if (filing_transition(dossier) == ANSWER_COMPLEMENTS) != answering_complements:
        raise ValueError("Une réponse aux compléments se dépose par complements_answer, un brouillon par dossier_file.")
    moment = filing_moment(dossier=dossier, arrived_at=arrived_at, now=now)
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update().select_related("call", "organisation", "departement").get(pk=dossier.pk)
        )
        if locked.state != dossier.state:
            raise FilingRefused(
                [
                    Reason(
                        STATE_CHANGED,
                        "Le dossier a changé d'état entre-temps : rechargez la page avant de recommencer.",
                    )
                ]
            )
        problems = dossier_filing_problems(dossier=locked, by=by, now=moment)
        if problems:
            raise FilingRefused(problems)
        document = dossier_to_document(locked)
        document["submitted_at"] = moment.isoformat()
        transition = filing_transition(locked)
        try:
            # A first filing is logged and stamped (``submitted_at``) at the moment the rules were judged at; an
            # answer to complements is logged when it is made.
            dossier_transition(
                dossier=locked, transition=transition, by=by, at=moment if transition == SUBMIT else None
            )
        except TransitionRefused as exc:
            raise FilingRefused(exc.reasons) from exc
        version = version_record(dossier=locked, document=document, moment=moment, by=by)
        if notify:
            transaction.on_commit(partial(_receipt_enqueue, version.pk))
    if not notify:
        # Demo data: the receipt is rendered at once, so that every loaded version has its PDF.
        version = receipt_ensure(version_id=version.pk)
    dossier.refresh_from_db()
    return version


def version_record(*, dossier: Dossier, document: dict[str, Any], moment: dt.datetime, by: User) -> DossierVersion:
    """Freezes ``document`` (the dossier's, with its filing moment) as the next version: canonical JSON and SHA-256.
    Called inside the transaction that fires the filing transition: by ``dossier_file``, and by the import of a
    dossier filed on another platform (``pactes.ds``), whose rules were not judged at its filing."""
    snapshot = canonical_json(document)
    number = (dossier.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = DossierVersion.objects.create(
        dossier=dossier,
        number=number,
        snapshot=snapshot,
        sha256=hashlib.sha256(snapshot.encode("utf-8")).hexdigest(),
        submitted_at=moment,
        submitted_by=by,
    )
    journal_record(version, by=by)  # the version is a fact of the record (ADR 0026)
    return version


def _receipt_enqueue(version_id: int) -> None:
    # The filing is committed: nothing here may turn it into an error page (the receipt can be made on demand).
    try:
        receipt_prepare_task.enqueue(version_id)
    except Exception:
        logger.exception("Échec de la mise en file de l'accusé de réception (version %s).", version_id)
