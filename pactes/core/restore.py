"""Restoring a backup archive (``pactes.core.backup``) into an empty database and empty file folders.

Nothing is written before every file of the archive has been checked against the manifest's SHA-256; an existing
database or folder is never overwritten (ADR 0029).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from pactes.core.backup import (
    GZIP_MAGIC,
    MANIFEST,
    PG_FILE,
    SQLITE_FILE,
    ZSTD_MAGIC,
    BackupError,
    Manifest,
    RestoreReport,
    _run,
    engine_name,
    file_roots,
    sha256_of,
    table_counts,
)


def _plain_tar(archive: Path, folder: Path) -> Path:
    """The archive as a plain or gzip tar file that ``tarfile`` can read (a ``.tar.zst`` is decompressed first)."""
    try:
        with archive.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise BackupError(f"Archive illisible : {archive} ({exc.strerror}).") from exc
    if magic != ZSTD_MAGIC:
        return archive
    target = folder / "archive.tar"
    result = subprocess.run(  # noqa: S603
        ["zstd", "-q", "-d", "-o", str(target), str(archive)],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError("L'archive zstd n'a pas pu être décompressée.")
    return target


def _extract(archive: Path, folder: Path) -> Path:
    """Extracts the archive's regular files into ``folder/contents`` (no link, no absolute or parent path)."""
    contents = folder / "contents"
    contents.mkdir()
    try:
        with tarfile.open(_plain_tar(archive, folder), mode="r:*") as tar:
            for member in tar.getmembers():
                path = PurePosixPath(member.name)
                if not (member.isfile() or member.isdir()) or path.is_absolute() or ".." in path.parts:
                    raise BackupError(f"L'archive contient une entrée refusée : {member.name}.")
            tar.extractall(contents, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        kind = "gzip" if archive.read_bytes()[:2] == GZIP_MAGIC else "tar"
        raise BackupError(f"L'archive ({kind}) est illisible ou tronquée : {exc}.") from exc
    return contents


def _check_hashes(contents: Path, manifest: Manifest) -> None:
    present = {path.relative_to(contents).as_posix() for path in contents.rglob("*") if path.is_file()} - {MANIFEST}
    listed = set(manifest.files)
    if missing := sorted(listed - present):
        raise BackupError(f"Fichier absent de l'archive : {missing[0]} ({len(missing)} au total).")
    if extra := sorted(present - listed):
        raise BackupError(f"Fichier de l'archive absent du manifeste : {extra[0]} ({len(extra)} au total).")
    for name in sorted(listed):
        if sha256_of(contents / name) != manifest.files[name]["sha256"]:
            raise BackupError(f"Empreinte SHA-256 non conforme au manifeste : {name}.")


def _check_target_is_empty(manifest: Manifest) -> dict[str, Path]:
    if manifest.engine != engine_name():
        raise BackupError(
            f"Cette sauvegarde vient d'une base {manifest.engine} ; la base cible est {engine_name()} : "
            "restaurez-la sur le même moteur."
        )
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"La base de données cible n'est pas vide ({len(tables)} tables) : la restauration n'écrit que dans une "
            "base vide. Créez une base neuve (ou supprimez ce fichier SQLite) et relancez."
        )
    roots = file_roots()
    targets = {}
    for name in manifest.roots:
        if name not in roots:
            raise BackupError(f"Le dossier de fichiers « {name} » de la sauvegarde n'existe pas dans ces réglages.")
        root = roots[name]
        if root.exists() and any(root.iterdir()):
            raise BackupError(
                f"Le dossier des fichiers {root} n'est pas vide : la restauration n'écrit que dans un dossier vide."
            )
        targets[name] = root
    return targets


def _restore_database(contents: Path, manifest: Manifest) -> None:
    if manifest.engine == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(contents / SQLITE_FILE)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(contents / PG_FILE),
            ],
            "pg_restore",
        )
    connection.close()


def _restore_files(contents: Path, targets: dict[str, Path], manifest: Manifest) -> int:
    copied = 0
    for name, root in targets.items():
        source = contents / "files" / name
        root.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, root, dirs_exist_ok=True)
        for arcname, entry in manifest.files.items():
            parts = PurePosixPath(arcname).parts
            if parts[:2] == ("files", name):
                restored = root.joinpath(*parts[2:])
                if sha256_of(restored) != entry["sha256"]:
                    raise BackupError(f"Fichier restauré non conforme au manifeste : {restored}.")
                copied += 1
    return copied


def migration_notice() -> str:
    """Empty when the restored database matches this code's migrations; else what to do, in French."""
    loader = MigrationLoader(connection)
    unknown = sorted(
        f"{app}.{name}" for app, name in loader.applied_migrations if (app, name) not in loader.disk_migrations
    )
    if unknown:
        return f"La base restaurée a des migrations inconnues de ce code ({unknown[0]}…) : déployez la même version."
    pending = [key for key in loader.disk_migrations if key not in loader.applied_migrations]
    if pending:
        return f"{len(pending)} migrations du code ne sont pas appliquées : lancez `manage.py migrate`."
    return ""


def restore_archive(*, archive: Path) -> RestoreReport:
    """Checks the archive completely, then restores it into the empty database and folders of the settings."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"Archive introuvable : {archive}.")
    with tempfile.TemporaryDirectory(prefix="pactes-restore-") as tmp:
        contents = _extract(archive, Path(tmp))
        if not (contents / MANIFEST).is_file():
            raise BackupError("L'archive ne contient pas de manifeste (manifest.json) : ce n'est pas une sauvegarde.")
        manifest = Manifest.from_json((contents / MANIFEST).read_text(encoding="utf-8"))
        _check_hashes(contents, manifest)
        targets = _check_target_is_empty(manifest)
        _restore_database(contents, manifest)
        files = _restore_files(contents, targets, manifest)
    counts = table_counts()
    if counts != manifest.counts:
        differing = sorted(
            name for name in set(counts) | set(manifest.counts) if counts.get(name) != manifest.counts.get(name)
        )
        raise BackupError(
            f"La base restaurée ne compte pas les mêmes lignes que la sauvegarde : {', '.join(differing[:5])}."
        )
    return RestoreReport(
        engine=manifest.engine,
        created_at=manifest.created_at,
        files=files,
        rows=sum(counts.values()),
        tables=len(counts),
    )
