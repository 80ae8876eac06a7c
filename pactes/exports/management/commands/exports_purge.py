"""Deletes the files of the background exports past their expiry (7 days): run it daily (cron or systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pactes.exports.services import export_jobs_purge


class Command(BaseCommand):
    help = "Supprime les fichiers des exports expirés (conservés 7 jours) ; à lancer chaque jour."

    def handle(self, *args: Any, **options: Any) -> None:
        count = export_jobs_purge()
        self.stdout.write(f"Exports expirés supprimés : {count}")
