"""``manage.py journal_seal_existing``: once, when the journal is installed on a database that already holds facts
(versions, pieces, transitions, decisions, payments…), journals them as they are that day (ADR 0026)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pactes.core.journal import journal_seal_existing


class Command(BaseCommand):
    help = "Inscrit au journal du registre les faits antérieurs à son installation, tels qu'ils sont aujourd'hui."

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = journal_seal_existing()
        if not sealed:
            self.stdout.write("Aucun fait à sceller : tous les faits sont déjà au journal.")
            return
        for label, count in sorted(sealed.items()):
            self.stdout.write(f"{label} : {count} fait(s) scellé(s).")
        self.stdout.write("Les faits antérieurs sont scellés tels qu'ils sont aujourd'hui ; lancez verify_integrity.")
