"""Loads reference data, the calls and the demo, idempotently: what a demo user changed is kept.

Reference data is imported only when missing (``--refresh`` re-imports it); the calls are reloaded (the
demonstration call moves so that its filing is open today); eligible lists, demo accounts and demo dossiers are
created only when absent, and so are the dossiers showing every stage after filing on the real call
(``pactes.demo.scenario``).

The demo's people are fictional and its scenario fires acts that e-mail them: the command refuses to run unless every
mailer of ``MAILERS`` sends nothing (``make demo-data`` sets ``PACTES_MAIL_BACKEND`` to the dummy backend; the tests'
in-memory mailer is accepted too).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pactes.calls.models import Call, Measure
from pactes.calls.selectors import current_eligible_list
from pactes.demo.accounts import ensure_demo_accounts, ensure_stage_accounts
from pactes.demo.dossiers import ensure_demo_dossiers
from pactes.demo.ds import ensure_demo_ds_import
from pactes.demo.scenario import ensure_demo_stages
from pactes.territories.models import Epci, IndicatorValue
from pactes.territories.services import SHIPPED_INDICATOR_FILES

TERRITORIES_DATA = settings.BASE_DIR / "pactes" / "territories" / "data"
SILENT_MAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    }
)


def delivering_mailers() -> dict[str, str]:
    """The mailers of ``MAILERS`` that would send or print mail (alias → backend); Django's default backend is SMTP."""
    backends = {
        alias: config.get("BACKEND", "django.core.mail.backends.smtp.EmailBackend")
        for alias, config in settings.MAILERS.items()
    }
    return {alias: backend for alias, backend in backends.items() if backend not in SILENT_MAIL_BACKENDS}


class Command(BaseCommand):
    help = "Charge les données de référence, les appels et les données de démonstration (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--refresh", action="store_true", help="Réimporte les données de référence.")

    def handle(self, *args: object, **options: object) -> None:
        if delivering := delivering_mailers():
            mailers = ", ".join(f"« {alias} » : {backend}" for alias, backend in delivering.items())
            raise CommandError(
                "La démonstration n'envoie aucun courriel : lancez-la avec "
                f"PACTES_MAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend (messagerie {mailers})."
            )
        refresh = bool(options["refresh"])
        if refresh or not Epci.objects.exists():
            call_command("import_territories", stdout=self.stdout)
        if refresh or not IndicatorValue.objects.exists():
            for name in SHIPPED_INDICATOR_FILES:
                call_command("import_indicators", str(TERRITORIES_DATA / name), stdout=self.stdout)
        if refresh or not Measure.objects.exists():
            call_command(
                "import_measures", str(settings.PACTES_CALLS_DIR / "pacte_des_solidarites.yaml"), stdout=self.stdout
            )
        call_command("load_calls", stdout=self.stdout)
        for call in Call.objects.all():
            if current_eligible_list(call) is None:
                call_command("build_indicative_list", call.slug, stdout=self.stdout)

        accounts = ensure_demo_accounts()
        accounts += ensure_stage_accounts()
        for call in Call.objects.order_by("is_demo", "slug"):
            for dossier in ensure_demo_dossiers(call):
                self.stdout.write(f"Dossier de démonstration {dossier.reference} ({call.short_title}) créé.")
            # Every stage after filing (instruction, committee, conventions, follow-up), on the real closed call.
            stages = ensure_demo_stages(call)
            if stages:
                self.stdout.write(
                    f"{len(stages)} dossiers de démonstration de l'instruction au solde ({call.short_title}) créés : "
                    + ", ".join(d.reference for d in stages)
                    + "."
                )
            for reference in ensure_demo_ds_import(call):
                self.stdout.write(f"Dossier {reference} importé de démarches simplifiées ({call.short_title}).")

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Comptes de démonstration (mot de passe : pactes-demo)"))
        self.stdout.write(
            "  Les agents confirment chaque connexion par un code à 6 chiffres : ajoutez leur secret TOTP (base32) "
            "dans une application d'authentification."
        )
        for line in accounts:
            secret = f"  TOTP {line.totp_secret}" if line.totp_secret else ""
            self.stdout.write(f"  {line.email:<28} {line.role:<22} {line.scope}{secret}")
        self.stdout.write("")
