"""Size limits of uploads, enforced while the request body arrives rather than once it has all been received.

Words: the *request cap* is the attachment limit (``PACTES_ATTACHMENT_MAX_BYTES``) plus ``PACTES_UPLOAD_MARGIN_BYTES``
for the form around the file; the *per-file limit* is the attachment limit itself. A multipart request announcing
(``Content-Length``) more than the request cap is refused before one byte of its body is read; a file growing beyond
the per-file limit stops the reading of the body at that point (``StopUpload``, the rest is never read). Either way
the applicant is sent back to the page of the form with a French message, and nothing is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from pactes.dossiers.attachments import clean_file_name, max_attachment_bytes, size_label

logger = logging.getLogger(__name__)

REFUSAL_ATTRIBUTE = "pactes_upload_refusal"


def request_cap() -> int:
    return max_attachment_bytes() + settings.PACTES_UPLOAD_MARGIN_BYTES


def upload_refusal(request: HttpRequest) -> str | None:
    """The French reason why the upload handler stopped reading this request's body, if it did."""
    return getattr(request, REFUSAL_ATTRIBUTE, None)


def _is_multipart(request: HttpRequest) -> bool:
    return request.method == "POST" and request.content_type == "multipart/form-data"


def _announced_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class SizeLimitUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: counts each file's bytes as they arrive and stops the body past the limit."""

    def new_file(
        self, field_name: str, file_name: str, content_type: str, content_length: int | None, *args: Any, **kwargs: Any
    ) -> None:
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        self.limit = max_attachment_bytes()
        self.received = 0
        if content_length is not None and content_length > self.limit:
            self._stop()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._stop()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers build the file

    def _stop(self) -> None:
        name = clean_file_name(self.file_name or "")
        message = (
            f"Le fichier « {name} » dépasse {size_label(self.limit)}, la taille maximale : il n'a pas été reçu. "
            "Réduisez-le (images moins lourdes, PDF compressé) puis recommencez ; les pièces déjà jointes sont "
            "conservées."
        )
        if self.request is not None:
            setattr(self.request, REFUSAL_ATTRIBUTE, message)
        # connection_reset: the rest of the body is left unread instead of being received and thrown away.
        raise StopUpload(connection_reset=True)


class UploadSizeLimitMiddleware:
    """Placed after the messages and CSRF middleware: refuses oversize multipart requests with a French message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _announced_length(request)
        if _is_multipart(request) and length > request_cap():
            # Refused on its announced length: not one byte of the body is read. Only a message is set, so no CSRF
            # check is needed to send the applicant back.
            limit = max_attachment_bytes()
            return self._refuse(
                request,
                f"Votre envoi ({size_label(length)}) dépasse {size_label(limit)}, la taille maximale d'un fichier : "
                "il n'a pas été reçu. Réduisez le fichier (images moins lourdes, PDF compressé) puis recommencez ; "
                "les pièces déjà jointes sont conservées.",
            )
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not _is_multipart(request):
            return None
        request.POST  # noqa: B018 — parses the body (CSRF usually did already), which runs the upload handlers
        message = upload_refusal(request)
        return self._refuse(request, message) if message else None

    @staticmethod
    def _refuse(request: HttpRequest, message: str) -> HttpResponse:
        logger.info(
            "Envoi refusé pour sa taille : %s %s (%s octets annoncés)",
            request.method,
            request.path,
            request.META.get("CONTENT_LENGTH"),
        )
        back = request.META.get("HTTP_REFERER", "")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, message)
            return HttpResponseRedirect(back)
        raise BadRequest(message)
