"""Forms of the account pages: login, password reset and change, with the State design system and French labels."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from dsfr.forms import DsfrBaseForm

from pactes.accounts.notifications import password_reset_notify


class AccountForm(DsfrBaseForm):
    """DSFR form that marks optional fields, as the DSFR now recommends (and without django-dsfr's transition
    warnings)."""

    def get_context(self) -> dict[str, object]:
        context = super(DsfrBaseForm, self).get_context()
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


NEW_PASSWORD_HELP = (
    "Au moins 10 caractères, pas uniquement des chiffres, ni un mot de passe courant ou proche de votre identité."
)


class LoginForm(AccountForm, AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label="Mot de passe", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class PasswordResetRequestForm(AccountForm, PasswordResetForm):
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        help_text="L'adresse avec laquelle vous vous connectez à Pactes.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": "Indiquez votre adresse électronique.",
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr.",
        },
    )

    def save(self, *, request: HttpRequest | None = None, **kwargs: Any) -> None:  # type: ignore[override]
        """Queues the reset link of each active account of the address through the outbox (one mail sender); an
        unknown address sends nothing, and the page says the same either way."""
        assert request is not None
        token_generator = kwargs.get("token_generator") or default_token_generator
        for user in self.get_users(self.cleaned_data["email"]):
            path = reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": token_generator.make_token(user),
                },
            )
            password_reset_notify(user=user, link=request.build_absolute_uri(path))


class NewPasswordForm(AccountForm, SetPasswordForm):
    error_messages = {"password_mismatch": "Les deux mots de passe saisis ne sont pas identiques."}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password1"].help_text = NEW_PASSWORD_HELP
        self.fields["new_password2"].label = "Confirmation du nouveau mot de passe"
        self.fields["new_password2"].help_text = ""


class ChangePasswordForm(AccountForm, PasswordChangeForm):
    error_messages = {
        "password_mismatch": "Les deux mots de passe saisis ne sont pas identiques.",
        "password_incorrect": "Votre mot de passe actuel est incorrect. Saisissez-le de nouveau.",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Mot de passe actuel"
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password1"].help_text = NEW_PASSWORD_HELP
        self.fields["new_password2"].label = "Confirmation du nouveau mot de passe"
        self.fields["new_password2"].help_text = ""


TOKEN_DURATIONS = [("30", "30 jours"), ("90", "90 jours"), ("180", "180 jours"), ("365", "1 an")]


class ApiTokenForm(AccountForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Pour le reconnaître dans la liste : « tableur de suivi », « script de la DDETS-PP »…",
    )
    days = forms.TypedChoiceField(label="Durée de validité", choices=TOKEN_DURATIONS, coerce=int, initial="90")
