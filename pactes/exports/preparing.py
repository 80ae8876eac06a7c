"""Preparing and writing an export now, and the log of every export handed to a person.

Words: the *threshold* (``PACTES_EXPORT_BACKGROUND_THRESHOLD``, 2 000 dossiers) decides whether an export is written
at once or as a background job (``pactes.exports.jobs``). Nothing here takes a request: the views hand over the
person, the page and its filters.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils import timezone

from pactes.accounts.models import User
from pactes.core.downloads import download_log
from pactes.exports.models import ExportDownload, ExportJob
from pactes.exports.sources import Selection, selection_for
from pactes.exports.workbook import Workbook
from pactes.exports.writers import FORMATS, Format

logger = logging.getLogger(__name__)


class ExportRefused(Exception):
    """The export cannot be written (unknown format or source, nothing visible): a French reason."""


def export_format(code: str) -> Format:
    try:
        return FORMATS[code]
    except KeyError as exc:
        raise ExportRefused("Format d'export inconnu : XLSX, ODS ou CSV.") from exc


def author_label(user: User) -> str:
    name = user.get_full_name().strip()
    return f"{name} <{user.email}>" if name else user.email


def export_filename(selection: Selection, fmt: Format, at: dt.datetime) -> str:
    return f"pactes-{selection.slug}-{timezone.localtime(at):%Y%m%d-%H%M}.{fmt.extension}"


@dataclass(frozen=True)
class Prepared:
    selection: Selection
    fmt: Format
    count: int

    @property
    def runs_in_background(self) -> bool:
        return self.count > settings.PACTES_EXPORT_BACKGROUND_THRESHOLD


def export_prepare(*, user: User, source: str, params: Mapping[str, str], fmt: str) -> Prepared:
    """What ``user`` would export from ``source``: raises ``SourceUnavailable`` for what the person may not see."""
    chosen = export_format(fmt)
    selection = selection_for(user, source, params)
    return Prepared(selection=selection, fmt=chosen, count=selection.dossiers.count())


def export_write(*, prepared: Prepared, user: User, out: IO[bytes]) -> Workbook:
    """Writes the export into ``out`` now (a page of a usual size)."""
    book = Workbook.of(prepared.selection, exported_by=author_label(user))
    prepared.fmt.write(book, out, lambda done, total: None)
    return book


def export_download_record(
    *,
    user: User,
    source: str,
    params: Mapping[str, str],
    fmt: str,
    dossier_count: int,
    job: ExportJob | None = None,
) -> ExportDownload:
    """Logs one export handed to ``user``: the one place every download of an export goes through. It writes the
    platform's download log (who saw what, ``pactes.core.downloads.download_log``) and keeps the export's filters."""
    download_log(
        user=user,
        document="export",
        label=f"Export « {source} » ({fmt.upper()}, {dossier_count} dossiers)",
        object_ref=f"export-{job.pk}" if job else f"export-{source}",
    )
    logger.info(
        "Export %s (%s, %s dossiers) téléchargé par %s, filtres %s.",
        source,
        fmt,
        dossier_count,
        user.email,
        dict(params),
    )
    return ExportDownload.objects.create(
        user=user, source=source, params=dict(params), format=fmt, dossier_count=dossier_count, job=job
    )
