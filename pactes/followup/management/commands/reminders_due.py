"""Lists the reminders due on a day and those already sent, without sending anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pactes.followup.reminders import recipient_names, reminders_pending
from pactes.rules.formatting import date_short


def parse_day(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Date invalide « {value} » : attendu AAAA-MM-JJ (ex. : 2024-11-16).") from exc


class Command(BaseCommand):
    help = "Liste les rappels à envoyer ce jour (ou --date) et ceux déjà envoyés, sans rien envoyer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Jour considéré, AAAA-MM-JJ (par défaut : aujourd'hui, heure de Paris).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_day(options.get("date"))
        due, already = reminders_pending(today=today)
        self.stdout.write(f"Rappels à envoyer le {date_short(today)} : {len(due)}")
        for item in due:
            deadline = item.reminder.deadline
            names = recipient_names(deadline.recipients, item.dossier)
            self.stdout.write(
                f"  À ENVOYER  {item.key}  {deadline.label}  échéance {date_short(deadline.due)}  "
                f"(J-{item.reminder.days_left(today)})  {item.dossier.reference}  → {names}"
            )
        self.stdout.write(f"Rappels déjà envoyés pour des échéances ouvertes : {len(already)}")
        for row in already:
            self.stdout.write(f"  DÉJÀ ENVOYÉ  {row.key}  le {date_short(row.sent_on)}  → {row.recipients or '—'}")
