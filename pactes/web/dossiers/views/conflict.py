"""A conflict on one step (ADR 0013): what the person typed and the version stored since, side by side, field by field
(a list line by line)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.forms import HiddenInput

from .. import forms as f
from .steps import StepForms

FORMSET_LABELS = {
    "consortium": "Membres du consortium",
    "expenses": "Dépenses",
    "cofinancing": "Autres cofinancements",
    "measures": "Mesures d'impact",
    "formset": "Lignes",
}


@dataclass
class Difference:
    label: str
    mine: list[str]
    saved: list[str]

    @property
    def differs(self) -> bool:
        return self.mine != self.saved


def _shown(field: Any) -> str:
    """What a bound field holds, as a person reads it (choice labels, not codes)."""
    value = field.value()
    choices = getattr(field.field, "choices", None)
    values = value if isinstance(value, list | tuple) else [value]
    texts = []
    labels = {str(k): str(v) for k, v in choices} if choices is not None else {}
    for item in values:
        if item in (None, "", False):
            continue
        text = labels.get(str(item), "oui" if item is True else str(item))
        texts.append(text)
    return ", ".join(texts)


def _line_texts(formset: Any) -> list[str]:
    lines = []
    for form in formset.forms:
        if form.is_bound and (not form.has_changed() or (form.is_valid() and form.cleaned_data.get("DELETE"))):
            continue
        parts = [_shown(form[name]) for name, field in form.fields.items() if name not in ("id", "DELETE")]
        text = " · ".join(p for p in parts if p)
        if text:
            lines.append(text)
    return lines


def step_comparison(mine: StepForms, saved: StepForms) -> list[Difference]:
    """Field by field (a list as its lines), what the person typed and what is stored, for the conflict view."""
    rows: list[Difference] = []
    for key, form in mine.forms.items():
        other = saved.forms[key]
        if isinstance(form, f.BaseLineFormSet):
            rows.append(Difference(FORMSET_LABELS.get(key, key), _line_texts(form), _line_texts(other)))
            continue
        for name in form.fields:
            if isinstance(form.fields[name].widget, HiddenInput):
                continue
            rows.append(Difference(str(form.fields[name].label), [_shown(form[name])], [_shown(other[name])]))
    return rows
