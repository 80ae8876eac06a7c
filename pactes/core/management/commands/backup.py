"""``manage.py backup OUT``: one archive with the database, the uploaded files and their SHA-256 manifest."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pactes.core.backup import BackupError, backup_create, object_storages


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de données (API de sauvegarde de SQLite ou pg_dump au format custom) et les fichiers "
        "déposés dans une archive OUT (.tar, .tar.gz, .tgz ou .tar.zst) avec le manifeste de leurs empreintes SHA-256."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="chemin de l'archive à écrire, par exemple /srv/sauvegardes/pactes.tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        try:
            manifest = backup_create(out=out)
        except BackupError as exc:
            raise CommandError(f"Sauvegarde impossible, rien n'a été écrit : {exc}") from exc
        size = out.stat().st_size
        self.stdout.write(
            f"Sauvegarde écrite : {out} ({size:,} octets) — base {manifest.engine}, "
            f"{sum(manifest.counts.values()):,} lignes dans {len(manifest.counts)} tables, "
            f"{sum(1 for name in manifest.files if name.startswith('files/'))} fichiers, "
            f"manifeste de {len(manifest.files)} empreintes SHA-256.".replace(",", " ")
        )
        for alias, bucket in object_storages().items():
            self.stdout.write(
                f"Fichiers du stockage « {alias} » : bucket {bucket}, hors de l'archive — ils sont gardés par le "
                "versionnement et la réplication du bucket (docs/deployment.md, « Sauvegardes »)."
            )
