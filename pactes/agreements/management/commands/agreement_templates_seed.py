"""Seeds the default convention template (version 1) of every call that has none."""

from typing import Any

from django.core.management.base import BaseCommand

from pactes.agreements.models import AgreementTemplate
from pactes.agreements.services import agreement_template_current
from pactes.calls.models import Call


class Command(BaseCommand):
    help = "Crée le modèle de convention par défaut des appels qui n'en ont pas."

    def handle(self, *args: Any, **options: Any) -> None:
        for call in Call.objects.all():
            had = AgreementTemplate.objects.filter(call=call).exists()
            template = agreement_template_current(call=call)
            state = "déjà présent" if had else "créé"
            self.stdout.write(f"{call.slug} : modèle de convention version {template.version} ({state}).")
