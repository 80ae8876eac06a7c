"""Computes the indicative list of eligible EPCI of a call (replaces its previous indicative list)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pactes.calls.models import Call
from pactes.calls.services import CallDataError, eligible_list_build_indicative


class Command(BaseCommand):
    help = "Calcule la liste indicative des EPCI éligibles d'un appel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("call_slug", help="Identifiant de l'appel")

    def handle(self, *args: object, **options: object) -> None:
        call = Call.objects.filter(slug=str(options["call_slug"])).first()
        if call is None:
            raise CommandError(f"Appel inconnu : « {options['call_slug']} ».")
        try:
            eligible_list = eligible_list_build_indicative(call=call)
        except CallDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Liste indicative de {call.slug} : {eligible_list.entries.count()} EPCI.")
