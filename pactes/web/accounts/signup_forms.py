"""Forms of sign-up: the new applicant's identity, password (Django's validators) and consent to the privacy notice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from pactes.accounts.models import User

from .forms import NEW_PASSWORD_HELP, AccountForm


class SignupForm(AccountForm):
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        help_text="Vous y recevrez un lien de confirmation, puis les courriels de vos dossiers.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Indiquez votre adresse électronique.",
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr.",
        },
    )
    first_name = forms.CharField(
        label="Prénom",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Indiquez votre prénom."},
    )
    last_name = forms.CharField(
        label="Nom",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": "Indiquez votre nom."},
    )
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        help_text=NEW_PASSWORD_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "data-password-strength": "true"}),
        error_messages={"required": "Choisissez un mot de passe."},
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Saisissez de nouveau le mot de passe."},
    )
    consent = forms.BooleanField(
        label="J'ai lu la notice « Données personnelles » et j'accepte que Pactes traite mes données pour instruire "
        "les dossiers de mon organisation.",
        error_messages={"required": "Pour créer un compte, cochez la case après avoir lu la notice."},
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe saisis ne sont pas identiques.")
        elif first:
            # The validators compare the password with the identity typed (UserAttributeSimilarityValidator).
            candidate = User(email=data.get("email") or "", first_name=data.get("first_name") or "")
            candidate.last_name = data.get("last_name") or ""
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ResendConfirmationForm(AccountForm):
    """No field: the button of « Renvoyer le lien » (the CSRF token is the form)."""
