"""``manage.py dossier_export N``: prints a dossier in the ``pactes.dossier/1`` format (N: its reference or id)."""

import json
from typing import Any

from django.core.management.base import CommandParser

from pactes.dossiers.interchange import canonical_json, dossier_to_document
from pactes.dossiers.management.commands.dossier_check import InterchangeCommand
from pactes.dossiers.models import Dossier


class Command(InterchangeCommand):
    help = (
        "Affiche un dossier au format pactes.dossier/1 (N : numéro de dossier, ex. PTS-2024-09-0001, ou identifiant)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dossier", help="Numéro du dossier (PTS-…) ou identifiant numérique.")
        parser.add_argument(
            "--canonical", action="store_true", help="JSON canonique (clés triées, sans espaces), celui qui est haché."
        )

    def handle(self, *args: object, **options: Any) -> None:
        key = str(options["dossier"]).strip()
        dossier = Dossier.objects.filter(reference__iexact=key).first()
        if dossier is None and key.isdigit():
            dossier = Dossier.objects.filter(pk=int(key)).first()
        if dossier is None:
            raise self.fail(f"Aucun dossier n'a le numéro ou l'identifiant « {key} ».", status=1)
        document = dossier_to_document(dossier)
        text = canonical_json(document) if options["canonical"] else json.dumps(document, ensure_ascii=False, indent=2)
        self.stdout.write(text)
