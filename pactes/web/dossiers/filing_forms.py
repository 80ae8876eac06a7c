"""Forms of steps 9 (pièces jointes) and 10 (récapitulatif et dépôt) of the dossier."""

from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from pactes.dossiers.attachments import ACCEPTED_EXTENSIONS, ACCEPTED_LABEL, max_attachment_bytes, size_label
from pactes.dossiers.models import AttachmentKind


class FilingBaseForm(DsfrBaseForm):
    """Marks optional fields, as the DSFR recommends."""

    def get_context(self) -> dict[str, Any]:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class AttachmentForm(FilingBaseForm):
    kind = forms.ChoiceField(
        label="Type de pièce",
        choices=[("", "Choisissez le type de pièce"), *AttachmentKind.choices],
        error_messages={"required": "Choisissez le type de la pièce.", "invalid_choice": "Type de pièce inconnu."},
    )
    file = forms.FileField(
        label="Fichier",
        error_messages={
            "required": "Choisissez un fichier à joindre.",
            "empty": "Le fichier envoyé est vide.",
            "invalid": "Aucun fichier n'a été reçu : recommencez l'envoi.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"Formats acceptés : {ACCEPTED_LABEL}. Taille maximale : {size_label(max_attachment_bytes())}. "
            "Le contenu du fichier est vérifié : l'extension doit correspondre au format réel."
        )


class FilingForm(FilingBaseForm):
    certify = forms.BooleanField(
        label=(
            "Je certifie l'exactitude des informations fournies dans ce dossier et être habilité(e) à le déposer "
            "au nom du porteur."
        ),
        error_messages={"required": "Cochez la case de certification pour déposer le dossier."},
    )
