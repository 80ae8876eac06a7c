"""``manage.py timestamp_journal``: has the journal's chain head timestamped by the RFC 3161 authority at
``TSA_URL`` (daily, by cron or a systemd timer). Without ``TSA_URL`` nothing is timestamped, and it says so."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pactes.core.timestamping import TimestampError, journal_head_timestamp


class Command(BaseCommand):
    help = "Horodate (RFC 3161) la tête du journal du registre auprès de l'autorité TSA_URL."

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "TSA_URL", ""):
            self.stdout.write("TSA_URL n'est pas configurée : la tête du journal n'est pas horodatée.")
            return
        try:
            stamp = journal_head_timestamp()
        except TimestampError as exc:
            raise CommandError(f"Horodatage impossible : {exc}") from exc
        if stamp is None:
            self.stdout.write("La tête actuelle du journal est déjà horodatée (ou le journal est vide).")
            return
        self.stdout.write(
            f"Tête n° {stamp.seq} ({stamp.entry_hash}) horodatée le {stamp.generated_at:%d/%m/%Y %H:%M:%S} UTC "
            f"par {stamp.tsa_url}, jeton n° {stamp.serial_number}."
        )
