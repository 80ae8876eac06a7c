"""Writes of the instruction workspace: the admissibility transitions fired from the dossier page, the request for
complements and its answer, the manual checklist, the messages. Every state change goes through
``pactes.dossiers.services.dossier_transition``; e-mails leave once the transaction is committed.

Each act takes an optional ``at``, the moment it is recorded at (now by default): only for acts recorded afterwards
(the demonstration of a past call); the views never pass it and a moment in the future is refused.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from typing import IO

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import User
from pactes.accounts.permissions import can_instruct
from pactes.core.journal import journal_record
from pactes.dossiers.attachments import AttachmentRefused, attachment_check
from pactes.dossiers.filing import FilingRefused, dossier_file
from pactes.dossiers.models import Dossier, DossierVersion
from pactes.dossiers.services import TransitionRefused, dossier_transition, moment_problems
from pactes.instruction.models import ChecklistCheck, ComplementRequest, Message, MessageKind
from pactes.instruction.notifications import complements_answered_notify, complements_requested_notify, message_notify
from pactes.instruction.selectors import is_instruction_staff, may_exchange
from pactes.rules.lifecycle import DossierState
from pactes.rules.verdict import Reason

logger = logging.getLogger(__name__)

# The transitions the instruction page offers as buttons (the complements have their own form; scoring,
# transmission and the committee have their own pages).
PAGE_TRANSITIONS: tuple[str, ...] = (
    "start_review",
    "declare_admissible",
    "declare_inadmissible",
    "reopen_inadmissible",
)
# The checklist prepares the admissibility decision: it is written until that decision, then kept as it was.
CHECKLIST_STATES = frozenset(
    {DossierState.SUBMITTED.value, DossierState.UNDER_REVIEW.value, DossierState.COMPLEMENTS_REQUESTED.value}
)
REQUEST_COMPLEMENTS = "request_complements"
ANSWER_COMPLEMENTS = "answer_complements"

STATE_CHANGED = Reason(
    "STATE_CHANGED", "Le dossier a changé d'état entre-temps : rechargez la page avant de recommencer."
)


class InstructionRefused(Exception):
    """The instruction act may not be done; the message says why in French."""


def _refuse_outside_scope(dossier: Dossier, by: User) -> None:
    # The views fetch through the scoped selector; the services check again (an instructor stays in its département).
    if not is_instruction_staff(by):
        raise TransitionRefused([Reason("NOT_INSTRUCTION_STAFF", "Seule l'instruction (DDETS-PP, DREETS) agit ici.")])
    if not can_instruct(by, dossier):
        raise TransitionRefused([Reason("OUT_OF_SCOPE", "Ce dossier relève d'un autre département que le vôtre.")])


def _refuse_if_stale(dossier: Dossier, loaded_state: str | None) -> None:
    if loaded_state is not None and loaded_state != dossier.state:
        raise TransitionRefused([STATE_CHANGED])


def instruction_transition(
    *,
    dossier: Dossier,
    transition: str,
    by: User,
    reason: str = "",
    loaded_state: str | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Fires one of the page's transitions, refused when the page was loaded under another state
    (``loaded_state``) or when the row changed since ``dossier`` was read. Raises ``TransitionRefused``."""
    if transition not in PAGE_TRANSITIONS:
        raise TransitionRefused(
            [Reason("TRANSITION_NOT_ON_PAGE", "Cette action ne se fait pas depuis la page d'instruction.")]
        )
    _refuse_outside_scope(dossier, by)
    _refuse_if_stale(dossier, loaded_state)
    return dossier_transition(dossier=dossier, transition=transition, by=by, reason=reason.strip(), at=at)


def complements_request(
    *,
    dossier: Dossier,
    by: User,
    message: str,
    due_on: dt.date,
    loaded_state: str | None = None,
    link: str = "",
    today: dt.date | None = None,
    at: dt.datetime | None = None,
) -> ComplementRequest:
    """Asks the applicant for complements: the dossier reopens for editing until ``due_on``; its members are
    e-mailed once committed. Raises ``TransitionRefused``."""
    _refuse_outside_scope(dossier, by)
    _refuse_if_stale(dossier, loaded_state)
    problems = moment_problems(at)
    if problems:
        raise TransitionRefused(problems)
    moment = at or timezone.now()
    today = today or timezone.localdate(moment)
    if due_on < today:
        raise TransitionRefused([Reason("DUE_DATE_PAST", "La date limite de réponse ne peut pas être déjà passée.")])
    with transaction.atomic():
        dossier_transition(dossier=dossier, transition=REQUEST_COMPLEMENTS, by=by, reason=message.strip(), at=moment)
        request = ComplementRequest.objects.create(
            dossier=dossier, message=message.strip(), due_on=due_on, requested_by=by, requested_at=moment
        )
        complements_requested_notify(request=request, dossier=dossier, link=link)
    return request


