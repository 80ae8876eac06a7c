"""Inspection of an uploaded file's inside, once its format is known: what a check of the first bytes cannot see.

Words: an *archive* is a ZIP container (ODT, DOCX, XLSX); an *entry* is one member of it, whose *ratio* is its
uncompressed size divided by its compressed size (a *zip bomb* is an archive whose entries inflate far beyond what they
weigh). *Active content* is anything a reader may run or open by itself: JavaScript, launch actions, embedded files,
multimedia, XFA forms in a PDF; macros, ActiveX controls, DDE fields and remote templates in an office document. A
*polyglot* is a file that is valid in two formats at once (a PNG followed by SVG script, a PDF followed by a ZIP).

Every function reads at most a bounded amount at a time (the file itself is at most ``PACTES_ATTACHMENT_MAX_BYTES``)
and raises ``UnsafeContent`` whose message ends the French sentence « Le fichier « x » est refusé : … ».
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from pypdf import PasswordType, PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
RATIO_MIN_ENTRY_BYTES = 1024 * 1024  # below 1 Mo inflated, a high ratio is harmless (a page of spaces)
SMALL_ENTRY_MAX_BYTES = 1024 * 1024  # [Content_Types].xml, manifest.xml: read whole, but never more than this
RESAVE_HINT = "enregistrez-le de nouveau sans ce contenu (ou exportez-le en PDF) puis déposez-le à nouveau"
MARKUP = re.compile(rb"<(?:script|svg|html|iframe|object|embed)[\s/>]|<\?php", re.IGNORECASE)


class UnsafeContent(ValueError):
    """The inside of the file is refused; the message says why, in French, after « est refusé : »."""


# -- archives (ODT, DOCX, XLSX) ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Archive:
    names: frozenset[str]
    mimetype: bytes  # the ODF ``mimetype`` entry, at most 128 bytes (empty when absent)
    content_types: bytes  # the OOXML ``[Content_Types].xml`` (empty when absent)


def _declared_entry_count(stream: IO[bytes]) -> int | None:
    """The number of entries the end of central directory announces, read before ``zipfile`` lists them all."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    tail_start = max(0, size - (22 + 65535))
    stream.seek(tail_start)
    tail = stream.read()
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return None
    (count,) = struct.unpack("<H", tail[end + 10 : end + 12])
    if count != 0xFFFF:
        return count
    # ZIP64: the locator just before gives the offset of the ZIP64 end record, which holds the real count.
    locator = tail[end - 20 : end] if end >= 20 else b""
    if not locator.startswith(b"PK\x06\x07"):
        return None
    (record_offset,) = struct.unpack("<Q", locator[8:16])
    stream.seek(record_offset)
    record = stream.read(56)
    if not record.startswith(b"PK\x06\x06") or len(record) < 40:
        return None
    (count64,) = struct.unpack("<Q", record[32:40])
    return count64


def _bounded_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    with archive.open(info) as entry:
        return entry.read(limit)


def archive_inspect(stream: IO[bytes]) -> Archive | None:
    """Checks a ZIP container entry by entry without inflating it into memory; None when it is not a readable ZIP.

    Refused: more than ``PACTES_ARCHIVE_MAX_ENTRIES`` entries, more than ``PACTES_ARCHIVE_MAX_UNCOMPRESSED_BYTES`` once
    inflated (declared or actual), an entry of more than 1 Mo inflating more than ``PACTES_ARCHIVE_MAX_RATIO`` times,
    encrypted entries, duplicated names, paths leaving the archive.
    """
    max_entries = settings.PACTES_ARCHIVE_MAX_ENTRIES
    max_total = settings.PACTES_ARCHIVE_MAX_UNCOMPRESSED_BYTES
    max_ratio = settings.PACTES_ARCHIVE_MAX_RATIO
    try:
        count = _declared_entry_count(stream)
        if count is None:
            return None
        if count > max_entries:
            raise UnsafeContent(f"l'archive contient {count} éléments, au-delà des {max_entries} admis")
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > max_entries:
                raise UnsafeContent(f"l'archive contient {len(infos)} éléments, au-delà des {max_entries} admis")
            names = [info.filename for info in infos]
            if len(set(names)) != len(names):
                raise UnsafeContent("l'archive contient deux éléments de même nom")
            declared = 0
            for info in infos:
                if info.filename.startswith(("/", "\\")) or ".." in info.filename.replace("\\", "/").split("/"):
                    raise UnsafeContent("l'archive contient un chemin qui sort du document")
                if info.flag_bits & 0x1:
                    raise UnsafeContent("une partie du document est protégée par un mot de passe")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise UnsafeContent("l'archive utilise une compression inhabituelle")
                declared += info.file_size
                if declared > max_total:
                    raise UnsafeContent(_bomb_reason(max_total))
                if info.file_size > RATIO_MIN_ENTRY_BYTES and (
                    info.compress_size == 0 or info.file_size > max_ratio * info.compress_size
                ):
                    raise UnsafeContent(_bomb_reason(max_total))
            _inflate_all(archive, infos, max_total)
            by_name = {info.filename: info for info in infos}
            mimetype = _bounded_read(archive, by_name["mimetype"], 128) if "mimetype" in by_name else b""
            content_types = (
                _bounded_read(archive, by_name["[Content_Types].xml"], SMALL_ENTRY_MAX_BYTES)
                if "[Content_Types].xml" in by_name
                else b""
            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, struct.error, zlib.error):
        return None
    except (RuntimeError, NotImplementedError) as exc:
        raise UnsafeContent("l'archive est illisible ou protégée") from exc
    finally:
        stream.seek(0)
    return Archive(names=frozenset(names), mimetype=mimetype, content_types=content_types)


