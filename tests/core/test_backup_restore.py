"""`backup` then `restore` on another database and another folder: the demo comes back whole (same rows, same file
hashes, the same receipt downloaded by its applicant). The round trip runs on the engine of the test run: SQLite by
default, PostgreSQL with DATABASE_URL (the restored copy is a database created by the test, then dropped).

The restore runs in a subprocess, as an operator would run it, with its own DATABASE_URL and PACTES_VAR_DIR."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from pactes.core.backup import MANIFEST, sha256_of, table_counts
from pactes.dossiers.models import DossierVersion
from pactes.territories.testing import load_reference_data

# engine: the round trip runs on SQLite (the demo's engine) and on PostgreSQL (CI runs `make test-engine` on SQLite).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]

PROBE = """
import hashlib, json, sys
from pathlib import Path
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
from pactes.accounts.models import User
from pactes.core.backup import sha256_of, table_counts
setup_test_environment()
email, url = sys.argv[1], sys.argv[2]
counts = table_counts()
root = Path(settings.MEDIA_ROOT)
files = {p.relative_to(root).as_posix(): sha256_of(p) for p in sorted(root.rglob("*")) if p.is_file()}
client = Client()
client.force_login(User.objects.get(email=email))
response = client.get(url)
body = b"".join(response.streaming_content) if response.streaming else response.content
print(json.dumps({"status": response.status_code, "receipt": hashlib.sha256(body).hexdigest(), "counts": counts,
                  "files": files}))
"""


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    return load_reference_data()


@pytest.fixture
def elsewhere(tmp_path):
    """Another, empty place to restore into: a SQLite file (or a new PostgreSQL database) and an uploads folder;
    the environment of a process that uses them."""
    var = tmp_path / "restored"
    var.mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PACTES_VAR_DIR": str(var)}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{var / 'pactes.sqlite3'}"
        yield env
        return
    config = connection.settings_dict
    name = f"pactes_i11b_restore_{uuid.uuid4().hex[:8]}"
    server = dict(host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432, user=config["USER"] or "postgres")
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"
    yield env
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )


def probe(env, email, url):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, email, url], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def media_hashes():
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): sha256_of(p) for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_demo_backed_up_comes_back_whole_elsewhere(tmp_path, elsewhere):
    call_command("setup_demo", stdout=io.StringIO())
    version = DossierVersion.objects.exclude(receipt_pdf="").select_related("dossier").order_by("pk").first()
    applicant = version.submitted_by
    receipt_url = reverse("filing:receipt", args=[version.dossier.reference, version.number])
    with version.receipt_pdf.open("rb") as handle:
        receipt_hash = hashlib.sha256(handle.read()).hexdigest()
    counts, files = table_counts(), media_hashes()
    assert len(files) > 5  # receipts, pieces, minutes, letters, conventions

    archive = tmp_path / "pactes.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "Sauvegarde écrite" in out.getvalue()
    assert archive.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only

    restored = manage(elsewhere, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "toutes les empreintes SHA-256 conformes" in restored.stdout
    assert "Registre intact" in restored.stdout  # the restore ends with verify_integrity

    seen = probe(elsewhere, applicant.email, receipt_url)
    # Every table comes back as it was, plus the one verification the restore ran and recorded.
    assert seen["counts"] == {**counts, "core_integritycheck": counts["core_integritycheck"] + 1}
    assert seen["files"] == files
    assert seen["status"] == 200
    assert seen["receipt"] == receipt_hash

    again = manage(elsewhere, "restore", str(archive))
    assert again.returncode != 0
    assert "n'est pas vide" in again.stderr


def test_the_manifest_lists_every_file_with_its_sha256_and_the_row_counts(tmp_path):
    (Path(settings.MEDIA_ROOT) / "pieces").mkdir(parents=True)
    (Path(settings.MEDIA_ROOT) / "pieces" / "statuts.pdf").write_bytes(b"%PDF-1.7 statuts")
    archive = tmp_path / "pactes.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        names = {m.name for m in tar.getmembers()} - {MANIFEST}
    assert manifest["format"] == "pactes-backup/1"
    assert set(manifest["files"]) == names
    assert (
        manifest["files"]["files/media/pieces/statuts.pdf"]["sha256"] == hashlib.sha256(b"%PDF-1.7 statuts").hexdigest()
    )
    assert manifest["counts"] == table_counts()
    assert manifest["counts"]["territories_departement"] >= 13
    assert manifest["engine"] == connection.vendor


def test_a_zstd_archive_is_written_and_restored(tmp_path, elsewhere):
    archive = tmp_path / "pactes.tar.zst"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert archive.read_bytes()[:4] == b"\x28\xb5\x2f\xfd"
    restored = manage(elsewhere, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr


def test_restore_refuses_an_archive_whose_file_was_changed_and_writes_nothing(tmp_path, elsewhere):
    (Path(settings.MEDIA_ROOT) / "pieces").mkdir(parents=True)
    (Path(settings.MEDIA_ROOT) / "pieces" / "budget.pdf").write_bytes(b"%PDF-1.7 budget 57000")
    archive = tmp_path / "pactes.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    tampered = tmp_path / "altered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "files/media/pieces/budget.pdf":
                data = data.replace(b"57000", b"07000")
            target.addfile(member, io.BytesIO(data))

    refused = manage(elsewhere, "restore", str(tampered))
    assert refused.returncode != 0
    assert "Empreinte SHA-256 non conforme au manifeste : files/media/pieces/budget.pdf" in refused.stderr
    assert not (Path(elsewhere["PACTES_VAR_DIR"]) / "test-uploads").exists()


def test_backup_refuses_an_unknown_archive_name_in_french(tmp_path):
    with pytest.raises(CommandError, match="Nom d'archive non reconnu"):
        call_command("backup", str(tmp_path / "pactes.zip"), stdout=io.StringIO())
    assert not list(tmp_path.iterdir())


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    junk = tmp_path / "notes.tar.gz"
    junk.write_bytes(b"pas une archive")
    with pytest.raises(CommandError, match="Restauration refusée"):
        call_command("restore", str(junk), stdout=io.StringIO())
