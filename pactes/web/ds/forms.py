"""Forms of the DS import: the procedure number, then the mapping of each DS champ to a field of Pactes."""

from __future__ import annotations

from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from pactes.ds.models import ChampMapping
from pactes.ds.targets import choices_for


class DsForm(DsfrBaseForm):
    def get_context(self) -> dict[str, Any]:
        # Marks optional fields, as the DSFR now recommends (without django-dsfr's transitional warning).
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class ProcedureForm(DsForm):
    number = forms.IntegerField(
        label="Numéro de la démarche",
        min_value=1,
        max_value=2_147_483_647,
        help_text="Le nombre qui suit « /procedures/ » dans l'adresse de la démarche sur démarches simplifiées.",
        error_messages={"invalid": "Saisissez le numéro de la démarche : un nombre entier, par exemple 84512."},
    )


def champ_field_name(mapping: ChampMapping) -> str:
    return f"champ_{mapping.pk}"


class MappingForm(DsForm):
    """One choice per DS champ, among the targets of its kind (a repetition, a champ of a row, a plain champ)."""

    everything = forms.BooleanField(
        label="Tout relire sur démarches simplifiées",
        required=False,
        help_text="Sinon, seuls les dossiers modifiés depuis le dernier import complet sont lus.",
    )

    def __init__(self, *args: Any, mappings: list[ChampMapping], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mappings = mappings
        targets = {m.descriptor_id: m.target for m in mappings}
        for mapping in mappings:
            collection = targets.get(mapping.parent_id, "") if mapping.parent_id else ""
            self.fields[champ_field_name(mapping)] = forms.ChoiceField(
                label=f"Champ de Pactes pour « {mapping.label} »",
                choices=choices_for(champ_type=mapping.champ_type, collection=collection),
                required=False,
                initial=mapping.target,
            )

    def rows(self) -> list[tuple[ChampMapping, forms.BoundField]]:
        return [(m, self[champ_field_name(m)]) for m in self.mappings]

    def targets(self) -> dict[str, str]:
        return {m.descriptor_id: self.cleaned_data[champ_field_name(m)] for m in self.mappings}
