"""Pièces jointes of a dossier: content checks and the services that add and remove them.

Words: a *format* is one of the file kinds the platform accepts (PDF, ODT, DOCX, XLSX, PNG, JPEG). It is decided
by the **content** of the file (its magic bytes, and for the office formats the members of the ZIP container), never
by the name or the type the browser claims; the extension and the declared type must then agree with the content.
The inside is then inspected (``file_inspection``: zip bombs, macros, active PDF content, polyglots) and, when ClamAV
is configured, scanned (``pactes.core.antivirus``) — all before anything is stored and outside any transaction. Files
are stored under ``MEDIA_ROOT`` with a random name (outside the web root, no ``MEDIA_URL``) and served only by the
scoped view.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.db import transaction

from pactes.accounts.models import User
from pactes.core.antivirus import AntivirusUnavailable, antivirus_enabled, scan_stream
from pactes.core.journal import DELETE, journal_record
from pactes.dossiers.file_inspection import (
    UnsafeContent,
    archive_inspect,
    jpeg_check,
    not_a_zip_check,
    office_active_content_check,
    pdf_check,
    png_check,
)
from pactes.dossiers.models import Attachment, AttachmentKind, Dossier

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileFormat:
    code: str
    label: str  # « un PDF », for « n'est pas un PDF valide »
    content_type: str
    extensions: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # other types browsers declare for this format


FORMATS: tuple[FileFormat, ...] = (
    FileFormat("pdf", "un PDF", "application/pdf", (".pdf",), ("application/x-pdf", "application/acrobat")),
    FileFormat("odt", "un document ODT", "application/vnd.oasis.opendocument.text", (".odt",), ("application/zip",)),
    FileFormat(
        "docx",
        "un document DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        ("application/zip", "application/x-zip-compressed"),
    ),
    FileFormat(
        "xlsx",
        "un classeur XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        ("application/zip", "application/x-zip-compressed"),
    ),
    FileFormat("png", "une image PNG", "image/png", (".png",), ("image/x-png",)),
    FileFormat("jpeg", "une image JPEG", "image/jpeg", (".jpg", ".jpeg"), ("image/jpg", "image/pjpeg")),
)
# What a browser declares when it does not know the type: says nothing, so it agrees with any format.
GENERIC_CONTENT_TYPES = ("", "application/octet-stream", "binary/octet-stream", "application/x-download")
FORMATS_BY_CODE = {f.code: f for f in FORMATS}
ACCEPTED_EXTENSIONS = tuple(ext for f in FORMATS for ext in f.extensions)
ACCEPTED_LABEL = "PDF, ODT, DOCX, XLSX, PNG ou JPEG"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"
ZIP_SIGNATURE = b"PK\x03\x04"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


class AttachmentRefused(ValueError):
    """The file cannot be accepted; the message says why in French."""


def max_attachment_bytes() -> int:
    return int(getattr(settings, "PACTES_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def size_label(size: int) -> str:
    """« 10 Mo », « 2,5 Mo », « 340 ko » (1 Mo = 1 024 ko = 1 048 576 octets)."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{text}\u00a0Mo"
    if size >= 1024:
        return f"{size // 1024}\u00a0ko"
    return f"{size}\u00a0octets"


def detect_format(stream: IO[bytes]) -> str | None:
    """The format code that the content of ``stream`` (seekable, binary) proves, or None.

    A ZIP container is inspected first (``archive_inspect``): an archive bomb raises ``UnsafeContent``."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(PDF_SIGNATURE):
        return "pdf"
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(JPEG_SIGNATURE):
        return "jpeg"
    if head.startswith(ZIP_SIGNATURE):
        return _office_format(stream)
    return None


def _office_format(stream: IO[bytes]) -> str | None:
    archive = archive_inspect(stream)
    if archive is None:
        return None
    if archive.mimetype.strip() == ODT_MIMETYPE:
        return "odt"
    if "[Content_Types].xml" in archive.names:
        if any(n.startswith("word/") for n in archive.names):
            return "docx"
        if any(n.startswith("xl/") for n in archive.names):
            return "xlsx"
    return None


@dataclass(frozen=True)
class CheckedFile:
    name: str
    format: FileFormat
    size: int
    sha256: str


def clean_file_name(name: str) -> str:
    """The last component of the name the browser sent, without control characters, at most 255 characters."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable())
    if len(base) > 255:
        stem, ext = os.path.splitext(base)
        base = stem[: 255 - len(ext)] + ext
    return base or "fichier"


