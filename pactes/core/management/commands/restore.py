"""``manage.py restore ARCHIVE``: restores a backup into an empty database and empty file folders, then checks the
record with ``verify_integrity`` when the platform has it."""

from pathlib import Path
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pactes.core.backup import BackupError
from pactes.core.restore import migration_notice, restore_archive


class Command(BaseCommand):
    help = (
        "Restaure une archive écrite par `backup` dans une base de données vide et des dossiers de fichiers vides "
        "(refuse sinon), après avoir vérifié chaque empreinte SHA-256 du manifeste, puis lance verify_integrity."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="l'archive écrite par `manage.py backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore_archive(archive=Path(options["archive"]))
        except BackupError as exc:
            raise CommandError(f"Restauration refusée : {exc}") from exc
        self.stdout.write(
            f"Sauvegarde du {report.created_at} restaurée (base {report.engine}) : {report.rows} lignes dans "
            f"{report.tables} tables, {report.files} fichiers, toutes les empreintes SHA-256 conformes au manifeste."
        )
        if notice := migration_notice():
            self.stdout.write(notice)
        if "verify_integrity" not in get_commands():
            self.stdout.write(
                "Vérification du registre : la commande verify_integrity n'existe pas dans cette version."
            )
            return
        self.stdout.write("Vérification du registre (verify_integrity) :")
        try:
            call_command("verify_integrity", stdout=self.stdout, stderr=self.stderr)
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise CommandError("Le registre restauré n'est pas intègre : voir le rapport ci-dessus.") from exc
