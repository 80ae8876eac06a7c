"""Loads reference data, the calls and the demo, idempotently: what a demo user changed is kept."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Charge les données de référence, les appels et les données de démonstration (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        call_command("check")
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
