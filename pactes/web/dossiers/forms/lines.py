"""A formset's lines as the budget's tables show them: what each cell needs, read once from the bound fields.

Words: a *cell* is one visible field of a line (its label, its input, its errors); a *line* is one form of the
formset. The table template loops over these plain values: looking a name up on a bound field from a template costs
a failed item lookup (an exception) before the attribute, about ten times a cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.forms.utils import ErrorList
from django.utils.html import format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Cell:
    name: str
    label: str
    id_for_label: str
    auto_id: str
    widget: SafeString
    errors: ErrorList


@dataclass(frozen=True)
class Line:
    hidden: SafeString  # the line's hidden inputs (its id), written in its first cell
    cells: list[Cell]
    non_field_errors: ErrorList


@dataclass(frozen=True)
class LineTable:
    headers: list[tuple[str, str]]  # (name, label) of each column
    lines: list[Line]


def line_table(formset: forms.BaseFormSet) -> LineTable:
    """The headers (from the formset's empty form) and the lines of ``formset``."""
    headers = [(field.name, str(field.label)) for field in formset.empty_form.visible_fields()]
    lines = []
    for form in formset:
        cells = []
        for field in form.visible_fields():
            errors = field.errors  # before the widget, as the template read them: it marks the input invalid
            cells.append(Cell(field.name, field.label, field.id_for_label, field.auto_id, field.as_widget(), errors))
        hidden = format_html_join("", "{}", ((field,) for field in form.hidden_fields()))
        lines.append(Line(hidden, cells, form.non_field_errors()))
    return LineTable(headers, lines)
