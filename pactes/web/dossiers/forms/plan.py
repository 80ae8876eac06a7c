"""The form of one action of the plan (step 5) and its impact measures."""

from __future__ import annotations

from typing import Any, Self

from django import forms

from pactes.dossiers.models import Action, Dossier
from pactes.rules.call_config import CallConfig

from .base import BaseLineFormSet, EditorForm, LineForm, QuantityField, TextLinesField, code_choices


# -- step 5: one action --------------------------------------------------------------------------------------------
class ActionForm(EditorForm):
    priority = forms.ChoiceField(label="Priorité à laquelle l'action se rattache")
    title = forms.CharField(label="Intitulé de l'action", max_length=300)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    territorial_level = forms.ChoiceField(label="Échelon territorial", required=False)
    publics = forms.MultipleChoiceField(label="Publics visés", widget=forms.CheckboxSelectMultiple, required=False)
    partner_choices = forms.MultipleChoiceField(
        label="Partenaires du dossier engagés dans l'action", widget=forms.CheckboxSelectMultiple, required=False
    )
    other_partners = TextLinesField(
        label="Autres partenaires engagés", required=False, help_text="Un partenaire par ligne."
    )
    start = forms.DateField(
        label="Date de début",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    end = forms.DateField(
        label="Date de fin",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    overlaps_departmental_contract = forms.BooleanField(
        label="L'action recoupe une action du contrat départemental ou métropolitain des solidarités", required=False
    )
    articulation = forms.CharField(
        label="Articulation avec le contrat départemental",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si l'action recoupe une action du contrat (§1.3.1).",
    )

    def __init__(
        self,
        *args: Any,
        config: CallConfig,
        priorities: list[tuple[str, str]],
        partners: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = priorities  # type: ignore[attr-defined]
        self.fields["territorial_level"].choices = [("", "— Choisir —"), *code_choices(config.territorial_levels)]  # type: ignore[attr-defined]
        self.fields["publics"].choices = code_choices(config.target_publics)  # type: ignore[attr-defined]
        self.fields["partner_choices"].choices = [(p, p) for p in partners]  # type: ignore[attr-defined]
        if not partners:
            del self.fields["partner_choices"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("overlaps_departmental_contract") and not (data.get("articulation") or "").strip():
            self.add_error("articulation", "Expliquez comment l'action s'articule avec le contrat départemental.")
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "La date de fin précède la date de début.")
        return data

    @classmethod
    def from_action(cls, dossier: Dossier, action: Action | None, data: Any = None) -> Self:
        """The form of one action of the plan (``action`` None: a new one), under one of the dossier's priorities."""
        priorities = list(dossier.priorities.all())
        partner_names = [p.name for p in dossier.partners.all()]
        initial: dict[str, Any] = {}
        if action is not None:
            initial = {
                "priority": str(action.priority_id),
                "title": action.title,
                "description": action.description,
                "territorial_level": action.territorial_level,
                "publics": action.publics,
                "partner_choices": [p for p in action.partners if p in partner_names],
                "other_partners": [p for p in action.partners if p not in partner_names],
                "start": action.start,
                "end": action.end,
                "overlaps_departmental_contract": action.overlaps_departmental_contract,
                "articulation": action.articulation,
            }
        form = cls(
            data,
            config=dossier.call.rules,
            priorities=[(str(p.pk), f"Priorité {i + 1} — {p.title}") for i, p in enumerate(priorities)],
            partners=partner_names,
            initial=initial,
        )
        form.action, form.priority_rows = action, priorities
        return form

    def to_step_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            "id": self.action.pk if self.action else None,
            "priority": next(p for p in self.priority_rows if str(p.pk) == c["priority"]),
            "title": c["title"],
            "description": c["description"],
            "territorial_level": c["territorial_level"],
            "publics": list(c["publics"]),
            "partners": self.partners(),
            "start": c["start"],
            "end": c["end"],
            "overlaps_departmental_contract": c["overlaps_departmental_contract"],
            "articulation": c["articulation"],
        }

    def partners(self) -> list[str]:
        chosen = list(self.cleaned_data.get("partner_choices") or [])
        return chosen + [p for p in self.cleaned_data.get("other_partners") or [] if p not in chosen]


class ImpactMeasureForm(LineForm):
    indicator = forms.CharField(label="Indicateur", max_length=300)
    unit = forms.CharField(label="Unité", max_length=100, required=False)
    baseline = QuantityField(label="Valeur de départ", required=False)
    target = QuantityField(label="Cible", required=False)
    method = forms.CharField(label="Méthode de mesure", max_length=300, required=False)
    frequency = forms.CharField(label="Fréquence", max_length=100, required=False)


class ImpactMeasureLines(BaseLineFormSet):
    data_key = "impact_measures"
    default_prefix = "mesures"
    line_label = "Mesure"

    @classmethod
    def from_action(cls, action: Action | None, data: Any = None) -> Self:
        measures = action.impact_measures.all() if action is not None else []
        return cls(
            data,
            initial=[
                {
                    "id": m.pk,
                    "indicator": m.indicator,
                    "unit": m.unit,
                    "baseline": m.baseline,
                    "target": m.target,
                    "method": m.method,
                    "frequency": m.frequency,
                }
                for m in measures
            ],
        )


ImpactMeasureFormSet = forms.formset_factory(ImpactMeasureForm, formset=ImpactMeasureLines, extra=1, can_delete=True)