def _bomb_reason(max_total: int) -> str:
    return (
        f"une fois décompressé, son contenu dépasserait {max_total // (1024 * 1024)} Mo "
        "(archive anormalement compressée)"
    )


def _inflate_all(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], max_total: int) -> None:
    """Inflates every entry by chunks, counting: the actual sizes (and CRCs) must agree with the declared ones."""
    total = 0
    for info in infos:
        with archive.open(info) as entry:
            while chunk := entry.read(CHUNK):
                total += len(chunk)
                if total > max_total:
                    raise UnsafeContent(_bomb_reason(max_total))


def _entry_chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    with archive.open(name) as entry:
        while chunk := entry.read(CHUNK):
            yield chunk


def _stream_contains(chunks: Iterator[bytes], patterns: tuple[bytes, ...]) -> bytes | None:
    """The first pattern found in the concatenated chunks (case-insensitive), keeping an overlap between chunks."""
    lowered = tuple(p.lower() for p in patterns)
    overlap = max(len(p) for p in patterns) - 1
    carry = b""
    for chunk in chunks:
        window = (carry + chunk).lower()
        for original, pattern in zip(patterns, lowered, strict=True):
            if pattern in window:
                return original
        carry = window[-overlap:]
    return None


MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject", b"ms-office.activex", b"macrosheet")
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")
MACRO_EXTENSIONS = (".docm", ".xlsm", ".pptm", ".xlsb", ".dotm", ".xltm")
ODF_SCRIPT_URLS = (b"vnd.sun.star.script:", b"macro:///", b"vnd.sun.star.basic:")


def office_active_content_check(stream: IO[bytes], archive: Archive) -> None:
    """Refuses macros (VBA, Excel 4, StarBasic, scripts), ActiveX controls, DDE fields and remote templates."""
    lowered = {name.lower() for name in archive.names}
    content_types = archive.content_types.lower()
    if (
        any(name.rsplit("/", 1)[-1] in MACRO_PARTS for name in lowered)
        or any(marker in content_types for marker in MACRO_CONTENT_TYPES)
        or any(name.startswith("xl/macrosheets/") or "/activex/" in f"/{name}" for name in lowered)
        or any(name.endswith(MACRO_EXTENSIONS) for name in lowered)
    ):
        raise UnsafeContent(f"il contient des macros ou des contrôles actifs ; {RESAVE_HINT}")
    if any(name.startswith(("basic/", "scripts/")) for name in lowered):
        raise UnsafeContent(f"il contient des macros ; {RESAVE_HINT}")
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as zipped:
            for part in ("content.xml", "styles.xml"):
                if part in archive.names and _stream_contains(_entry_chunks(zipped, part), ODF_SCRIPT_URLS):
                    raise UnsafeContent(f"il déclenche des macros à l'ouverture ; {RESAVE_HINT}")
            if "word/document.xml" in archive.names and _stream_contains(
                _entry_chunks(zipped, "word/document.xml"), (b"DDEAUTO", b'w:instr="DDE', b'w:instr=" DDE')
            ):
                raise UnsafeContent(f"il contient un champ DDE qui lance une commande ; {RESAVE_HINT}")
            for rels in ("word/_rels/settings.xml.rels", "xl/_rels/workbook.xml.rels"):
                if rels in archive.names:
                    text = b"".join(_entry_chunks(zipped, rels))[:SMALL_ENTRY_MAX_BYTES].lower()
                    if b"attachedtemplate" in text and b'targetmode="external"' in text:
                        raise UnsafeContent(f"il charge un modèle distant ; {RESAVE_HINT}")
    finally:
        stream.seek(0)


