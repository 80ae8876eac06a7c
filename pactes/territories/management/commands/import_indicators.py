"""Imports an INSEE Filosofi CSV (any millésime, INSEE layout) into the indicators, idempotently."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pactes.territories.filosofi import LEVELS, FilosofiError, parse_file
from pactes.territories.services import ReferenceDataError, indicators_import, load_variables


class Command(BaseCommand):
    help = (
        "Importe un fichier CSV Insee (Filosofi : CODGEO;MED21;TP6021…) dans les indicateurs des territoires. "
        "Idempotent : une valeur inchangée n'est pas réécrite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Fichier CSV au format Insee.")
        parser.add_argument(
            "--year",
            type=int,
            help="Millésime des colonnes sans suffixe (RD, Q3_Q1) si le fichier ne permet pas de le déduire.",
        )
        parser.add_argument("--level", choices=LEVELS, help="Niveau de tous les codes du fichier (ex. region).")
        parser.add_argument("--source", help="Source affichée (par défaut : « Insee, Filosofi <année> »).")
        parser.add_argument("--dry-run", action="store_true", help="Vérifie et compte sans rien enregistrer.")

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            parsed = parse_file(
                path,
                year=options["year"],  # type: ignore[arg-type]
                level=options["level"],  # type: ignore[arg-type]
                known_codes=list(load_variables()),
            )
            result = indicators_import(
                parsed=parsed,
                source=options["source"],  # type: ignore[arg-type]
                dry_run=bool(options["dry_run"]),
            )
        except FilosofiError as error:
            raise CommandError(f"Import refusé, rien n'a été enregistré.\n{error}") from error
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error

        values = result.values
        prefix = "Simulation (--dry-run), rien n'est enregistré. " if result.dry_run else ""
        self.stdout.write(
            f"{prefix}Fichier lu : {len(parsed.values)} valeurs, {parsed.territory_count} territoires, "
            f"{len(parsed.indicator_codes)} indicateurs, millésime(s) {', '.join(map(str, parsed.years))} "
            f"(séparateur « {parsed.delimiter} », encodage {parsed.encoding})."
        )
        self.stdout.write(
            f"Valeurs : {values.created} créée(s), {values.updated} mise(s) à jour, {values.unchanged} inchangée(s), "
            f"dont {result.secret} non diffusée(s) (secret statistique)."
        )
        if result.indicators_created:
            self.stdout.write(f"Indicateurs créés : {', '.join(result.indicators_created)}")
        if result.ignored_unknown_territories:
            self.stdout.write(
                f"Territoires ignorés (hors territoires de référence) : {result.ignored_unknown_territories}"
            )
        self.stdout.write(self.style.SUCCESS("Simulation terminée." if result.dry_run else "Indicateurs importés."))
