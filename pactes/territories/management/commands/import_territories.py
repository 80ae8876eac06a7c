"""Loads départements, EPCI, communes and former codes of the reference data (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pactes.territories.services import DATA_DIR, ReferenceDataError, SyncCount, territories_import


def _line(label: str, count: SyncCount) -> str:
    return (
        f"{label} : {count.total} ({count.created} créé(s), {count.updated} mis à jour, {count.unchanged} inchangé(s))"
    )


class Command(BaseCommand):
    help = "Charge les départements, EPCI et communes d'Occitanie depuis les fichiers de référence (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="Dossier des fichiers occitanie_*.csv et *.geojson (par défaut : celui livré avec Pactes).",
        )

    def handle(self, *args: object, **options: object) -> None:
        data_dir = options["data_dir"]
        assert isinstance(data_dir, Path)
        try:
            result = territories_import(data_dir=data_dir)
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_line("Départements", result.departements))
        self.stdout.write(_line("EPCI", result.epcis))
        self.stdout.write(_line("Communes", result.communes))
        self.stdout.write(
            f"  dont {result.communes_in_region} en Occitanie et {result.communes_outside_region} hors région "
            "(membres d'un EPCI interrégional)"
        )
        self.stdout.write(f"Anciens codes INSEE : {result.former_codes}")
        self.stdout.write(f"Liens EPCI–départements modifiés : {result.epci_departement_links_changed}")
        self.stdout.write(self.style.SUCCESS("Territoires chargés."))
