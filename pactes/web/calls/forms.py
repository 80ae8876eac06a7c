from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm


class CallsForm(DsfrBaseForm):
    """Marks optional fields, as the DSFR now recommends (without django-dsfr's transitional warning)."""

    def get_context(self) -> dict[str, Any]:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class EligibilityQueryForm(CallsForm):
    q = forms.CharField(
        label="Commune ou EPCI (nom ou code)",
        max_length=100,
        help_text="Nom, code INSEE ou code postal d'une commune, nom ou SIREN d'un EPCI.",
    )


class IndicatorChoiceForm(CallsForm):
    indicateur = forms.ChoiceField(label="Indicateur et millésime")

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["indicateur"].choices = choices  # type: ignore[attr-defined]


class ArrestListForm(CallsForm):
    indicateur = forms.CharField(widget=forms.HiddenInput)
    epcis = forms.MultipleChoiceField(
        label="EPCI retenus",
        widget=forms.MultipleHiddenInput,
        error_messages={"required": "Cochez au moins un EPCI.", "invalid_choice": "EPCI inconnu : %(value)s."},
    )
    confirm = forms.BooleanField(
        label="Je confirme arrêter cette liste : elle devient la liste des territoires éligibles de l'appel.",
        error_messages={"required": "Cochez la case de confirmation pour arrêter la liste."},
    )

    def __init__(self, *args: object, sirens: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["epcis"].choices = [(s, s) for s in sirens]  # type: ignore[attr-defined]
