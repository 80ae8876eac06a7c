"""Supporting documents of the reports (pièces justificatives des bilans intermédiaire et final).

The porteurs of the dossier add and remove them while the report is editable (brouillon or renvoyé); each file is
checked like every upload (``pactes.dossiers.attachments.attachment_check``: size, content, declared type, active
content, antivirus) before anything is stored, and is stored under a random name. Once the report is submitted the
documents are frozen with it; the DDETS-PP of the département and the DREETS read them through the scoped view.
"""

from __future__ import annotations

import os
import uuid
from typing import IO

from django.core.files.base import File
from django.db import transaction

from pactes.accounts.models import User
from pactes.accounts.permissions import is_applicant_of
from pactes.core.journal import DELETE, journal_record
from pactes.dossiers.attachments import AttachmentRefused, attachment_check
from pactes.followup.models import Report, ReportAttachment
from pactes.followup.services import FollowupRefused
from pactes.rules.verdict import Reason

REPORT_ATTACHMENT_NOT_ALLOWED = "REPORT_ATTACHMENT_NOT_ALLOWED"
REPORT_ATTACHMENT_FROZEN = "REPORT_ATTACHMENT_FROZEN"
REPORT_ATTACHMENT_INVALID = "REPORT_ATTACHMENT_INVALID"


def _problems(report: Report, by: User) -> list[Reason]:
    if not is_applicant_of(by, report.dossier):
        return [
            Reason(REPORT_ATTACHMENT_NOT_ALLOWED, "Seuls les porteurs du dossier joignent des pièces à ses bilans.")
        ]
    if not report.is_editable:
        return [
            Reason(
                REPORT_ATTACHMENT_FROZEN,
                f"Le bilan est « {report.state_label} » : ses pièces ne se modifient plus.",
            )
        ]
    return []


def report_attachment_add(
    *,
    report: Report,
    name: str,
    stream: IO[bytes],
    by: User,
    size: int | None = None,
    content_type: str = "",
    description: str = "",
) -> ReportAttachment:
    """Checks then stores a supporting document of ``report``; raises ``FollowupRefused`` (nothing stored then)."""
    problems = _problems(report, by)
    if problems:
        raise FollowupRefused(problems)
    try:
        checked = attachment_check(
            name=name, stream=stream, size=size, content_type=content_type, dossier=report.dossier, by=by
        )
    except AttachmentRefused as exc:
        raise FollowupRefused([Reason(REPORT_ATTACHMENT_INVALID, str(exc))]) from exc
    extension = os.path.splitext(checked.name)[1].lower()
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("dossier").get(pk=report.pk)
        problems = _problems(locked, by)
        if problems:
            raise FollowupRefused(problems)
        row = ReportAttachment(
            report=locked,
            name=checked.name,
            description=description.strip(),
            size=checked.size,
            sha256=checked.sha256,
            content_type=checked.format.content_type,
            uploaded_by=by,
        )
        stream.seek(0)
        row.file.save(f"{uuid.uuid4().hex}{extension}", File(stream), save=False)
        row.save()
        journal_record(row, by=by)  # its bytes' SHA-256 enters the record (ADR 0026)
    return row


def report_attachment_remove(*, attachment: ReportAttachment, by: User) -> None:
    """Removes a supporting document while its report is editable (the stored file is deleted once committed)."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("dossier").get(pk=attachment.report_id)
        problems = _problems(locked, by)
        if problems:
            raise FollowupRefused(problems)
        storage, stored = attachment.file.storage, attachment.file.name
        journal_record(attachment, by=by, action=DELETE)
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(stored))
