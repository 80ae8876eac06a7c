from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm


class TerritorySearchForm(DsfrBaseForm):
    q = forms.CharField(
        label="Rechercher une commune ou un EPCI",
        help_text="Nom (ex. Saint-Girons), code INSEE, code postal, SIREN ou ancien code INSEE.",
        max_length=100,
        error_messages={"required": "Saisissez un nom ou un code."},
    )

    def get_context(self) -> dict[str, Any]:
        # Marks optional fields, as the DSFR now recommends (without django-dsfr's transitional warning).
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context
