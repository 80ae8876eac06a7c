"""``manage.py ds_import --call SLUG --demarche NUMBER [--url URL] [--since ISO_DATETIME] [--dry-run] [--json]``.

Imports the dossiers of a démarches simplifiées procedure into a call (``pactes.ds``, ADR 0038). The token is read
from the environment variable ``DS_API_TOKEN`` only (never an argument, never printed). Prints a French report, or
with ``--json`` the report document. Exits 0 when every dossier was imported or unchanged, 1 when some were skipped
(their reasons are in the report), 2 when DS could not be read (network, authorisation, schema) or the arguments are
wrong; nothing is written then.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.db import transaction
from django.utils import timezone

from pactes.calls.models import Call
from pactes.dossiers.management.commands.dossier_check import ExitStatus, InterchangeCommand
from pactes.ds.client import DsClient, DsUnavailable
from pactes.ds.report import Report
from pactes.ds.services import procedure_import

CANNOT_CALL = 2


class _DryRunDone(Exception):
    def __init__(self, report: Report) -> None:
        self.report = report


class Command(InterchangeCommand):
    help = (
        "Importe les dossiers d'une démarche de démarches simplifiées dans un appel (jeton : variable "
        "d'environnement DS_API_TOKEN)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--call", required=True, help="Identifiant de l'appel (ex. pts-occitanie-2024).")
        parser.add_argument("--demarche", required=True, type=int, help="Numéro de la démarche sur DS.")
        parser.add_argument("--url", default=None, help=f"Adresse de l'API GraphQL (par défaut {settings.DS_API_URL}).")
        parser.add_argument(
            "--since",
            default=None,
            help="Seulement les dossiers modifiés depuis ce moment (ISO 8601, ex. 2024-09-01T00:00:00+02:00).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Simulation : rien n'est enregistré.")
        parser.add_argument("--json", action="store_true", help="Rapport au format JSON.")

    def handle(self, *args: object, **options: Any) -> None:
        call = Call.objects.filter(slug=options["call"]).first()
        if call is None:
            raise self.fail(f"L'appel « {options['call']} » n'est pas chargé.", status=CANNOT_CALL)
        since = self._since(options.get("since"))
        client = DsClient(url=options.get("url") or settings.DS_API_URL)
        try:
            if options["dry_run"]:
                report = self._dry_run(call, options["demarche"], client, since)
            else:
                _procedure, report = procedure_import(call=call, number=options["demarche"], client=client, since=since)
        except DsUnavailable as exc:
            raise self.fail(f"Import impossible : {exc}", status=CANNOT_CALL) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report.as_text())
        if report.exit_code:
            raise ExitStatus("Des dossiers ont été écartés.", status=report.exit_code)

    def _dry_run(self, call: Call, number: int, client: DsClient, since: dt.datetime | None) -> Report:
        # Even the procedure and its proposed mapping are rolled back: a dry run writes nothing.
        try:
            with transaction.atomic():
                _procedure, report = procedure_import(call=call, number=number, client=client, since=since,
                                                      dry_run=True)  # fmt: skip
                raise _DryRunDone(report)
        except _DryRunDone as done:
            return done.report

    def _since(self, value: str | None) -> dt.datetime | None:
        if not value:
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(
                f"--since : « {value} » n'est pas une date et heure ISO 8601 (ex. 2024-09-01T00:00:00+02:00).",
                status=CANNOT_CALL,
            ) from None
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
