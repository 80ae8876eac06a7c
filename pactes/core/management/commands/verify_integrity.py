"""``manage.py verify_integrity``: recomputes the journal's chain and every hash it references; exit 0 when
intact, 1 with the first broken entry and what differs (French report)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from pactes.core.integrity import integrity_check_run


class Command(BaseCommand):
    help = "Vérifie l'intégrité du registre (chaîne du journal, versions, pièces sur disque, horodatages)."

    def handle(self, *args: Any, **options: Any) -> None:
        report, _check = integrity_check_run(by="commande verify_integrity")
        for line in report.lines():
            self.stdout.write(line)
        if not report.intact:
            sys.exit(1)