# -- PDF -----------------------------------------------------------------------------------------------------------
PDF_WHITESPACE = b" \t\r\n\x00\x0c"
PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]{1,127})")
# Names that reveal active content, with the reason shown; the long ones are safe to look for in raw bytes.
PDF_ACTIVE_NAMES = {
    "/JavaScript": "il contient du JavaScript",
    "/JS": "il contient du JavaScript",
    "/Launch": "il contient une action qui lance un programme",
    "/EmbeddedFile": "il contient des fichiers incorporés",
    "/EmbeddedFiles": "il contient des fichiers incorporés",
    "/EF": "il contient des fichiers incorporés",
    "/FileAttachment": "il contient des fichiers incorporés",
    "/GoToE": "il contient des fichiers incorporés",
    "/RichMedia": "il contient du contenu multimédia actif",
    "/XFA": "il contient un formulaire dynamique (XFA)",
}
PDF_RAW_NAMES = {"/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/FileAttachment", "/XFA"}
PDF_MAX_OBJECTS = 200_000


def _raw_names(data: bytes) -> set[str]:
    """Every name written in the bytes, with its ``#xx`` escapes decoded (``/J#61vaScript`` is ``/JavaScript``)."""
    found = set()
    for match in PDF_NAME.finditer(data):
        raw = match.group(1)
        if b"#" in raw:
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        found.add("/" + raw.decode("latin-1"))
    return found


def pdf_check(stream: IO[bytes]) -> None:
    """Refuses a PDF with active content, with a password, or with data appended after its last ``%%EOF``."""
    stream.seek(0)
    data = stream.read()
    stream.seek(0)
    if not data.rstrip(PDF_WHITESPACE).endswith(b"%%EOF"):
        raise UnsafeContent(
            "des données ont été ajoutées après la fin du PDF ; enregistrez-le de nouveau en PDF puis déposez-le"
        )
    names = _raw_names(data)
    if found := sorted(PDF_RAW_NAMES & names):
        raise UnsafeContent(f"{PDF_ACTIVE_NAMES[found[0]]} ; {RESAVE_HINT}")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise UnsafeContent("il est protégé par un mot de passe ; déposez une version sans mot de passe")
        _pdf_walk(reader)
    except UnsafeContent:
        raise
    except LimitReachedError as exc:
        raise UnsafeContent("une fois décompressé, son contenu est démesuré") from exc
    except Exception as exc:  # a parser fed hostile bytes may fail in any way: the raw check follows
        logger.info("PDF illisible par pypdf (%s), contrôle sur les octets", exc.__class__.__name__)
        # Without object streams nor encryption, every dictionary is in the raw bytes: their names are enough.
        if {"/ObjStm", "/Encrypt"} & names:
            raise UnsafeContent(
                "le PDF est endommagé et ne peut pas être vérifié ; enregistrez-le de nouveau en PDF puis déposez-le"
            ) from exc
        if found := sorted(PDF_ACTIVE_NAMES.keys() & names):
            raise UnsafeContent(f"{PDF_ACTIVE_NAMES[found[0]]} ; {RESAVE_HINT}") from exc


def _pdf_walk(reader: PdfReader) -> None:
    """Visits every object (trailer, cross-reference table, object streams) and refuses an active name as a key or a
    type (``/S /JavaScript`` in an ``/OpenAction``, ``/Type /EmbeddedFile``…); stream data itself is not decoded."""
    pending: list[object] = [reader.trailer]
    for generation, table in reader.xref.items():
        pending.extend(IndirectObject(number, generation, reader) for number in table)
    pending.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    visited = 0
    while pending:
        item = pending.pop()
        visited += 1
        if visited > PDF_MAX_OBJECTS * 10:
            raise UnsafeContent("le PDF est d'une complexité anormale ; enregistrez-le de nouveau en PDF")
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > PDF_MAX_OBJECTS:
                raise UnsafeContent("le PDF est d'une complexité anormale ; enregistrez-le de nouveau en PDF")
            pending.append(item.get_object())
        elif isinstance(item, DictionaryObject):
            for name, value in dict.items(item):
                if name in PDF_ACTIVE_NAMES:
                    raise UnsafeContent(f"{PDF_ACTIVE_NAMES[name]} ; {RESAVE_HINT}")
                if name in ("/S", "/Type", "/Subtype") and isinstance(value, NameObject) and value in PDF_ACTIVE_NAMES:
                    raise UnsafeContent(f"{PDF_ACTIVE_NAMES[value]} ; {RESAVE_HINT}")
                pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(list.__iter__(item))


