"""Forms of the organisation pages: the SIRET to look up, the organisation to register (filled from SIRENE, still
editable), a request to join, leaving with a successor, naming an administrator."""

from __future__ import annotations

from typing import Any

from django import forms

from pactes.organisations.sirene import Establishment
from pactes.rules.legal_form import suggestion_for_call

from ..accounts.forms import AccountForm
from ..dossiers.forms.base import SiretField


class SiretForm(AccountForm):
    siret = SiretField(
        required=True,
        label="SIRET de votre organisation",
        help_text="14 chiffres, espaces acceptés ; il figure sur l'avis de situation SIRENE de l'Insee.",
        error_messages={"required": "Indiquez le SIRET de votre organisation."},
    )


class OrganisationForm(AccountForm):
    siret = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(
        label="Raison sociale",
        max_length=300,
        error_messages={"required": "Indiquez le nom."},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    kind = forms.ChoiceField(
        label="Nature du porteur pour l'appel",
        help_text="Proposée d'après la catégorie juridique : corrigez-la si elle ne convient pas.",
        error_messages={"required": "Choisissez la nature du porteur.", "invalid_choice": "Choisissez une nature."},
    )
    legal_category = forms.CharField(
        label="Catégorie juridique (code Insee)",
        max_length=4,
        required=False,
        help_text="Par exemple 9220 pour une association déclarée, 7210 pour une commune.",
    )
    address = forms.CharField(
        label="Adresse", widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}), required=False
    )
    departement = forms.ChoiceField(label="Département du siège", required=False)

    def __init__(
        self, *args: Any, kinds: list[tuple[str, str]], departements: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "— Choisir —"), *kinds]  # type: ignore[attr-defined]
        self.fields["departement"].choices = [("", "— Choisir —"), *departements]  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(siret: str, establishment: Establishment | None, kinds: list[tuple[str, str]]) -> dict[str, str]:
        if establishment is None:
            return {"siret": siret}
        return {
            "siret": siret,
            "name": establishment.name,
            "legal_category": establishment.legal_category,
            "kind": suggestion_for_call(establishment.legal_category, [code for code, _ in kinds]),
            "address": establishment.address,
            "departement": establishment.departement_code,
        }

    def clean_legal_category(self) -> str:
        value = str(self.cleaned_data.get("legal_category") or "").strip()
        if value and not (len(value) == 4 and value.isdigit()):
            raise forms.ValidationError("La catégorie juridique est un code de 4 chiffres (par exemple 9220).")
        return value


class JoinForm(AccountForm):
    message = forms.CharField(
        label="Message aux membres de l'organisation",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Présentez-vous : votre fonction dans l'organisation aide ses membres à vous reconnaître.",
    )


class LeaveForm(AccountForm):
    successor = forms.ChoiceField(
        label="Administrateur qui vous succède",
        required=False,
        help_text="Obligatoire si vous êtes le dernier administrateur de l'organisation.",
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].choices = [("", "— Personne —"), *members]  # type: ignore[attr-defined]


class NameAdminForm(AccountForm):
    member = forms.ChoiceField(label="Membre à nommer administrateur")

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members  # type: ignore[attr-defined]
