"""Forms of the follow-up pages: measured values, progress, reports (financial statement), decisions, filters."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from pactes.calls.models import Call
from pactes.followup.models import Report
from pactes.followup.services import LineInput
from pactes.rules.money import AmountError, euros, parse_amount

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


class FollowupForm(DsfrBaseForm):
    """Marks optional fields, as the DSFR now recommends (without django-dsfr's transitional warning)."""

    def get_context(self) -> dict[str, Any]:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


def parse_value(text: str) -> Decimal:
    """A measured value typed the French way (« 12,5 », « 1 200 »); a clear error otherwise, never a silent 0."""
    cleaned = _SPACES.sub("", text or "").replace(",", ".")
    if not cleaned:
        raise forms.ValidationError("Saisissez la valeur mesurée.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise forms.ValidationError(f"« {text} » n'est pas un nombre (exemple : 12,5).") from exc
    if not value.is_finite():
        raise forms.ValidationError(f"« {text} » n'est pas un nombre (exemple : 12,5).")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise forms.ValidationError("Deux décimales au plus.")
    if abs(value) >= Decimal("1e12"):
        raise forms.ValidationError("La valeur est trop grande : vérifiez la saisie.")
    return value


class MeasurementForm(FollowupForm):
    value = forms.CharField(
        label="Valeur mesurée", max_length=30, help_text="Dans l'unité de l'indicateur ; ex. : 12,5."
    )
    measured_on = forms.DateField(
        label="Date de la mesure",
        widget=DATE_WIDGET,
        error_messages={"required": "Indiquez la date de la mesure.", "invalid": "Saisissez une date valide."},
    )
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_value(self) -> Decimal:
        return parse_value(self.cleaned_data["value"])


class ProgressForm(FollowupForm):
    reported_on = forms.DateField(
        label="Date du point d'avancement",
        widget=DATE_WIDGET,
        error_messages={"required": "Indiquez la date.", "invalid": "Saisissez une date valide."},
    )
    percent_done = forms.IntegerField(
        label="Taux de réalisation (%)",
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Indiquez le taux de réalisation.",
            "invalid": "Saisissez un nombre entier de 0 à 100.",
            "min_value": "Le taux de réalisation est compris entre 0 et 100 %.",
            "max_value": "Le taux de réalisation est compris entre 0 et 100 %.",
        },
    )
    text = forms.CharField(
        label="Avancement de l'action",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Décrivez l'avancement de l'action."},
    )


class ReportForm(FollowupForm):
    """The applicant's report: the qualitative assessment and, for the final report, one actual amount and one
    explanation per line of the financial statement."""

    qualitative_assessment = forms.CharField(
        label="Bilan qualitatif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Actions réalisées, publics touchés, difficultés rencontrées, effets observés sur les bénéficiaires.",
    )

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "qualitative_assessment": report.qualitative_assessment,
                **{
                    f"actual_{line.pk}": "" if line.actual is None else str(line.actual).replace(".", ",")
                    for line in report.lines.all()
                },
                **{f"explanation_{line.pk}": line.explanation for line in report.lines.all()},
            },
        )
        super().__init__(*args, **kwargs)
        self.report_lines = list(report.lines.all())
        for line in self.report_lines:
            self.fields[f"actual_{line.pk}"] = forms.CharField(
                label=f"Réalisé — {line.label}",
                required=False,
                max_length=30,
                help_text=f"Prévu : {euros(line.planned)}",
            )
            self.fields[f"explanation_{line.pk}"] = forms.CharField(
                label=f"Explication de l'écart — {line.label}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def line_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(line, self[f"actual_{line.pk}"], self[f"explanation_{line.pk}"]) for line in self.report_lines]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for line in self.report_lines:
            name = f"actual_{line.pk}"
            text = (cleaned.get(name) or "").strip()
            if not text:
                cleaned[name] = None
                continue
            try:
                cleaned[name] = parse_amount(text)
            except AmountError as exc:
                self.add_error(name, str(exc))
        return cleaned

    def lines_input(self) -> dict[int, LineInput]:
        return {
            line.pk: LineInput(
                actual=self.cleaned_data.get(f"actual_{line.pk}"),
                explanation=self.cleaned_data.get(f"explanation_{line.pk}", ""),
            )
            for line in self.report_lines
        }


class DecisionForm(FollowupForm):
    VALIDATE = "valider"
    RETURN = "renvoyer"

    decision = forms.ChoiceField(
        label="Décision",
        choices=[(VALIDATE, "Valider le bilan"), (RETURN, "Renvoyer le bilan au porteur")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez de valider ou de renvoyer le bilan."},
    )
    motivation = forms.CharField(
        label="Motivation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Obligatoire pour un renvoi : elle est adressée aux porteurs par courriel.",
    )
    reversal_reference = forms.CharField(
        label="Référence du titre de perception",
        required=False,
        max_length=100,
        help_text="Si un reversement est dû à la validation du bilan final (à défaut : « REVERSEMENT-<dossier> »).",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == self.RETURN and not (cleaned.get("motivation") or "").strip():
            self.add_error("motivation", "Motivez le renvoi : le porteur doit savoir quoi reprendre.")
        return cleaned


class CallChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Call) -> str:  # type: ignore[override]
        return f"{obj.short_title} (démonstration)" if obj.is_demo else str(obj.short_title)


class ConsolidatedFilterForm(FollowupForm):
    call = CallChoiceField(
        label="Appel",
        queryset=Call.objects.defer("yaml_text"),  # the choices need the titles, not the call texts
        required=False,
        empty_label="Tous les appels réels (hors démonstration)",
        help_text="Les chiffres d'un appel de démonstration ne s'ajoutent jamais à ceux des appels réels.",
        error_messages={"invalid_choice": "Cet appel n'existe pas."},
    )


class ReportAttachmentForm(FollowupForm):
    file = forms.FileField(
        label="Pièce justificative",
        help_text="PDF, ODT, DOCX, XLSX, PNG ou JPEG, 10 Mo au plus (factures, feuilles d'émargement, bilans…).",
        error_messages={"required": "Choisissez le fichier à joindre.", "empty": "Le fichier est vide."},
    )
    description = forms.CharField(
        label="Objet de la pièce",
        required=False,
        max_length=300,
        help_text="Par exemple : « Factures de transport, 2e trimestre ».",
    )