def complements_answer(
    *,
    dossier: Dossier,
    by: User,
    arrived_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> DossierVersion:
    """The applicant answers the complements asked: the dossier is filed again (a new version, every rule of the call
    but the deadline checked again, ``answer_complements`` fired) and the open request is closed by that version, in
    one transaction. Raises ``FilingRefused``, also when no complements are asked (anymore)."""
    if dossier.state != DossierState.COMPLEMENTS_REQUESTED.value:
        raise FilingRefused([Reason("NO_COMPLEMENTS_ASKED", "Aucun complément n'est demandé sur ce dossier.")])
    with transaction.atomic():
        version = dossier_file(
            dossier=dossier, by=by, arrived_at=arrived_at, now=now, notify=notify, answering_complements=True
        )
        complements_answer_close(dossier=dossier, version=version, by=by)
    return version


def complements_answer_close(
    *, dossier: Dossier, version: DossierVersion, by: User, link: str = "", at: dt.datetime | None = None
) -> None:
    """Marks the open request answered by ``version`` (``complements_answer`` calls it in the filing's transaction)
    and tells the instructors of the département once committed."""
    now = at or timezone.now()
    updated = ComplementRequest.objects.filter(dossier=dossier, answered_at__isnull=True).update(
        answered_at=now, answered_by=by, answer_version=version
    )
    if updated:
        complements_answered_notify(dossier=dossier, version=version, link=link)


@transaction.atomic
def checklist_record(
    *, dossier: Dossier, by: User, answers: Mapping[str, tuple[bool, str]], at: dt.datetime | None = None
) -> int:
    """Records the instruction's judgement on each point of the call's checklist (ticked or not, a comment);
    only the points that changed are stamped with who and when (``at``, now by default). Returns the number of
    points changed."""
    _refuse_outside_scope(dossier, by)
    if moment_problems(at):
        raise InstructionRefused(" ".join(r.message for r in moment_problems(at)))
    moment = at or timezone.now()
    if dossier.state not in CHECKLIST_STATES:
        raise InstructionRefused(
            "La liste de recevabilité ne se modifie plus : la recevabilité du dossier a déjà été décidée."
        )
    items = {c.code for c in dossier.call.rules.admissibility_checklist}
    unknown = set(answers) - items
    if unknown:
        raise InstructionRefused(
            "Ce point de contrôle n'existe pas dans la liste de l'appel : " + ", ".join(sorted(unknown))
        )
    current = {c.item: c for c in ChecklistCheck.objects.select_for_update().filter(dossier=dossier)}
    changed = 0
    for item, (is_checked, comment) in answers.items():
        comment = comment.strip()
        row = current.get(item)
        if row is None:
            if not is_checked and not comment:
                continue
            ChecklistCheck.objects.create(
                dossier=dossier, item=item, is_checked=is_checked, comment=comment, checked_by=by, checked_at=moment
            )
            changed += 1
        elif row.is_checked != is_checked or row.comment != comment:
            row.is_checked, row.comment, row.checked_by, row.checked_at = is_checked, comment, by, moment
            row.save(update_fields=["is_checked", "comment", "checked_by", "checked_at"])
            changed += 1
    return changed


def message_post(
    *,
    dossier: Dossier,
    by: User,
    body: str,
    private: bool = False,
    file_name: str = "",
    stream: IO[bytes] | None = None,
    link: str = "",
    at: dt.datetime | None = None,
) -> Message:
    """Posts an exchange (the other side is e-mailed) or, for the instruction staff, a private annotation (no
    e-mail, never shown to the applicant). An attached file is checked by content like the dossier's pieces.
    Raises ``InstructionRefused``."""
    body = body.strip()
    if not body:
        raise InstructionRefused("Écrivez un message.")
    if not may_exchange(by, dossier):
        raise InstructionRefused("Vous ne pouvez pas écrire sur ce dossier.")
    staff = is_instruction_staff(by)
    if private and not staff:
        raise InstructionRefused("Seule l'instruction peut écrire une annotation privée.")
    if staff and not can_instruct(by, dossier):
        raise InstructionRefused("Ce dossier relève d'un autre département que le vôtre.")
    if moment_problems(at):
        raise InstructionRefused(" ".join(r.message for r in moment_problems(at)))
    message = Message(
        dossier=dossier,
        kind=MessageKind.ANNOTATION if private else MessageKind.EXCHANGE,
        author=by,
        body=body,
        created_at=at or timezone.now(),
    )
    if stream is not None:
        try:
            checked = attachment_check(name=file_name, stream=stream)
        except AttachmentRefused as exc:
            raise InstructionRefused(str(exc)) from exc
        message.original_name, message.content_type = checked.name, checked.format.content_type
        message.size, message.sha256 = checked.size, checked.sha256
        stream.seek(0)
        message.file.save(f"{uuid.uuid4().hex}{checked.format.extensions[0]}", File(stream), save=False)
    stored = message.file.name if message.file else ""
    try:
        with transaction.atomic():
            message.save()
            if message.file:
                journal_record(message, by=by)
            if not private:
                message_notify(message=message, dossier=dossier, from_instruction=staff, link=link)
    except Exception:
        if stored:
            message.file.storage.delete(stored)
        raise
    return message
