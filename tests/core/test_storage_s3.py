"""Uploads and generated documents on S3-compatible object storage (ADR 0047), against a real S3 server: moto's
ThreadedMotoServer, started by the test on a free port and spoken to over HTTP by django-storages (boto3), exactly as
a production bucket would be.

A piece uploaded through the page lands in the bucket (not in MEDIA_ROOT), comes back through the platform's view
only (hash checked, scope checked: another département gets 404), never as a bucket URL; the receipt generated at
filing lands in the bucket too; a changed or vanished object is refused by the download and reported by the
verification of the record; the backup leaves the bucket out and says where its files are kept."""

import hashlib
import io
import tarfile
import uuid

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from moto.server import ThreadedMotoServer

from pactes.core.backup import Manifest, file_roots, object_storages
from pactes.core.deployment import default_storage_settings
from pactes.core.integrity import verify
from pactes.core.management.commands import backup as backup_command
from pactes.core.storage import PrivateS3Storage
from pactes.dossiers.models import Attachment
from tests.dossiers.fixtures import file_it
from tests.dossiers.test_attachments import PDF
from tests.web.test_filing_web import download_url, instructor_of, upload

CREDENTIALS = {"aws_access_key_id": "pactes-test", "aws_secret_access_key": "pactes-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A fresh private bucket, made the default storage of the test through the production settings' function."""
    name = f"pactes-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-3", **CREDENTIALS)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    env = {
        "PACTES_S3_BUCKET": name,
        "PACTES_S3_ENDPOINT_URL": s3_endpoint,
        "PACTES_S3_REGION": "eu-west-3",
        "PACTES_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "PACTES_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "PACTES_S3_PREFIX": "uploads",
        "PACTES_S3_PATH_STYLE": "1",
    }
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_settings(env)}
    client.bucket_name = name
    return client


def keys(bucket) -> list[str]:
    return sorted(o["Key"] for o in bucket.list_objects_v2(Bucket=bucket.bucket_name).get("Contents", []))


def test_the_default_storage_is_the_private_bucket(bucket):
    name = default_storage.save("essai/bonjour.txt", ContentFile(b"bonjour"))
    assert isinstance(default_storage._wrapped, PrivateS3Storage)
    assert keys(bucket) == [f"uploads/{name}"]
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == b"bonjour"
    with pytest.raises(NotImplementedError, match="vues de la plateforme"):
        default_storage.url(name)  # no bucket address, public or signed, can be made


def test_a_piece_goes_to_the_bucket_and_comes_back_only_through_the_view(
    client, draft, applicant, media_root, bucket, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    assert upload(client, draft, "statuts.pdf", PDF).status_code == 302
    piece = Attachment.objects.get(dossier=draft)
    assert f"uploads/{piece.file.name}" in keys(bucket)
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))
    assert piece.sha256 == hashlib.sha256(PDF).hexdigest()

    response = client.get(download_url(piece))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == piece.sha256
    assert response["Cache-Control"] == "private, no-store"
    assert bucket.bucket_name not in str(response.headers) and "Amz" not in str(response.headers)

    page = client.get(reverse("filing:attachments", args=[draft.reference])).content.decode()
    assert bucket.bucket_name not in page and "X-Amz" not in page

    version = file_it(draft, applicant, django_capture_on_commit_callbacks)
    assert f"uploads/{version.receipt_pdf.name}" in keys(bucket)  # the generated receipt is in the bucket too
    receipt = client.get(reverse("filing:receipt", args=[draft.reference, version.number]))
    assert receipt.status_code == 200
    assert b"".join(receipt.streaming_content).startswith(b"%PDF-")

    client.force_login(instructor_of("09"))
    assert client.get(download_url(piece)).status_code == 200
    client.force_login(instructor_of("11"))
    assert client.get(download_url(piece)).status_code == 404
    assert client.get(reverse("filing:receipt", args=[draft.reference, version.number])).status_code == 404


def test_an_object_changed_in_the_bucket_is_refused_and_reported(client, draft, applicant, bucket):
    client.force_login(applicant)
    upload(client, draft, "statuts.pdf", PDF)
    piece = Attachment.objects.get(dossier=draft)
    bucket.put_object(Bucket=bucket.bucket_name, Key=f"uploads/{piece.file.name}", Body=PDF + b"% altered")

    response = client.get(download_url(piece))
    assert response.status_code == 409
    assert "Empreinte non conforme" in response.content.decode()
    report = verify()
    expected = f"recalculée {hashlib.sha256(PDF + b'% altered').hexdigest()}"
    assert any("empreinte non conforme" in b.message and expected in b.message for b in report.breaks)


def test_an_object_gone_from_the_bucket_is_a_404_and_a_break_of_the_record(client, draft, applicant, bucket):
    client.force_login(applicant)
    upload(client, draft, "statuts.pdf", PDF)
    piece = Attachment.objects.get(dossier=draft)
    bucket.delete_object(Bucket=bucket.bucket_name, Key=f"uploads/{piece.file.name}")

    assert client.get(download_url(piece)).status_code == 404
    report = verify()
    assert any("introuvable" in b.message and piece.file.name in b.message for b in report.breaks)


def test_the_backup_leaves_the_bucket_out_and_names_it(bucket, tmp_path, monkeypatch):
    # the bucket's prefix (``location`` = "uploads") is not a folder of this machine: no file root is made of it
    assert set(file_roots()) == {"media"}
    assert object_storages() == {"default": bucket.bucket_name}
    # the command says where the files are (the archive itself is the engine's business: test_backup_restore.py)
    monkeypatch.setattr(backup_command, "backup_create", lambda *, out: _empty_archive(out))
    out = io.StringIO()
    call_command("backup", str(tmp_path / "sauvegarde.tar"), stdout=out)
    assert f"bucket {bucket.bucket_name}, hors de l'archive" in out.getvalue()


def _empty_archive(out):
    with tarfile.open(out, "w"):
        pass
    return Manifest(created_at="2026-12-04T02:30:00+01:00", engine="sqlite")
