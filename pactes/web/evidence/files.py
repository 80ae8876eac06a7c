"""Handing a private file to a person, with the evidence rules: the file's bytes are checked against the hash
recorded when it was stored (refused, « empreinte non conforme », when they differ) and the download is logged."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pactes.core.downloads import MISSING, download_log, private_file_response, private_headers
from pactes.core.journal import file_sha256


def evidence_file_response(
    request: HttpRequest,
    file: FieldFile | None,
    *,
    filename: str,
    content_type: str,
    document: str,
    dossier_id: int | None,
    object_ref: str = "",
    expected_sha256: str = "",
    missing: str = MISSING,
) -> HttpResponse:
    """The stored ``file`` as a private attachment, logged; refused with a 409 page when its bytes no longer match
    ``expected_sha256`` (the hash recorded at upload)."""
    if not file:
        raise Http404(missing)
    try:
        actual = file_sha256(file)
    except FileNotFoundError as exc:
        raise Http404(missing) from exc
    if expected_sha256 and actual != expected_sha256:
        response = render(
            request,
            "evidence/tampered.html",
            {
                "page_title": "Empreinte non conforme",
                "filename": filename,
                "expected": expected_sha256,
                "actual": actual,
            },
            status=409,
        )
        return private_headers(response)
    response = private_file_response(file, filename=filename, content_type=content_type, missing=missing)
    download_log(
        user=request.user,
        document=document,
        label=filename,
        dossier_id=dossier_id,
        object_ref=object_ref,
        sha256=actual,
    )
    return response
