"""Forms of the second factor: a code typed at login or at enrolment."""

from django import forms

from .forms import AccountForm


class SecondFactorCodeForm(AccountForm):
    code = forms.CharField(
        label="Code de vérification",
        max_length=20,
        help_text="Les 6 chiffres affichés par votre application d’authentification, ou l’un de vos codes de secours.",
        error_messages={"required": "Saisissez le code affiché par votre application."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class EnrolmentCodeForm(AccountForm):
    code = forms.CharField(
        label="Code affiché par l’application",
        max_length=10,
        help_text="6 chiffres, par exemple 123456.",
        error_messages={"required": "Saisissez le code affiché par votre application."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
    )