def attachment_check(
    *,
    name: str,
    stream: IO[bytes],
    size: int | None = None,
    content_type: str = "",
    dossier: Dossier | None = None,
    by: User | None = None,
) -> CheckedFile:
    """Checks a file by its extension, size, content, declared type and inside, then has ClamAV scan it when one is
    configured; raises ``AttachmentRefused`` with a French message. ``dossier`` and ``by`` only name the upload in
    the log when a virus is found."""
    name = clean_file_name(name)
    extension = os.path.splitext(name)[1].lower()
    if extension not in ACCEPTED_EXTENSIONS:
        raise AttachmentRefused(
            f"Le format du fichier « {name} » n'est pas accepté : déposez un fichier {ACCEPTED_LABEL}."
        )
    limit = max_attachment_bytes()
    digest = hashlib.sha256()
    counted = 0
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        counted += len(chunk)
        if counted > limit:
            raise AttachmentRefused(f"Le fichier « {name} » dépasse {size_label(limit)}, la taille maximale.")
        digest.update(chunk)
    stream.seek(0)
    if size is not None and size > limit:
        raise AttachmentRefused(f"Le fichier « {name} » dépasse {size_label(limit)}, la taille maximale.")
    if counted == 0:
        raise AttachmentRefused(f"Le fichier « {name} » est vide.")
    expected = next(f for f in FORMATS if extension in f.extensions)
    try:
        found = detect_format(stream)
        if found != expected.code:
            detail = (
                f" : son contenu est {FORMATS_BY_CODE[found].label}, renommez-le avec la bonne extension"
                if found is not None
                else ""
            )
            raise AttachmentRefused(f"Le fichier « {name} » n'est pas {expected.label} valide{detail}.")
        _refuse_unless_declared_type_agrees(name, expected, content_type)
        _inspect(expected, stream)
    except UnsafeContent as exc:
        logger.info("Pièce refusée à l'inspection : %s (%s)", name, exc)
        raise AttachmentRefused(f"Le fichier « {name} » est refusé : {exc}.") from exc
    checked = CheckedFile(name=name, format=expected, size=counted, sha256=digest.hexdigest())
    _scan(checked, stream, dossier=dossier, by=by)
    return checked


def _refuse_unless_declared_type_agrees(name: str, expected: FileFormat, content_type: str) -> None:
    declared = content_type.split(";", 1)[0].strip().lower()
    if declared in GENERIC_CONTENT_TYPES or declared == expected.content_type or declared in expected.aliases:
        return
    raise AttachmentRefused(
        f"Le fichier « {name} » est refusé : votre navigateur l'annonce comme « {declared} », "
        f"ce qui ne correspond pas à son contenu ({expected.label})."
    )


def _inspect(expected: FileFormat, stream: IO[bytes]) -> None:
    match expected.code:
        case "odt" | "docx" | "xlsx":
            archive = archive_inspect(stream)
            if archive is None:  # detect_format read it a moment ago
                raise UnsafeContent("l'archive est illisible")
            office_active_content_check(stream, archive)
        case "pdf":
            not_a_zip_check(stream)
            pdf_check(stream)
        case "png":
            not_a_zip_check(stream)
            png_check(stream)
        case "jpeg":
            not_a_zip_check(stream)
            jpeg_check(stream)


def _scan(checked: CheckedFile, stream: IO[bytes], *, dossier: Dossier | None, by: User | None) -> None:
    """ClamAV, when configured: an infected file is refused and logged; an unreachable daemon refuses the file too."""
    if not antivirus_enabled():
        return
    reference = dossier.reference if dossier is not None else "-"
    user_id = by.pk if by is not None else None
    try:
        verdict = scan_stream(stream)
    except AntivirusUnavailable as exc:
        logger.error(
            "Antivirus indisponible, pièce refusée : dossier %s, utilisateur %s, fichier %s (%s)",
            reference,
            user_id,
            checked.sha256,
            exc,
        )
        raise AttachmentRefused(
            f"Le fichier « {checked.name} » n'a pas été enregistré : l'analyse antivirus est momentanément "
            "indisponible. Réessayez dans quelques minutes."
        ) from exc
    if verdict.infected:
        logger.warning(
            "Virus détecté, pièce refusée : dossier %s, utilisateur %s, signature %s, fichier %s (SHA-256 %s)",
            reference,
            user_id,
            verdict.signature,
            checked.name,
            checked.sha256,
        )
        raise AttachmentRefused(
            f"Le fichier « {checked.name} » est refusé : l'antivirus y a détecté un logiciel malveillant "
            f"({verdict.signature}). Il n'a pas été enregistré."
        )


def _refuse_unless_editable(dossier: Dossier, by: User) -> None:
    if not dossier.is_editable:
        raise AttachmentRefused("Le dossier a été déposé : ses pièces jointes ne peuvent plus être modifiées.")
    if not by.is_applicant:
        raise AttachmentRefused("Seul un porteur du dossier peut modifier ses pièces jointes.")


def attachment_add(
    *, dossier: Dossier, kind: str, name: str, stream: IO[bytes], by: User, content_type: str = ""
) -> Attachment:
    """Stores a checked file as a piece of a draft dossier, under a random name, with its SHA-256.

    The checks, the antivirus scan and the copy to storage happen before the transaction: the dossier row is locked
    only for the few milliseconds of the insert (many applicants upload in the last hours of a call)."""
    _refuse_unless_editable(Dossier.objects.get(pk=dossier.pk), by)
    if kind not in AttachmentKind.values:
        raise AttachmentRefused("Choisissez le type de la pièce dans la liste.")
    checked = attachment_check(name=name, stream=stream, content_type=content_type, dossier=dossier, by=by)
    attachment = Attachment(
        kind=kind,
        original_name=checked.name,
        content_type=checked.format.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    stored_name = f"{uuid.uuid4().hex}{checked.format.extensions[0]}"
    stream.seek(0)
    attachment.file.save(stored_name, File(stream), save=False)
    stored = attachment.file.name
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            _refuse_unless_editable(locked, by)  # filed while the file was being checked
            attachment.dossier = locked
            attachment.save()
            journal_record(attachment, by=by)
    except BaseException:
        attachment.file.storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by: User) -> None:
    """Removes a piece of a draft dossier and its stored file (once the deletion is committed)."""
    locked = Dossier.objects.select_for_update().get(pk=attachment.dossier_id)
    _refuse_unless_editable(locked, by)
    storage, stored = attachment.file.storage, attachment.file.name
    journal_record(attachment, by=by, action=DELETE)
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))
