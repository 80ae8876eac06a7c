"""Upload refusals (issue 8, item 6): zip bombs, macros, active PDF content, polyglots, a declared type that lies,
oversize bodies stopped while they arrive, and ClamAV (a fake clamd speaking INSTREAM) before anything is stored.
Every refusal is in French and leaves nothing behind; what was attached before stays."""

import html
import io
import logging
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from pactes.dossiers.attachments import AttachmentRefused, attachment_add, attachment_check
from pactes.dossiers.models import Attachment, AttachmentKind
from pactes.web.uploads import SizeLimitUploadHandler, upload_refusal
from tests.core.fake_clamd import EICAR
from tests.dossiers.test_attachments import DOCX, JPEG, ODT, PDF, PNG, XLSX, zipped

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def refusal(name: str, content: bytes, content_type: str = "") -> str:
    with pytest.raises(AttachmentRefused) as refused:
        attachment_check(name=name, stream=io.BytesIO(content), content_type=content_type)
    return str(refused.value)


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


# -- archives ------------------------------------------------------------------------------------------------------
def odt_bomb(inflated: int) -> bytes:
    """An ODT whose ``mimetype`` entry inflates to ``inflated`` bytes, written by chunks (the test stays light)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w") as entry:
            entry.write(ODT_MIMETYPE)
            block = b"\0" * (1024 * 1024)
            for _ in range(inflated // len(block)):
                entry.write(block)
        archive.writestr("content.xml", b"<office:document/>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb_300_mo() -> bytes:
    return odt_bomb(300 * 1024 * 1024)


def test_an_odt_whose_mimetype_inflates_to_300_mo_is_refused_quickly_with_little_memory(bomb_300_mo):
    assert len(bomb_300_mo) < 400 * 1024  # the 298 Ko of the issue
    tracemalloc.start()
    started = time.monotonic()
    try:
        message = refusal("deliberation.odt", bomb_300_mo)
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == (
        "Le fichier « deliberation.odt » est refusé : une fois décompressé, son contenu dépasserait 100 Mo "
        "(archive anormalement compressée)."
    )
    assert elapsed < 2
    assert peak < 8 * 1024 * 1024


def test_an_entry_compressed_more_than_100_times_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b" " * (5 * 1024 * 1024))
    content = buffer.getvalue()
    assert "archive anormalement compressée" in refusal("lettre.docx", content)


def test_the_actual_inflated_size_counts_not_only_the_declared_one(settings):
    settings.PACTES_ARCHIVE_MAX_UNCOMPRESSED_BYTES = 1000
    content = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document>" + b"x" * 2000})
    assert "dépasserait 0 Mo" in refusal("lettre.docx", content)


def test_an_archive_with_too_many_entries_is_refused(settings):
    settings.PACTES_ARCHIVE_MAX_ENTRIES = 10
    members = {"[Content_Types].xml": b"<Types/>"} | {f"word/part{i}.xml": b"<p/>" for i in range(20)}
    assert "l'archive contient 21 éléments, au-delà des 10 admis" in refusal("lettre.docx", zipped(members))


@pytest.mark.parametrize(
    ("name", "members", "reason"),
    [
        (
            "lettre.docx",
            {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"VBA"},
            "il contient des macros ou des contrôles actifs",
        ),
        (
            "lettre.docx",
            {
                "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.ms-word.document.'
                b'macroEnabled.main+xml"/></Types>',
                "word/document.xml": b"<w:document/>",
            },
            "il contient des macros ou des contrôles actifs",
        ),
        (
            "budget.xlsx",
            {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "xl/macrosheets/sheet1.xml": b"<m/>"},
            "il contient des macros ou des contrôles actifs",
        ),
        (
            "lettre.docx",
            {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/activeX/activeX1.xml": b"<a/>"},
            "il contient des macros ou des contrôles actifs",
        ),
        (
            "deliberation.odt",
            {"mimetype": ODT_MIMETYPE, "content.xml": b"<office:document/>", "Basic/Standard/Module1.xml": b"Sub"},
            "il contient des macros",
        ),
        (
            "deliberation.odt",
            {
                "mimetype": ODT_MIMETYPE,
                "content.xml": b'<office:document><script:event-listener xlink:href="vnd.sun.star.script:Standard.'
                b'Module1.Main?language=Basic&amp;location=document"/></office:document>',
            },
            "il déclenche des macros à l'ouverture",
        ),
        (
            "lettre.docx",
            {
                "[Content_Types].xml": b"<Types/>",
                "word/document.xml": b'<w:document><w:instrText> DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"'
                b"</w:instrText></w:document>",
            },
            "il contient un champ DDE qui lance une commande",
        ),
    ],
)
def test_an_office_file_with_macros_is_refused_with_a_french_reason(name, members, reason):
    message = refusal(name, zipped(members))
    assert message.startswith(f"Le fichier « {name} » est refusé : {reason}")
    assert "enregistrez-le de nouveau sans ce contenu" in message


def test_documents_written_by_office_libraries_are_accepted():
    import docx
    import openpyxl
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = docx.Document()
    document.add_paragraph("Lettre d'engagement du partenaire.")
    docx_bytes = io.BytesIO()
    document.save(docx_bytes)
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = 62000
    xlsx_bytes = io.BytesIO()
    workbook.save(xlsx_bytes)
    text = OpenDocumentText()
    text.text.addElement(P(text="Délibération du conseil communautaire."))
    odt_bytes = io.BytesIO()
    text.write(odt_bytes)
    for name, content in (
        ("lettre.docx", docx_bytes.getvalue()),
        ("budget.xlsx", xlsx_bytes.getvalue()),
        ("deliberation.odt", odt_bytes.getvalue()),
    ):
        assert attachment_check(name=name, stream=io.BytesIO(content)).size == len(content)


# -- PDF -----------------------------------------------------------------------------------------------------------
def pdf(*objects: bytes) -> bytes:
    """A well-formed PDF (cross-reference table, trailer) made of ``objects`` numbered from 1."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_with_object_stream(action: bytes) -> bytes:
    """A PDF 1.5 whose /OpenAction (object 4) sits in a compressed object stream: invisible in the raw bytes."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>"
    for number, body in ((1, catalog), (2, PAGES), (3, PAGE)):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    header = b"4 0 "
    packed = zlib.compress(header + action)
    offsets[5] = len(out)
    out += b"5 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        len(header),
        len(packed),
    )
    out += packed + b"\nendstream\nendobj\n"
    xref = len(out)
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3)]
    rows += [struct.pack(">BIH", 2, 5, 0), struct.pack(">BIH", 1, offsets[5], 0), struct.pack(">BIH", 1, xref, 0)]
    table = zlib.compress(b"".join(rows))
    out += b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n" % (
        len(table)
    )
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def written_pdf(**actions) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if "js" in actions:
        writer.add_open_action(JavaScript(actions["js"]))
    if "attachment" in actions:
        writer.add_attachment("facture.xml", actions["attachment"])
    if "user_password" in actions:
        writer.encrypt(user_password=actions["user_password"], owner_password="proprietaire", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", PAGES, PAGE, b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"), "il contient du JavaScript"),
        (pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> >>", PAGES, PAGE), "il contient du JavaScript"),
        (pdf_with_object_stream(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"), "il contient du JavaScript"),
        (pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>", PAGES, PAGE), "il contient une action qui lance un programme"),
        (written_pdf(js="app.alert('bonjour');"), "il contient du JavaScript"),
        (written_pdf(attachment=b"<facture/>"), "il contient des fichiers incorporés"),
        (pdf(b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /XFA 4 0 R >> >>", PAGES, PAGE, b"<< >>"), "il contient un formulaire dynamique (XFA)"),
    ],
)  # fmt: skip
def test_a_pdf_with_active_content_is_refused(content, reason):
    message = refusal("statuts.pdf", content)
    assert message.startswith(f"Le fichier « statuts.pdf » est refusé : {reason} ;")


def test_javascript_hidden_in_a_compressed_object_stream_is_found_by_structure():
    content = pdf_with_object_stream(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
    assert b"JavaScript" not in content
    assert "il contient du JavaScript" in refusal("statuts.pdf", content)


@pytest.mark.parametrize(
    "content",
    [
        pdf(CATALOG, PAGES, PAGE),
        pdf_with_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>"),
        written_pdf(),
        written_pdf(user_password=""),  # « protected » for printing only: readable without a password, checked
    ],
)
def test_a_plain_pdf_is_accepted(content):
    assert attachment_check(name="statuts.pdf", stream=io.BytesIO(content)).format.code == "pdf"


def test_a_pdf_made_by_weasyprint_is_accepted():
    from weasyprint import HTML

    content = HTML(string="<h1>Statuts de l'association</h1><p>Article 1.</p>").write_pdf()
    assert attachment_check(name="statuts.pdf", stream=io.BytesIO(content)).size == len(content)


def test_a_pdf_locked_by_a_password_is_refused():
    assert "il est protégé par un mot de passe" in refusal("rib.pdf", written_pdf(user_password="secret"))


def test_a_pdf_with_an_archive_appended_is_refused():
    message = refusal("statuts.pdf", PDF + zipped({"charge.exe": b"MZ" + b"\0" * 64}))
    assert message == "Le fichier « statuts.pdf » est refusé : il contient aussi une archive ZIP cachée."


def test_a_pdf_with_data_after_its_last_eof_is_refused():
    message = refusal("statuts.pdf", PDF + b"<html><script>alert(1)</script></html>")
    assert "des données ont été ajoutées après la fin du PDF" in message


# -- images and polyglots ------------------------------------------------------------------------------------------
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>'


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_a_png_followed_by_svg_script_is_refused():
    message = refusal("rib.png", PNG + SVG)
    assert message == "Le fichier « rib.png » est refusé : des données ont été ajoutées après la fin de l'image."


def test_a_png_carrying_script_in_a_text_chunk_is_refused():
    iend = PNG.index(b"IEND") - 4
    content = PNG[:iend] + png_chunk(b"tEXt", b"Comment\0" + SVG) + PNG[iend:]
    assert "l'image contient du code (SVG, HTML ou script)" in refusal("rib.png", content)


def test_a_png_with_a_damaged_chunk_is_refused():
    damaged = bytearray(PNG)
    damaged[20] ^= 0xFF  # inside IHDR: its CRC no longer matches
    assert "ce n'est pas une image PNG intègre" in refusal("rib.png", bytes(damaged))


def test_a_png_that_is_also_a_zip_is_refused():
    assert "il contient aussi une archive ZIP cachée" in refusal("rib.png", PNG + zipped({"a.txt": b"a"}))


def test_a_jpeg_followed_by_html_is_refused():
    assert "des données ont été ajoutées après la fin de l'image" in refusal("photo.jpg", JPEG + b"<html>" + SVG)


def test_a_jpeg_carrying_svg_in_a_comment_is_refused():
    comment = b"\xff\xfe" + struct.pack(">H", len(SVG) + 2) + SVG
    assert "l'image contient du code" in refusal("photo.jpg", JPEG[:2] + comment + JPEG[2:])


def test_a_truncated_jpeg_is_refused():
    assert "ce n'est pas une image JPEG intègre" in refusal("photo.jpg", JPEG[:-2])


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [("statuts.pdf", PDF, "text/html"), ("rib.png", PNG, "image/svg+xml"), ("lettre.docx", DOCX, "application/pdf")],
)
def test_a_declared_type_that_contradicts_the_content_is_refused(name, content, declared):
    message = refusal(name, content, declared)
    assert f"votre navigateur l'annonce comme « {declared} », ce qui ne correspond pas à son contenu" in message


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("statuts.pdf", PDF, "application/pdf"),
        ("statuts.pdf", PDF, "application/octet-stream"),
        ("photo.jpg", JPEG, "image/pjpeg"),
        ("lettre.docx", DOCX, "application/x-zip-compressed"),
        ("budget.xlsx", XLSX, ""),
        ("deliberation.odt", ODT, "application/vnd.oasis.opendocument.text"),
    ],
)
def test_a_declared_type_that_agrees_or_says_nothing_is_accepted(name, content, declared):
    assert attachment_check(name=name, stream=io.BytesIO(content), content_type=declared).name == name


# -- oversize bodies -----------------------------------------------------------------------------------------------
class CountingStream(io.BytesIO):
    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.delivered = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.delivered += len(data)
        return data


def test_the_upload_handler_stops_reading_the_body_once_a_file_passes_the_limit(settings):
    settings.PACTES_ATTACHMENT_MAX_BYTES = 1024 * 1024
    boundary = "frontiere"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nstatuts\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="gros.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"0" * (6 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    stream = CountingStream(body)
    request = HttpRequest()
    handlers = [SizeLimitUploadHandler(request), MemoryFileUploadHandler(request), TemporaryFileUploadHandler(request)]
    meta = {"CONTENT_TYPE": f"multipart/form-data; boundary={boundary}", "CONTENT_LENGTH": str(len(body))}
    post, files = MultiPartParser(meta, stream, handlers, "utf-8").parse()
    assert post["kind"] == "statuts"
    assert "file" not in files
    assert stream.delivered < 1024 * 1024 + 3 * 64 * 1024  # of 6 Mo sent
    assert upload_refusal(request).startswith("Le fichier « gros.pdf » dépasse 1\u00a0Mo, la taille maximale")


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def post_piece(client, draft, name, content, **extra):
    url = reverse("filing:attachments", args=[draft.reference])
    data = {"kind": AttachmentKind.STATUTES, "file": SimpleUploadedFile(name, content, content_type="application/pdf")}
    return client.post(url, data, **extra)


@pytest.fixture
def small_limit(settings, media_root):
    settings.PACTES_ATTACHMENT_MAX_BYTES = 64 * 1024
    settings.PACTES_UPLOAD_MARGIN_BYTES = 8 * 1024
    return settings


def big_pdf(size: int) -> bytes:
    return PDF[:-6] + b"%" + b"0" * size + b"\n%%EOF\n"


def test_an_oversize_body_is_refused_on_its_length_and_keeps_the_pieces_already_attached(
    client, draft, applicant, small_limit, media_root
):
    client.force_login(applicant)
    url = reverse("filing:attachments", args=[draft.reference])
    assert post_piece(client, draft, "statuts.pdf", PDF).status_code == 302
    response = post_piece(client, draft, "annexes.pdf", big_pdf(600 * 1024), HTTP_REFERER=f"http://testserver{url}")
    assert response.status_code == 302
    assert response["Location"] == f"http://testserver{url}"
    page = page_text(client.get(url))
    assert "Votre envoi (600\u00a0ko) dépasse 64\u00a0ko, la taille maximale d'un fichier : il n'a pas été reçu" in page
    assert "statuts.pdf" in page
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["statuts.pdf"]
    assert len(stored_files(media_root)) == 1


def test_a_file_over_the_limit_inside_an_allowed_body_is_stopped_by_the_upload_handler(
    client, draft, applicant, small_limit, media_root
):
    small_limit.PACTES_UPLOAD_MARGIN_BYTES = 1024 * 1024  # the announced length passes; the file itself does not
    client.force_login(applicant)
    url = reverse("filing:attachments", args=[draft.reference])
    response = post_piece(client, draft, "annexes.pdf", big_pdf(200 * 1024), HTTP_REFERER=url)
    assert response.status_code == 302
    page = page_text(client.get(url))
    assert "Le fichier « annexes.pdf » dépasse 64\u00a0ko, la taille maximale : il n'a pas été reçu." in page
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_an_oversize_body_without_a_page_to_return_to_is_a_bad_request(client, draft, applicant, small_limit):
    client.force_login(applicant)
    response = post_piece(client, draft, "annexes.pdf", big_pdf(600 * 1024))
    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_a_refused_file_shows_its_french_reason_on_the_attachments_page(client, draft, applicant, media_root):
    client.force_login(applicant)
    response = post_piece(client, draft, "statuts.pdf", PDF + b"<svg onload=alert(1)>")
    assert response.status_code == 200
    assert "est refusé : des données ont été ajoutées après la fin du PDF" in page_text(response)
    assert not Attachment.objects.exists()


# -- ClamAV --------------------------------------------------------------------------------------------------------
INFECTED_PDF = PDF[:-6] + b"%" + EICAR + b"\n%%EOF\n"


def test_a_file_in_which_clamd_finds_eicar_is_refused_logged_and_not_stored(
    clamd_tcp, draft, applicant, media_root, caplog
):
    with caplog.at_level(logging.WARNING, logger="pactes"), pytest.raises(AttachmentRefused) as refused:
        attachment_add(
            dossier=draft, kind=AttachmentKind.RIB, name="rib.pdf", stream=io.BytesIO(INFECTED_PDF), by=applicant
        )
    assert str(refused.value) == (
        "Le fichier « rib.pdf » est refusé : l'antivirus y a détecté un logiciel malveillant (Eicar-Signature). "
        "Il n'a pas été enregistré."
    )
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert draft.reference in record.getMessage()
    assert f"utilisateur {applicant.pk}" in record.getMessage()
    assert "signature Eicar-Signature" in record.getMessage()
    assert clamd_tcp.scanned == [INFECTED_PDF]
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_an_infected_upload_shows_the_french_refusal_on_the_page(client, clamd_unix, draft, applicant, media_root):
    client.force_login(applicant)
    response = post_piece(client, draft, "rib.pdf", INFECTED_PDF)
    assert "l'antivirus y a détecté un logiciel malveillant (Eicar-Signature)" in page_text(response)
    assert not Attachment.objects.exists()


def test_when_clamd_is_down_the_upload_is_refused_and_the_error_logged(
    clamd_down, draft, applicant, media_root, caplog
):
    with caplog.at_level(logging.ERROR, logger="pactes"), pytest.raises(AttachmentRefused) as refused:
        attachment_add(dossier=draft, kind=AttachmentKind.RIB, name="rib.pdf", stream=io.BytesIO(PDF), by=applicant)
    assert "l'analyse antivirus est momentanément indisponible. Réessayez dans quelques minutes." in str(refused.value)
    assert any(r.levelno == logging.ERROR and draft.reference in r.getMessage() for r in caplog.records)
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("daemon", ["clamd_tcp", "clamd_unix"])
def test_a_clean_file_passes_through_clamd_and_is_stored(daemon, request, draft, applicant, media_root):
    server = request.getfixturevalue(daemon)
    piece = attachment_add(dossier=draft, kind=AttachmentKind.RIB, name="rib.pdf", stream=io.BytesIO(PDF), by=applicant)
    assert server.scanned == [PDF]
    assert (media_root / piece.file.name).read_bytes() == PDF
