"""Private file downloads: the one way Pactes hands a stored file (a piece, a PDF, an agreement) to a person.

A *private* file is served only after the caller has checked access; the response is an attachment that browsers
and proxies must neither sniff nor keep (``nosniff``, ``private, no-store``). An absent or vanished file is a 404.
Every private download is logged (who, when, what) by ``download_log``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse

from .models import DOCUMENT_KINDS, DownloadLog

MISSING = "Le document est introuvable."


def private_headers[R: HttpResponse](response: R) -> R:
    """Mark a response about a private file as neither sniffable nor cacheable."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def private_file_response(
    file: FieldFile | None, *, filename: str, content_type: str, missing: str = MISSING
) -> FileResponse:
    """The stored ``file`` as a private attachment named ``filename``; 404 with ``missing`` when there is none."""
    if not file:
        raise Http404(missing)
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(missing) from exc
    return private_headers(FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type))


DOCUMENT_LABELS = dict(DOCUMENT_KINDS)


def download_log(
    *,
    user: Any,
    document: str,
    label: str,
    dossier_id: int | None = None,
    object_ref: str = "",
    sha256: str = "",
) -> DownloadLog:
    """Records that ``user`` was handed the private document ``label`` (of kind ``document``, a key of
    ``DOCUMENT_LABELS``), about ``dossier_id`` if it concerns one dossier. Every private download calls it (the
    exports too): the DREETS lists them per dossier."""
    if document not in DOCUMENT_LABELS:
        raise ValueError(f"Nature de document inconnue : {document!r}.")
    return DownloadLog.objects.create(
        user=user if getattr(user, "pk", None) is not None else None,
        document=document,
        label=label[:300],
        dossier_id=dossier_id,
        object_ref=object_ref[:100],
        sha256=sha256,
    )
