"""Forms outside the steps: a new dossier (its call, its organisation, existing or new) and a co-editor's invitation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from pactes.accounts.models import User
from pactes.calls.models import Call
from pactes.calls.selectors import calls_public
from pactes.dossiers.creation import NewOrganisation
from pactes.organisations.models import Organisation
from pactes.territories.models import Departement

from .base import EditorForm, SiretField


class NewDossierForm(EditorForm):
    call = forms.ChoiceField(label="Appel", error_messages={"invalid_choice": "Cet appel n'est pas ouvert au dépôt."})
    title = forms.CharField(label="Intitulé du projet", max_length=300)
    organisation = forms.ChoiceField(
        label="Organisation porteuse",
        required=False,
        help_text="Une organisation dont vous êtes membre ; sinon, créez-la ci-dessous.",
        error_messages={"invalid_choice": "Choisissez une de vos organisations."},
    )
    new_name = forms.CharField(
        label="Raison sociale de la nouvelle organisation",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    new_siret = SiretField(label="SIRET de la nouvelle organisation")
    new_kind = forms.ChoiceField(label="Nature juridique de la nouvelle organisation", required=False)
    new_address = forms.CharField(
        label="Adresse", widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}), required=False
    )
    new_departement = forms.ChoiceField(label="Département du siège", required=False)

    def __init__(
        self,
        *args: Any,
        calls: list[tuple[str, str]],
        organisations: list[tuple[str, str]],
        kinds: list[tuple[str, str]],
        departements: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The rows behind the choices (set by ``for_applicant``): what ``to_start_data`` hands to the service.
        self.open_calls: list[Call] = []
        self.organisations: list[Organisation] = []
        self.departements: list[Departement] = []
        self.fields["call"].choices = calls  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [("", "— Créer une nouvelle organisation —"), *organisations]  # type: ignore[attr-defined]
        self.fields["new_kind"].choices = [("", "— Choisir —"), *kinds]  # type: ignore[attr-defined]
        self.fields["new_departement"].choices = [("", "— Choisir —"), *departements]  # type: ignore[attr-defined]

    @classmethod
    def for_applicant(cls, user: User, data: Any = None, *, now: dt.datetime) -> NewDossierForm:
        """The calls open at ``now``, the person's organisations, the carrier kinds and départements of those calls."""
        calls = [call for call in calls_public() if call.rules.is_filing_open(now)]
        organisations = list(Organisation.objects.filter(memberships__user=user).order_by("name"))
        kinds: dict[str, str] = {}
        for call in calls:
            kinds.update({k.code: k.label for k in call.rules.carrier_kinds})
        departements = list(
            Departement.objects.filter(region_code__in={call.rules.region_code for call in calls}).order_by("code")
        )
        form = cls(
            data,
            calls=[(c.slug, c.title) for c in calls],
            organisations=[(str(o.pk), f"{o.name} — SIRET {o.siret}" if o.siret else o.name) for o in organisations],
            kinds=list(kinds.items()),
            departements=[(d.code, str(d)) for d in departements],
        )
        form.open_calls, form.organisations, form.departements = calls, organisations, departements
        return form

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("organisation"):
            for name, label in (
                ("new_name", "la raison sociale"),
                ("new_siret", "le SIRET"),
                ("new_kind", "la nature"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, f"Pour créer l'organisation, indiquez {label}.")
        return data

    def to_start_data(self) -> dict[str, Any]:
        """The arguments of ``dossier_start``: the chosen call and organisation, or the organisation to create."""
        data = self.cleaned_data
        call: Call = next(c for c in self.open_calls if c.slug == data["call"])
        if data["organisation"]:
            organisation = next(o for o in self.organisations if str(o.pk) == data["organisation"])
            return {"call": call, "organisation": organisation, "title": data["title"]}
        new = NewOrganisation(
            name=data["new_name"],
            siret=data["new_siret"],
            kind=data["new_kind"],
            address=data["new_address"],
            departement=next((d for d in self.departements if d.code == data["new_departement"]), None),
        )
        return {"call": call, "new_organisation": new, "title": data["title"]}


class InvitationForm(EditorForm):
    email = forms.EmailField(
        label="Courriel du co-éditeur invité",
        error_messages={"invalid": "Saisissez une adresse électronique valide (exemple : nom@domaine.fr)."},
    )
