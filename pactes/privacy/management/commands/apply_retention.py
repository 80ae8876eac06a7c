"""Applies the retention rules of every call (drafts reminded then deleted, personal data of refused dossiers erased)
through the task worker; ``--dry-run`` lists what would be done and changes nothing; ``--schedule`` queues the daily
run for the worker (once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pactes.privacy.retention import retention_apply
from pactes.privacy.tasks import apply_retention_once, retention_schedule


class Command(BaseCommand):
    help = (
        "Applique les durées de conservation des appels (section « retention » de leur YAML) : rappel puis "
        "suppression des brouillons jamais déposés, effacement des données personnelles des dossiers non retenus. "
        "--dry-run : liste sans rien modifier. --schedule : met en file l'exécution quotidienne du travailleur."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Liste ce qui serait fait, sans rien modifier.")
        parser.add_argument("--date", help="Jour considéré, AAAA-MM-JJ (par défaut : aujourd'hui, heure de Paris).")
        parser.add_argument(
            "--schedule", action="store_true", help="Met en file l'exécution quotidienne (une seule fois)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            task_id = retention_schedule()
            self.stdout.write(
                f"Exécution quotidienne mise en file : {task_id}." if task_id else "Exécution quotidienne déjà en file."
            )
            return
        day = options.get("date")
        if day:
            try:
                dt.date.fromisoformat(day)
            except ValueError as exc:
                raise CommandError(f"Date invalide « {day} » : attendu AAAA-MM-JJ.") from exc
        dry_run = bool(options["dry_run"])
        if dry_run:  # changes nothing: answered here, without waiting for the worker
            today = dt.date.fromisoformat(day) if day else timezone.localdate()
            self._report(
                "Simulation (rien n'est modifié)", [act.line() for act in retention_apply(today=today, dry_run=True)]
            )
            return
        result = apply_retention_once.enqueue(day, False)
        if not result.is_finished:
            self.stdout.write(f"Tâche de conservation mise en file : {result.id} ({result.status}).")
            return
        self._report("Conservation appliquée", result.return_value or [])

    def _report(self, head: str, lines: list[str]) -> None:
        self.stdout.write(f"{head} : {len(lines)} acte(s).")
        for line in lines:
            self.stdout.write(f"  {line}")
