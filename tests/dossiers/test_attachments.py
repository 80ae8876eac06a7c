"""Pièces jointes: the format is decided by the content (magic bytes, ZIP members), the extension must agree with it,
the size is capped, the SHA-256 is kept, and nothing changes once the dossier is filed."""

import hashlib
import io
import zipfile

import pytest
from PIL import Image

from pactes.dossiers.attachments import (
    AttachmentRefused,
    attachment_add,
    attachment_check,
    attachment_delete,
    detect_format,
)
from pactes.dossiers.models import Attachment, AttachmentKind
from tests.dossiers.fixtures import file_it

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def image(kind: str) -> bytes:
    """A real image: its whole structure is checked, not only its first bytes."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, kind)
    return buffer.getvalue()


PNG = image("PNG")
JPEG = image("JPEG")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
TEXT = b"Ceci est un simple fichier texte.\n"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document/>"})
DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
PLAIN_ZIP = zipped({"notes.txt": b"rien"})


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (ODT, "odt"),
        (DOCX, "docx"),
        (XLSX, "xlsx"),
        (PLAIN_ZIP, None),
        (EXE, None),
        (TEXT, None),
        (b"PK\x03\x04 tronque", None),
    ],
)
def test_the_format_is_recognised_from_the_content_alone(content, expected):
    assert detect_format(io.BytesIO(content)) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("statuts.pdf", PDF),
        ("rib.PNG", PNG),
        ("photo.jpeg", JPEG),
        ("photo.jpg", JPEG),
        ("deliberation.odt", ODT),
        ("lettre.docx", DOCX),
        ("budget.xlsx", XLSX),
    ],
)
def test_a_file_whose_extension_agrees_with_its_content_is_accepted(name, content):
    checked = attachment_check(name=name, stream=io.BytesIO(content))
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("programme.pdf", EXE, "Le fichier « programme.pdf » n'est pas un PDF valide."),
        ("notes.pdf", TEXT, "Le fichier « notes.pdf » n'est pas un PDF valide."),
        ("image.pdf", PNG, "n'est pas un PDF valide : son contenu est une image PNG"),
        ("tableur.docx", XLSX, "n'est pas un document DOCX valide : son contenu est un classeur XLSX"),
        ("archive.odt", PLAIN_ZIP, "Le fichier « archive.odt » n'est pas un document ODT valide."),
        ("programme.exe", EXE, "Le format du fichier « programme.exe » n'est pas accepté"),
        ("notes.txt", TEXT, "n'est pas accepté : déposez un fichier PDF, ODT, DOCX, XLSX, PNG ou JPEG"),
        ("vide.pdf", b"", "Le fichier « vide.pdf » est vide."),
    ],
)
def test_a_file_is_refused_with_a_clear_french_message(name, content, message):
    with pytest.raises(AttachmentRefused) as refused:
        attachment_check(name=name, stream=io.BytesIO(content))
    assert message in str(refused.value)


def padded_pdf(size: int) -> bytes:
    """The small PDF grown to ``size`` bytes by a comment before its end (nothing may follow ``%%EOF``)."""
    head, end = PDF[: -len(b"%%EOF\n")], b"\n%%EOF\n"
    return head + b"%" + b"0" * (size - len(head) - 1 - len(end)) + end


def test_a_file_over_10_mo_is_refused():
    content = padded_pdf(10 * 1024 * 1024 + 1)
    with pytest.raises(AttachmentRefused) as refused:
        attachment_check(name="gros.pdf", stream=io.BytesIO(content))
    assert "Le fichier « gros.pdf » dépasse 10\u00a0Mo" in str(refused.value)


def test_exactly_10_mo_is_accepted():
    content = padded_pdf(10 * 1024 * 1024)
    assert attachment_check(name="juste.pdf", stream=io.BytesIO(content)).size == 10 * 1024 * 1024


def test_the_size_limit_is_a_setting(settings):
    settings.PACTES_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(AttachmentRefused, match="dépasse 100\u00a0octets"):
        attachment_check(name="statuts.pdf", stream=io.BytesIO(PDF))


def test_a_path_in_the_sent_name_is_dropped():
    assert attachment_check(name="../../etc/statuts.pdf", stream=io.BytesIO(PDF)).name == "statuts.pdf"


def test_an_added_piece_is_stored_under_a_random_name_with_its_hash(draft, applicant, media_root):
    piece = attachment_add(
        dossier=draft, kind=AttachmentKind.STATUTES, name="Statuts signés.pdf", stream=io.BytesIO(PDF), by=applicant
    )
    piece.refresh_from_db()
    assert (piece.original_name, piece.content_type, piece.size) == ("Statuts signés.pdf", "application/pdf", len(PDF))
    assert piece.sha256 == hashlib.sha256(PDF).hexdigest()
    assert "Statuts" not in piece.file.name
    stored = media_root / piece.file.name
    assert stored.read_bytes() == PDF


def test_a_refused_file_leaves_nothing_behind(draft, applicant, media_root):
    with pytest.raises(AttachmentRefused):
        attachment_add(dossier=draft, kind=AttachmentKind.RIB, name="rib.pdf", stream=io.BytesIO(EXE), by=applicant)
    assert not Attachment.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_an_unknown_kind_of_piece_is_refused(draft, applicant):
    with pytest.raises(AttachmentRefused, match="type de la pièce"):
        attachment_add(dossier=draft, kind="photo_de_vacances", name="a.pdf", stream=io.BytesIO(PDF), by=applicant)


def test_a_deleted_piece_loses_its_file(draft, applicant, media_root, django_capture_on_commit_callbacks):
    piece = attachment_add(dossier=draft, kind=AttachmentKind.RIB, name="rib.pdf", stream=io.BytesIO(PDF), by=applicant)
    stored = media_root / piece.file.name
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment=piece, by=applicant)
    assert not Attachment.objects.exists()
    assert not stored.exists()


def test_pieces_can_be_neither_added_nor_removed_once_the_dossier_is_filed(
    draft, applicant, django_capture_on_commit_callbacks
):
    piece = attachment_add(dossier=draft, kind=AttachmentKind.RIB, name="rib.pdf", stream=io.BytesIO(PDF), by=applicant)
    file_it(draft, applicant, django_capture_on_commit_callbacks)
    with pytest.raises(AttachmentRefused, match="a été déposé"):
        attachment_add(dossier=draft, kind=AttachmentKind.RIB, name="rib2.pdf", stream=io.BytesIO(PDF), by=applicant)
    with pytest.raises(AttachmentRefused, match="a été déposé"):
        attachment_delete(attachment=piece, by=applicant)
    assert Attachment.objects.count() == 1
