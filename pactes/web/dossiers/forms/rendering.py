"""The form renderer of the editor: Django's own widget templates written in Python, byte for byte.

Words: a *writer* produces the HTML of one of Django's widget templates (``input.html`` and the inputs that include
it, ``select.html`` with ``select_option.html``, ``textarea.html``) from the widget's context, as the template would;
and ``div.html`` for a form of hidden fields only (a formset's management form).
A budget step renders about seventy widgets, each through three or four nested templates: that was half of the page's
time. Every other template (the DSFR field snippets, the form and formset layouts) is rendered by the templates, as
before; and a writer is used only while the template of its name is Django's own file (a template of the project
or of an application that overrides it wins, rendered as a template). A value the writer does not know how to show
exactly as the template would (a tuple, a number label, option groups) is left to the template too.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import TemplatesSetting
from django.utils.functional import Promise
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
DJANGO_WIDGETS = Path(django.forms.__file__).resolve().parent / "templates" / "django" / "forms" / "widgets"
INPUTS = ("text", "number", "email", "url", "password", "hidden", "checkbox", "date", "datetime", "time", "search")
# The templates a writer stands for, included ones too: all must be Django's own for the writers to be used.
INCLUDED = ("input", "attrs", "select_option")


class CannotWrite(Exception):
    """A value the template would show in a way the writer does not reproduce: the template renders it."""


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless it is marked safe (``html.escape`` is what
    Django's ``escape`` calls, without its lazy-text wrapper)."""
    if isinstance(value, tuple):
        raise CannotWrite
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(value if isinstance(value, str) else f"{value}")


def _shown(value: Any) -> str:
    """``{{ value }}`` for a text (a number or a date would be localised: left to the template)."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        raise CannotWrite
    return str(value) if isinstance(value, SafeData) else html.escape(value)


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``attrs.html``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    """``input.html``."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'


def _option(option: Mapping[str, Any]) -> str:
    """``select_option.html``."""
    if option["template_name"] != f"{WIDGETS}select_option.html":
        raise CannotWrite
    label = _shown(option["label"])
    return f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{label}</option>'


def _select(widget: Mapping[str, Any]) -> str:
    """``select.html`` (without option groups: those are left to the template)."""
    options = []
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            raise CannotWrite
        options.extend(f"\n  {_option(option)}\n" for option in group_choices)
    return f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>{"".join(options)}\n</select>'


def _textarea(widget: Mapping[str, Any]) -> str:
    """``textarea.html``."""
    value = widget["value"]
    text = _shown(value) if value else ""
    return f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


WRITERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **{f"{WIDGETS}{name}.html": _input for name in INPUTS},
    f"{WIDGETS}select.html": _select,
    f"{WIDGETS}textarea.html": _textarea,
}
FORM_DIV = "django/forms/div.html"


def _hidden_form(context: Mapping[str, Any]) -> str:
    """``div.html`` for a form of hidden fields only and without errors (a formset's management form): the fields,
    one after the other."""
    if context["errors"] or context["fields"]:
        raise CannotWrite
    return "".join(str(field) for field in context["hidden_fields"])


class EditorRenderer(TemplatesSetting):
    """``TemplatesSetting`` (the project's templates, then the applications'), with Django's widget templates
    written in Python while they are Django's own."""

    @cached_property
    def writers(self) -> dict[str, Callable[[Mapping[str, Any]], str]]:
        """The writers whose templates (and the ones they include) are Django's own files."""
        if not all(self._is_django_widget(f"{WIDGETS}{name}.html") for name in INCLUDED):
            return {}
        writers = {name: write for name, write in WRITERS.items() if self._is_django_widget(name)}
        if Path(self.get_template(FORM_DIV).origin.name).resolve() == DJANGO_WIDGETS.parent / "div.html":
            writers[FORM_DIV] = _hidden_form
        return writers

    def _is_django_widget(self, template_name: str) -> bool:
        origin = Path(self.get_template(template_name).origin.name).resolve()
        return origin.parent == DJANGO_WIDGETS

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = self.writers.get(template_name)
        if write is not None and template_name == FORM_DIV and "hidden_fields" in context:
            try:
                return write(context)
            except CannotWrite:
                pass
        elif write is not None and "widget" in context:
            try:
                return write(context["widget"])
            except CannotWrite:
                pass
        return super().render(template_name, context, request=request)


EDITOR_RENDERER = EditorRenderer()
