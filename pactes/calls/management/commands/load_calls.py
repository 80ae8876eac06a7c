"""Loads the calls from their YAML files (idempotent): base calls first, then the demo calls derived from them."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pactes.calls.services import CallDataError, call_files_in_order, call_load
from pactes.rules.call_config import CallConfigError


class Command(BaseCommand):
    help = "Charge les appels depuis leurs fichiers YAML (par défaut : tous ceux de PACTES_CALLS_DIR)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="Fichiers YAML d'appels (par défaut : le dossier des appels).")

    def handle(self, *args: object, **options: object) -> None:
        files = [Path(str(f)) for f in options["files"]] or sorted(Path(settings.PACTES_CALLS_DIR).glob("*.yaml"))
        try:
            for path in call_files_in_order(files):
                call = call_load(path=path)
                shift = f" (dates décalées de {call.date_offset_days} jours)" if call.is_demo else ""
                self.stdout.write(f"Appel chargé : {call.slug}{shift}")
        except (CallDataError, CallConfigError) as exc:
            raise CommandError(str(exc)) from exc
