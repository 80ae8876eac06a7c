"""``manage.py dossier_check FILE.json``: is this ``pactes.dossier/1`` dossier admissible under its call?

Prints one JSON object on stdout (``admissible``, ``reasons``, ``figures``) and exits 0 when admissible, 1 when not,
2 when the file is not a valid dossier (the message on stderr says where). The eligible list is the call's, as
loaded in the database; on an empty database the shipped reference data, the call's YAML and its indicative list
are loaded first (said on stderr).
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pactes.calls.selectors import eligible_sirens
from pactes.dossiers.interchange import DocumentError, call_of, check_document, figures, load_document
from pactes.dossiers.reference import ensure_check_reference

ADMISSIBLE, NOT_ADMISSIBLE, INVALID = 0, 1, 2


class ExitStatus(CommandError, SystemExit):
    """An exit status: ``manage.py`` exits with it; ``call_command`` raises it (as CommandError or SystemExit)."""

    def __init__(self, message: str, *, status: int) -> None:
        CommandError.__init__(self, message, returncode=status)
        self.code = status


class InterchangeCommand(BaseCommand):
    """A command of the interchange format: its messages are already written when it exits with a status."""

    requires_system_checks: list[str] = []
    _from_argv = False

    def run_from_argv(self, argv: list[str]) -> None:
        self._from_argv = True
        super().run_from_argv(argv)

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except ExitStatus as exc:
            if self._from_argv:
                sys.exit(exc.returncode)  # the message is on stderr already, without « CommandError: »
            raise

    def fail(self, message: str, *, status: int = INVALID) -> ExitStatus:
        self.stderr.write(message)
        return ExitStatus(message, status=status)

    def read_document(self, path: str) -> dict[str, Any]:
        """The document of ``path`` (``-`` reads stdin), checked against the schema; exits 2 when invalid."""
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise self.fail(f"Fichier illisible « {path} » : {exc.strerror or exc}.") from exc
        try:
            return load_document(text)
        except DocumentError as exc:
            raise self.fail(f"Dossier invalide ({path}) — {exc}") from exc


class Command(InterchangeCommand):
    help = (
        "Vérifie un dossier au format pactes.dossier/1 contre les règles de son appel. Sortie : un objet JSON "
        "(admissible, reasons, figures). Code de sortie : 0 recevable, 1 non recevable, 2 fichier invalide."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Fichier JSON du dossier (« - » pour l'entrée standard).")

    def handle(self, *args: object, **options: Any) -> None:
        path = str(options["file"])
        document = self.read_document(path)
        ensure_check_reference(str(document.get("call") or ""), say=self.stderr.write)
        try:
            verdict, summary = check_document(document)
        except DocumentError as exc:
            raise self.fail(f"Dossier invalide ({path}) — {exc}") from exc
        result = {
            "admissible": verdict.ok,
            "reasons": [{"code": r.code, "message": r.message} for r in verdict.reasons],
            "figures": figures(summary),
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        if not eligible_sirens(call_of(document)):
            self.stderr.write(
                f"Attention : aucune liste d'EPCI éligibles n'est chargée pour l'appel « {document['call']} » "
                "(manage.py build_indicative_list) ; aucun périmètre ne peut être éligible."
            )
        if not verdict.ok:
            codes = ", ".join(dict.fromkeys(r.code for r in verdict.reasons if r.blocking))
            raise ExitStatus(f"Dossier non recevable : {codes}.", status=NOT_ADMISSIBLE)
