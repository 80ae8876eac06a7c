"""Imports the axes and measures of the Pacte des solidarités (idempotent, never deletes)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pactes.calls.services import CallDataError, measures_import


class Command(BaseCommand):
    help = "Importe les axes et mesures du Pacte des solidarités depuis un fichier YAML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Fichier YAML du Pacte des solidarités")

    def handle(self, *args: object, **options: object) -> None:
        try:
            counts = measures_import(path=str(options["file"]))
        except CallDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Axes : {counts['axes_created']} créés, {counts['axes_updated']} mis à jour ; "
            f"mesures : {counts['measures_created']} créées, {counts['measures_updated']} mises à jour."
        )
