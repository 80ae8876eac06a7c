"""Enqueues the task that sends the reminders due (run by the worker: ``manage.py db_worker``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pactes.followup.management.commands.reminders_due import parse_day
from pactes.followup.tasks import send_due_reminders


class Command(BaseCommand):
    help = (
        "Met en file la tâche d'envoi des rappels dus ce jour (ou --date) ; le worker `manage.py db_worker` "
        "l'exécute. Idempotent : un rappel déjà envoyé ne l'est jamais deux fois."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Jour considéré, AAAA-MM-JJ (par défaut : aujourd'hui, heure de Paris).")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options.get("date")
        parse_day(day)  # a clear error before enqueuing
        result = send_due_reminders.enqueue(day)
        status = str(result.status)
        if result.is_finished:
            keys = result.return_value or []
            self.stdout.write(f"Rappels envoyés : {len(keys)} (tâche {result.id}, {status}).")
            for key in keys:
                self.stdout.write(f"  {key}")
        else:
            self.stdout.write(f"Tâche d'envoi des rappels mise en file : {result.id} ({status}).")
