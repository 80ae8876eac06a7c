"""Backups that restore: one archive holding the database, the uploaded files and a manifest of their SHA-256.

Words: the *archive* is a tar file (``.tar``, ``.tar.gz``/``.tgz`` or ``.tar.zst``) holding ``manifest.json``,
``database/`` (``pactes.sqlite3``, copied by SQLite's online backup API, or ``pactes.pgdump``, ``pg_dump`` in its
custom format) and ``files/<root>/…``, one folder per *file root* (``MEDIA_ROOT`` and the folder of every other
file-system storage the settings define). The *manifest* lists every file of the archive with its size and SHA-256,
the row count of every table and the last migration of every app: ``restore`` checks each hash before writing
anything, restores only into an empty database and empty folders, then compares the counts (ADR 0029).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "pactes-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
SQLITE_FILE = "database/pactes.sqlite3"
PG_FILE = "database/pactes.pgdump"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
GZIP_MAGIC = b"\x1f\x8b"


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message, in French, says why and that nothing was written."""


@dataclass
class Manifest:
    created_at: str
    engine: str
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    migrations: dict[str, str] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)

    def as_json(self) -> str:
        data = {"format": FORMAT, **self.__dict__}
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise BackupError("Le manifeste de la sauvegarde est illisible (JSON invalide).") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(f"Ce fichier n'est pas une sauvegarde Pactes au format {FORMAT}.")
        try:
            return cls(
                created_at=str(data["created_at"]),
                engine=str(data["engine"]),
                files=dict(data["files"]),
                counts={str(k): int(v) for k, v in data["counts"].items()},
                migrations=dict(data["migrations"]),
                roots=list(data["roots"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackupError("Le manifeste de la sauvegarde est incomplet.") from exc


@dataclass(frozen=True)
class RestoreReport:
    engine: str
    created_at: str
    files: int
    rows: int
    tables: int


# -- what is backed up ---------------------------------------------------------------------------------------------
def file_roots() -> dict[str, Path]:
    """The folders holding uploaded or generated files, by name in the archive: ``media`` (``MEDIA_ROOT``) and
    ``storage-<alias>`` for every other file-system storage with its own ``location``."""
    roots = {"media": Path(settings.MEDIA_ROOT)}
    for alias, config in getattr(settings, "STORAGES", {}).items():
        if not _is_file_system(config):
            continue  # an object storage's ``location`` is a prefix in its bucket, not a folder (object_storages)
        location = (config.get("OPTIONS") or {}).get("location")
        if alias != "staticfiles" and location and Path(location) != roots["media"]:
            roots[f"storage-{alias}"] = Path(location)
    return roots


def _is_file_system(config: dict[str, Any]) -> bool:
    from django.core.files.storage import FileSystemStorage
    from django.utils.module_loading import import_string

    try:
        return issubclass(import_string(config["BACKEND"]), FileSystemStorage)
    except (ImportError, KeyError):
        return False


def object_storages() -> dict[str, str]:
    """The storages that are not folders (an S3 bucket), by alias, with their bucket: the archive does not hold their
    files; the bucket's versioning and replication keep them (docs/deployment.md « Sauvegardes »)."""
    found = {}
    for alias, config in getattr(settings, "STORAGES", {}).items():
        if alias != "staticfiles" and not _is_file_system(config):
            options = config.get("OPTIONS") or {}
            found[alias] = str(options.get("bucket_name", config["BACKEND"]))
    return found


def engine_name() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Moteur de base non pris en charge par la sauvegarde : {vendor}.")
    return vendor


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def table_counts() -> dict[str, int]:
    """Rows of every table of the database (Django's and the platform's)."""
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608 -- introspected
            counts[name] = int(cursor.fetchone()[0])
    return counts


def applied_migrations() -> dict[str, str]:
    """The last migration applied of every app (the restored database must match the code that reads it)."""
    last: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        last[app] = max(last.get(app, ""), name)
    return dict(sorted(last.items()))


def _pg_env() -> dict[str, str]:
    config = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(config["NAME"])}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if config.get(key):
            env[variable] = str(config[key])
    return env


def _run(command: list[str], what: str) -> None:
    try:
        result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} est introuvable : installez les outils clients de PostgreSQL.") from exc
    if result.returncode != 0:
        raise BackupError(f"{what} a échoué (code {result.returncode}) : {result.stderr.strip()[:2000]}")


# -- backup --------------------------------------------------------------------------------------------------------
def dump_database(folder: Path) -> Path:
    """The database as one file in ``folder``: SQLite's online backup API (consistent while the site runs), or
    ``pg_dump --format=custom``."""
    if engine_name() == "sqlite":
        target = folder / SQLITE_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return target
    target = folder / PG_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], "pg_dump")
    return target


def _files_under(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def backup_create(*, out: Path) -> Manifest:
    """Writes the archive ``out`` (readable by its owner only); returns its manifest. The archive appears only once
    complete: it is written next to ``out`` under a temporary name, then renamed."""
    out = Path(out)
    opener = _writer_for(out)
    manifest = Manifest(
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        engine=engine_name(),
        counts=table_counts(),
        migrations=applied_migrations(),
        roots=sorted(file_roots()),
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    with tempfile.TemporaryDirectory(prefix="pactes-backup-") as tmp:
        dump = dump_database(Path(tmp))
        members = [(dump, PurePosixPath(dump.relative_to(tmp).as_posix()))]
        for name, root in file_roots().items():
            members += [
                (path, PurePosixPath("files", name, path.relative_to(root).as_posix())) for path in _files_under(root)
            ]
        for path, arcname in members:
            manifest.files[str(arcname)] = {"sha256": sha256_of(path), "size": path.stat().st_size}
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw, opener(raw) as archive:
            payload = manifest.as_json().encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(payload)
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(payload))
            for path, arcname in members:
                archive.add(path, arcname=str(arcname), recursive=False)
    partial.replace(out)
    return manifest


class _ZstdWriter:
    """A tar archive written through the ``zstd`` program (``.tar.zst``): Python 3.13 has no zstd module."""

    def __init__(self, raw: Any) -> None:
        self.process = subprocess.Popen(["zstd", "-q", "-c"], stdin=subprocess.PIPE, stdout=raw)  # noqa: S607
        self.archive = tarfile.open(fileobj=self.process.stdin, mode="w|")  # noqa: SIM115

    def __enter__(self) -> tarfile.TarFile:
        return self.archive

    def __exit__(self, *exc: object) -> None:
        self.archive.close()
        assert self.process.stdin is not None
        self.process.stdin.close()
        if self.process.wait() != 0 and exc[0] is None:
            raise BackupError("La compression zstd a échoué.")


def _writer_for(out: Path) -> Any:
    name = out.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        return lambda raw: tarfile.open(fileobj=raw, mode="w:gz")
    if name.endswith(".tar.zst"):
        if shutil.which("zstd") is None:
            raise BackupError("Le programme zstd est introuvable : choisissez une archive .tar.gz.")
        return _ZstdWriter
    if name.endswith(".tar"):
        return lambda raw: tarfile.open(fileobj=raw, mode="w")
    raise BackupError(f"Nom d'archive non reconnu : {out.name} (attendu : .tar, .tar.gz, .tgz ou .tar.zst).")