# -- images --------------------------------------------------------------------------------------------------------
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_MAX_CHUNKS = 100_000


def png_check(stream: IO[bytes]) -> None:
    """A PNG is a signature then chunks (length, type, data, CRC), IHDR first and IEND last with nothing after it;
    text chunks must not carry markup (SVG, HTML, script)."""
    stream.seek(0)
    data = memoryview(stream.read())
    stream.seek(0)
    invalid = "ce n'est pas une image PNG intègre ; enregistrez-la de nouveau puis déposez-la"
    if bytes(data[:8]) != PNG_SIGNATURE:
        raise UnsafeContent(invalid)
    position, chunks = 8, 0
    while position + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if length > 0x7FFFFFFF or not kind.isalpha() or end > len(data):
            raise UnsafeContent(invalid)
        body = data[position + 8 : end - 4]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(body, zlib.crc32(kind)) != crc or (chunks == 0 and kind != b"IHDR"):
            raise UnsafeContent(invalid)
        if kind not in (b"IDAT", b"IEND") and MARKUP.search(body):
            raise UnsafeContent("l'image contient du code (SVG, HTML ou script)")
        chunks += 1
        position = end
        if kind == b"IEND":
            if position != len(data):
                raise UnsafeContent("des données ont été ajoutées après la fin de l'image")
            return
        if chunks > PNG_MAX_CHUNKS:
            raise UnsafeContent(invalid)
    raise UnsafeContent(invalid)


JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def jpeg_check(stream: IO[bytes]) -> None:
    """A JPEG is SOI, segments, at least one scan, then EOI (``FFD9``) with nothing after; its metadata segments (APPn,
    COM) must not carry markup."""
    stream.seek(0)
    data = stream.read()
    stream.seek(0)
    invalid = "ce n'est pas une image JPEG intègre ; enregistrez-la de nouveau puis déposez-la"
    if not data.startswith(b"\xff\xd8"):
        raise UnsafeContent(invalid)
    position, scanned = 2, False
    while True:
        if position + 2 > len(data) or data[position] != 0xFF:
            raise UnsafeContent(invalid)
        while position + 1 < len(data) and data[position + 1] == 0xFF:  # fill bytes
            position += 1
        if position + 2 > len(data):
            raise UnsafeContent(invalid)
        marker = data[position + 1]
        if marker == 0xD9:
            if not scanned:
                raise UnsafeContent(invalid)
            if position + 2 != len(data):
                raise UnsafeContent(
                    "des données ont été ajoutées après la fin de l'image (photo animée ?) ; "
                    "enregistrez-la de nouveau en JPEG ou en PDF puis déposez-la"
                )
            return
        if marker in JPEG_STANDALONE:
            position += 2
            continue
        if position + 4 > len(data):
            raise UnsafeContent(invalid)
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        end = position + 2 + length
        if length < 2 or end > len(data):
            raise UnsafeContent(invalid)
        if (0xE0 <= marker <= 0xEF or marker == 0xFE) and MARKUP.search(data, position + 4, end):
            raise UnsafeContent("l'image contient du code (SVG, HTML ou script)")
        position = end
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next marker that is not FF00 nor RSTn
            scanned = True
            while True:
                position = data.find(b"\xff", position)
                if position < 0 or position + 1 >= len(data):
                    raise UnsafeContent(invalid)
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    position += 1 if following == 0xFF else 2
                    continue
                break


def not_a_zip_check(stream: IO[bytes]) -> None:
    """A PDF or an image that is also a readable ZIP is a polyglot."""
    try:
        polyglot = zipfile.is_zipfile(stream)
    finally:
        stream.seek(0)
    if polyglot:
        raise UnsafeContent("il contient aussi une archive ZIP cachée")
