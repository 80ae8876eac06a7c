"""A formset's lines as the budget's tables show them: what each cell needs, read once from the bound fields, and
the table's HTML written in Python (ADR 0056).

Words: a *cell* is one visible field of a line (its label, its input, its errors); a *line* is one form of the
formset. ``table_html`` writes what ``LINE_TABLE_TEMPLATE`` renders, byte for byte (a test compares them): the
template's loops over eleven lines of five cells were two thirds of the budget page's template time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.forms.utils import ErrorList
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

LINE_TABLE_TEMPLATE = "dossiers/steps/_line_table.html"


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


def _number(value: int) -> str:
    """``{{ value }}`` for a count: localised (« 1 000 ») as the template shows it."""
    return str(value) if value < 1000 else localize(value)


def _errors(errors: ErrorList) -> str:
    """``{{ errors|join:" " }}``."""
    return " ".join(str(conditional_escape(e)) for e in errors)


def table_html(formset: forms.BaseFormSet, caption: str) -> SafeString:
    """What ``LINE_TABLE_TEMPLATE`` renders for ``formset`` (its ``table``) under ``caption``."""
    table: LineTable = formset.table  # type: ignore[attr-defined]
    prefix = conditional_escape(formset.prefix)
    title = conditional_escape(caption)
    out = [str(formset.management_form), "\n"]
    non_form_errors = formset.non_form_errors()
    if non_form_errors:
        paragraphs = "".join(f"<p>{conditional_escape(e)}</p>" for e in non_form_errors)
        out.append(
            '\n    <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w"\n'
            f'         id="{prefix}-erreurs">\n'
            f"        {paragraphs}\n"
            "    </div>\n"
        )
    headers = "".join(
        f'<th scope="col">{"Supprimer" if name == "DELETE" else conditional_escape(label)}</th>'
        for name, label in table.headers
    )
    out.append(
        "\n\n"
        '<div class="fr-table fr-table--no-caption pactes-lines">\n'
        f'    <table data-lines="{prefix}">\n'
        f"        <caption>{title}</caption>\n"
        f"        <thead><tr>{headers}</tr></thead>\n"
        "        <tbody>\n"
        "            "
    )
    for number, line in enumerate(table.lines, start=1):
        suffix = f'<span class="fr-sr-only"> — {title}, ligne {_number(number)}</span></label>'
        out.append('\n                <tr class="pactes-lines__line">\n                    ')
        for index, cell in enumerate(line.cells):
            label = "Supprimer la ligne" if cell.name == "DELETE" else conditional_escape(cell.label)
            target = conditional_escape(cell.id_for_label)
            error = (
                f'<p class="fr-error-text" id="{conditional_escape(cell.auto_id)}_error">{_errors(cell.errors)}</p>'
                if cell.errors
                else ""
            )
            out.append(
                "\n"
                f'                        <td class="{"fr-input-group--error" if cell.errors else ""}">\n'
                f"                            {line.hidden if index == 0 else ''}\n"
                f'                            <label class="pactes-lines__label" for="{target}">{label}{suffix}\n'
                f"                            {cell.widget}\n"
                f"                            {error}\n"
                "                        </td>\n"
                "                    "
            )
        out.append("\n                </tr>\n                ")
        if line.non_field_errors:
            paragraphs = "".join(f'<p class="fr-error-text">{conditional_escape(e)}</p>' for e in line.non_field_errors)
            out.append(
                f'<tr class="pactes-lines__errors"><td colspan="{_number(len(line.cells))}">{paragraphs}</td></tr>'
            )
        out.append("\n            ")
    out.append("\n        </tbody>\n    </table>\n</div>\n")
    return mark_safe("".join(out))


class TableHtml:
    """``table_html(formset, caption)``, written when the page shows it: after the step's validation, with its
    errors."""

    def __init__(self, formset: forms.BaseFormSet, caption: str) -> None:
        self.formset = formset
        self.caption = caption

    def __html__(self) -> SafeString:
        return table_html(self.formset, self.caption)

    def __str__(self) -> str:
        return self.__html__()
