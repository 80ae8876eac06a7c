"""Private file downloads: the one way Pactes hands a stored file (a piece, a PDF, an agreement) to a person.

A *private* file is served only after the caller has checked access; the response is an attachment that browsers
and proxies must neither sniff nor keep (``nosniff``, ``private, no-store``). An absent or vanished file is a 404.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse

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
