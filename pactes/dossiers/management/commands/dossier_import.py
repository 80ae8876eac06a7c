"""``manage.py dossier_import FILE.json [--user EMAIL]``: creates a draft dossier from a ``pactes.dossier/1`` file.

Prints the new dossier's reference on stdout; what the rules still find missing goes to stderr. Exits 2 when the
file is not a valid dossier, 1 when the user is unknown.
"""

from typing import Any

from django.core.management.base import CommandParser

from pactes.accounts.models import User
from pactes.dossiers.interchange import DocumentError, document_to_dossier, dossier_verdict
from pactes.dossiers.management.commands.dossier_check import InterchangeCommand
from pactes.dossiers.reference import ensure_check_reference

IMPORT_ACCOUNT = "import@pactes.invalid"


def import_account() -> User:
    """The author of imports made without ``--user``: an inactive account that cannot log in."""
    user = User.objects.filter(email=IMPORT_ACCOUNT).first()
    return user or User.objects.create_user(IMPORT_ACCOUNT, None, is_active=False, first_name="Import")


class Command(InterchangeCommand):
    help = "Crée un dossier en brouillon à partir d'un fichier au format pactes.dossier/1 et affiche son numéro."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Fichier JSON du dossier (« - » pour l'entrée standard).")
        parser.add_argument(
            "--user",
            help="Adresse électronique de l'auteur (il devient membre de l'organisation porteuse) ; par défaut, "
            "un compte technique inactif.",
        )

    def handle(self, *args: object, **options: Any) -> None:
        path = str(options["file"])
        email = options.get("user")
        if email:
            user = User.objects.filter(email__iexact=str(email).strip()).first()
            if user is None:
                raise self.fail(f"Aucun utilisateur n'a l'adresse « {email} ».", status=1)
        else:
            user = import_account()
        document = self.read_document(path)
        ensure_check_reference(str(document.get("call") or ""), say=self.stderr.write)
        try:
            dossier = document_to_dossier(document, by=user)
        except DocumentError as exc:
            raise self.fail(f"Dossier invalide ({path}) — {exc}") from exc
        self.stdout.write(dossier.reference)
        verdict, _summary = dossier_verdict(dossier)
        if not verdict.ok:
            codes = ", ".join(dict.fromkeys(r.code for r in verdict.reasons if r.blocking))
            self.stderr.write(f"Brouillon créé ; règles encore à satisfaire avant le dépôt : {codes}.")
