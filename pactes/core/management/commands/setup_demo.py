"""Loads reference data, the calls and the demo, idempotently: what a demo user changed is kept.

Reference data is imported only when missing (``--refresh`` re-imports it); the demonstration call is reloaded so
that its filing is open today; demo accounts and dossiers are created only when absent.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from pactes.calls.models import Call, Measure
from pactes.calls.selectors import current_eligible_list
from pactes.core import demo
from pactes.territories.models import Epci, IndicatorValue

TERRITORIES_DATA = settings.BASE_DIR / "pactes" / "territories" / "data"
CALLS_DATA = settings.PACTES_CALLS_DIR


class Command(BaseCommand):
    help = "Charge les données de référence, les appels et les données de démonstration (idempotent)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--refresh", action="store_true", help="Réimporte les données de référence.")

    def handle(self, *args: object, **options: object) -> None:
        refresh = bool(options["refresh"])
        if refresh or Epci.objects.count() == 0:
            call_command("import_territories", stdout=self.stdout)
        if refresh or not IndicatorValue.objects.exists():
            call_command("import_indicators", str(TERRITORIES_DATA / "occitanie_epci_filosofi2019.csv"), stdout=self.stdout)
            call_command(
                "import_indicators",
                str(TERRITORIES_DATA / "occitanie_filosofi2019_departements_region.csv"),
                stdout=self.stdout,
            )
        if refresh or not Measure.objects.exists():
            call_command("import_measures", str(CALLS_DATA / "pacte_des_solidarites.yaml"), stdout=self.stdout)
        call_command("load_calls", stdout=self.stdout)
        for call in Call.objects.all():
            if current_eligible_list(call) is None:
                call_command("build_indicative_list", call.slug, stdout=self.stdout)

        accounts = demo.ensure_demo_accounts()
        for call in Call.objects.all():
            demo.ensure_demo_dossiers(call)

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Comptes de démonstration (mot de passe : pactes-demo)"))
        for email, role, scope in accounts:
            self.stdout.write(f"  {email:<28} {role:<24} {scope}")
        self.stdout.write("")
