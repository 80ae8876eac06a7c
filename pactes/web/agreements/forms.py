"""Forms of the convention pages: transition (reason, date), signed scan, engagement (EJ), payment."""

from __future__ import annotations

import threading
from collections import OrderedDict
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.safestring import SafeString
from dsfr.forms import DsfrBaseForm

from pactes.rules.money import AmountError, parse_amount

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Saisissez une date valide (jj/mm/aaaa)."}
# The HTML of unbound forms of this process, by what it is made of (``unbound_html``).
_UNBOUND: OrderedDict[tuple[Any, ...], SafeString] = OrderedDict()
_UNBOUND_MAX = 256
_UNBOUND_LOCK = threading.Lock()


class AgreementForm(DsfrBaseForm):
    """Marks optional fields, as the DSFR now recommends (without django-dsfr's transitional warning)."""

    def get_context(self) -> dict[str, Any]:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class TransitionForm(AgreementForm):
    on = forms.DateField(
        label="Date",
        required=False,
        widget=DATE_WIDGET,
        help_text="Date portée sur le document (envoi, signature) ; aujourd'hui si vide.",
        error_messages=DATE_ERRORS,
    )
    reason = forms.CharField(
        label="Motivation",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour reprendre, refuser, résilier ou abandonner.",
    )


class SignedScanForm(AgreementForm):
    file = forms.FileField(
        label="Convention signée par le porteur (PDF)",
        help_text="Le document complet, signé par le représentant légal, en PDF (10 Mo au plus).",
        error_messages={"required": "Choisissez le fichier PDF de la convention signée."},
    )
    signed_on = forms.DateField(
        label="Date de signature par le porteur",
        required=False,
        widget=DATE_WIDGET,
        help_text="Aujourd'hui si vide.",
        error_messages=DATE_ERRORS,
    )


class CommitmentForm(AgreementForm):
    number = forms.CharField(
        label="Numéro d'engagement juridique (EJ)",
        max_length=20,
        help_text="Numéro Chorus de l'engagement juridique : 10 chiffres (ex. : 2103456789).",
        error_messages={"required": "Saisissez le numéro d'engagement juridique (EJ)."},
    )
    date = forms.DateField(
        label="Date de l'engagement",
        widget=DATE_WIDGET,
        error_messages={"required": "Saisissez la date de l'engagement juridique.", **DATE_ERRORS},
    )

    def clean_number(self) -> str:
        number = "".join(self.cleaned_data["number"].split())
        if not (len(number) == 10 and number.isascii() and number.isdigit()):
            raise forms.ValidationError(
                "Le numéro d'engagement juridique (EJ) compte 10 chiffres, sans lettre ni autre signe "
                f"(saisi : « {self.cleaned_data['number']} »)."
            )
        return number


class PaymentForm(AgreementForm):
    step_code = forms.ChoiceField(label="Échéance", required=False)
    amount = forms.CharField(
        label="Montant versé (€)",
        max_length=30,
        help_text="Par exemple : 20 000 ou 20000,00.",
        error_messages={"required": "Saisissez le montant du versement."},
    )
    paid_on = forms.DateField(
        label="Date du versement",
        widget=DATE_WIDGET,
        error_messages={"required": "Saisissez la date du versement.", **DATE_ERRORS},
    )
    reference = forms.CharField(
        label="Référence (Chorus)", max_length=100, required=False, help_text="Numéro de la demande de paiement."
    )
    accounting_year = forms.IntegerField(
        label="Année comptable",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="L'année de la date du versement si vide (§1.4).",
        error_messages={"invalid": "Saisissez une année (ex. : 2024)."},
    )

    def __init__(self, *args: Any, steps: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["step_code"].choices = [("", "— Hors échéancier —"), *steps]

    def clean_amount(self) -> Decimal:
        try:
            return parse_amount(self.cleaned_data["amount"])
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc


def unbound_html(form: forms.Form) -> SafeString:
    """The HTML of an unbound ``form`` (``{{ form }}``), rendered once per process for the same class, prefix,
    initial values and choices: the convention's page only shows its forms empty (an act that fails redirects back
    with its errors as messages), and rendering them through the DSFR field templates costs most of the page."""
    if form.is_bound:
        raise ValueError("unbound_html ne rend qu'un formulaire vierge.")
    key = (
        type(form),
        form.prefix,
        repr(sorted(form.initial.items())),
        repr([(name, getattr(field, "choices", None)) for name, field in form.fields.items()]),
    )
    with _UNBOUND_LOCK:
        html = _UNBOUND.get(key)
        if html is not None:
            _UNBOUND.move_to_end(key)
            return html
    html = SafeString(str(form))
    with _UNBOUND_LOCK:
        _UNBOUND[key] = html
        while len(_UNBOUND) > _UNBOUND_MAX:
            _UNBOUND.popitem(last=False)
    return html
