"""The error summary of a failed save (ADR 0049): one entry per error of the step's forms and lines, each pointing to
the id of the input that holds it, so that the summary's links land on fields that exist on the page.

An *anchor* is the id of an element of the page (an input, the first box of a group of checkboxes, the alert of a
list's own errors); an entry without anchor (a refusal of the whole step) is shown as plain text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms


@dataclass(frozen=True)
class ErrorItem:
    text: str
    anchor: str = ""


def field_anchor(bound: forms.BoundField) -> str:
    """The id a link to this field targets: its input, or the first box of a group of checkboxes or radios."""
    if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        subwidgets = bound.subwidgets
        return subwidgets[0].id_for_label if subwidgets else f"{bound.auto_id}-legend"
    return bound.id_for_label


def formset_anchor(formset: forms.BaseFormSet) -> str:
    """The id of the alert that shows a list's own errors (``_formset.html``, ``_line_table.html``)."""
    return f"{formset.prefix}-erreurs"


def _form_items(form: forms.BaseForm, prefix: str) -> list[ErrorItem]:
    items: list[ErrorItem] = []
    visible = form.visible_fields()
    first = field_anchor(visible[0]) if visible else ""
    for message in form.non_field_errors():
        items.append(ErrorItem(f"{prefix}{message}", first))
    for bound in form:
        for message in bound.errors:
            if bound.is_hidden:  # a line's id: said at the line, reached by its first field
                items.append(ErrorItem(f"{prefix}{message}", first))
            else:
                items.append(ErrorItem(f"{prefix}{bound.label} : {message}", field_anchor(bound)))
    return items


def error_items(forms_of_step: Iterable[Any]) -> list[ErrorItem]:
    """Every error of the step's bound forms and lists, in the order of the page."""
    items: list[ErrorItem] = []
    for form in forms_of_step:
        if isinstance(form, forms.BaseFormSet):
            label = getattr(form, "line_label", "Ligne")
            for message in form.non_form_errors():
                items.append(ErrorItem(str(message), formset_anchor(form)))
            for index, line in enumerate(form.forms, start=1):
                items.extend(_form_items(line, f"{label} {index} — "))
        elif isinstance(form, forms.BaseForm):
            items.extend(_form_items(form, ""))
    return items
