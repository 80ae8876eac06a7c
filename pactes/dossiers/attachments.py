"""Pièces jointes of a dossier: content checks and the services that add and remove them.

Words: a *format* is one of the file kinds the platform accepts (PDF, ODT, DOCX, XLSX, PNG, JPEG). It is decided
by the **content** of the file (its magic bytes, and for the office formats the members of the ZIP container), never
by the name or the type the browser claims; the extension must then agree with the content. Files are stored under
``MEDIA_ROOT`` with a random name (outside the web root, no ``MEDIA_URL``) and served only by the scoped view.
"""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.db import transaction

from pactes.accounts.models import User
from pactes.dossiers.models import Attachment, AttachmentKind, Dossier

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileFormat:
    code: str
    label: str  # « un PDF », for « n'est pas un PDF valide »
    content_type: str
    extensions: tuple[str, ...]


FORMATS: tuple[FileFormat, ...] = (
    FileFormat("pdf", "un PDF", "application/pdf", (".pdf",)),
    FileFormat("odt", "un document ODT", "application/vnd.oasis.opendocument.text", (".odt",)),
    FileFormat(
        "docx",
        "un document DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    FileFormat(
        "xlsx", "un classeur XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
    ),
    FileFormat("png", "une image PNG", "image/png", (".png",)),
    FileFormat("jpeg", "une image JPEG", "image/jpeg", (".jpg", ".jpeg")),
)
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
    """The format code that the content of ``stream`` (seekable, binary) proves, or None."""
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
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT_MIMETYPE:
                return "odt"
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return "docx"
                if any(n.startswith("xl/") for n in names):
                    return "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return None
    finally:
        stream.seek(0)
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


def attachment_check(*, name: str, stream: IO[bytes], size: int | None = None) -> CheckedFile:
    """Checks a file by its content, extension and size; raises ``AttachmentRefused`` with a French message."""
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
    found = detect_format(stream)
    if found != expected.code:
        detail = (
            f" : son contenu est {FORMATS_BY_CODE[found].label}, renommez-le avec la bonne extension"
            if found is not None
            else ""
        )
        raise AttachmentRefused(f"Le fichier « {name} » n'est pas {expected.label} valide{detail}.")
    return CheckedFile(name=name, format=expected, size=counted, sha256=digest.hexdigest())


def _refuse_unless_editable(dossier: Dossier, by: User) -> None:
    if not dossier.is_editable:
        raise AttachmentRefused("Le dossier a été déposé : ses pièces jointes ne peuvent plus être modifiées.")
    if not by.is_applicant:
        raise AttachmentRefused("Seul un porteur du dossier peut modifier ses pièces jointes.")


@transaction.atomic
def attachment_add(*, dossier: Dossier, kind: str, name: str, stream: IO[bytes], by: User) -> Attachment:
    """Stores a checked file as a piece of a draft dossier, under a random name, with its SHA-256."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    _refuse_unless_editable(locked, by)
    if kind not in AttachmentKind.values:
        raise AttachmentRefused("Choisissez le type de la pièce dans la liste.")
    checked = attachment_check(name=name, stream=stream)
    attachment = Attachment(
        dossier=locked,
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
        attachment.save()
    except Exception:
        attachment.file.storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by: User) -> None:
    """Removes a piece of a draft dossier and its stored file (once the deletion is committed)."""
    locked = Dossier.objects.select_for_update().get(pk=attachment.dossier_id)
    _refuse_unless_editable(locked, by)
    storage, stored = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))
