"""Imports the official list of eligible EPCI (annex 1) of a call from a CSV file with a SIREN column."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pactes.calls.models import Call
from pactes.calls.services import CallDataError, eligible_list_import_official, parse_siren_csv


class Command(BaseCommand):
    help = "Importe la liste officielle des EPCI éligibles (annexe 1) d'un appel depuis un CSV (colonne siren)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("call_slug", help="Identifiant de l'appel")
        parser.add_argument(
            "file", help="Fichier CSV (en-tête « siren » ou SIREN en première colonne ; « ; » ou « , »)"
        )

    def handle(self, *args: object, **options: object) -> None:
        call = Call.objects.filter(slug=str(options["call_slug"])).first()
        if call is None:
            raise CommandError(f"Appel inconnu : « {options['call_slug']} ».")
        path = Path(str(options["file"]))
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Fichier illisible : {path} ({exc}).") from exc
        try:
            eligible_list = eligible_list_import_official(call=call, sirens=parse_siren_csv(text), source=path.name)
        except CallDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Liste officielle de {call.slug} : {eligible_list.entries.count()} EPCI importés.")
