"""The editor's renderer writes Django's widget templates in Python: every page of the editor, with its errors, is the
same HTML byte for byte as the templates render it; a template the project overrides is rendered as a template."""

import difflib
import re

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.urls import reverse
from django.utils.safestring import mark_safe

from pactes.dossiers.editing import step_version
from pactes.web.dossiers.forms.rendering import EDITOR_RENDERER, WRITERS, EditorRenderer
from tests.web.test_dossier_edit import budget_data, step_url

STEPS = ("porteur", "perimetre", "diagnostic", "priorites", "actions", "partenaires", "budget", "impact")
# What differs between two renders of the same page whatever the renderer: the masked CSRF token, the CSP nonce, the
# breadcrumb's random id, the seconds left in the session.
VOLATILE = re.compile(r'(name="csrfmiddlewaretoken" value|nonce|data-seconds-left|breadcrumb)[=-]"?[\w-]*"?')


def _page(client, method, url, data=None):
    response = client.post(url, data) if method == "post" else client.get(url)
    return response.status_code, VOLATILE.sub(r"\1", response.content.decode()).splitlines()


def _diff(written, templated):
    return "\n".join(difflib.unified_diff(templated[1], written[1], lineterm="", n=1))


def _both(client, monkeypatch, method, url, data=None):
    """The page with the writers, then with every widget rendered by its template."""
    written = _page(client, method, url, data)
    with monkeypatch.context() as patch:
        patch.setitem(EDITOR_RENDERER.__dict__, "writers", {})
        templated = _page(client, method, url, data)
    return written, templated


def test_every_step_of_the_editor_is_the_same_html_as_the_templates_render(client, filled_dossier, monkeypatch):
    urls = [step_url(filled_dossier, step) for step in STEPS]
    urls.append(reverse("dossiers:action_new", kwargs={"reference": filled_dossier.reference}))
    for url in urls:
        written, templated = _both(client, monkeypatch, "get", url)
        assert written[0] == 200, url
        assert written == templated, (url, _diff(written, templated))
    assert EDITOR_RENDERER.writers  # the writers were used: Django's widget templates are not overridden here


def test_a_failed_budget_save_is_the_same_html_with_its_errors_and_aria_attributes(client, filled_dossier, monkeypatch):
    data = budget_data(
        lock_version=step_version(filled_dossier, "budget"),
        expenses=["1 000", "douze mille"],
        grant="-5",
        public="500",
    )
    written, templated = _both(client, monkeypatch, "post", step_url(filled_dossier, "budget"), data)
    assert written == templated, _diff(written, templated)
    assert written[0] == 200
    assert any('aria-invalid="true"' in line for line in written[1])
    assert any("n&#x27;est pas un montant" in line for line in written[1])


class Sample(forms.Form):
    text = forms.CharField(label="Texte", max_length=10, help_text="Aide")
    flag = forms.BooleanField(label="Case", required=False)
    choice = forms.ChoiceField(label="Choix", choices=[("", "—"), ("a", "A & « a »"), ("b", mark_safe("<b>B</b>"))])
    grouped = forms.ChoiceField(label="Groupes", choices=[("Groupe", [("x", "X")]), ("y", "Y")])
    numbered = forms.ChoiceField(label="Nombres", choices=[(1, 1000), (2, 2000)])
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3, "data-x": True, "hidden": False}))
    hidden = forms.IntegerField(widget=forms.HiddenInput, required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": "\"quoted\" <tag> & 'single'", "flag": "on", "choice": "b", "note": "a < b\n\nsuite", "hidden": "3"},
        {"text": mark_safe("<i>déjà sûr</i>"), "choice": "a", "grouped": "x", "numbered": "2", "note": ""},
    ],
)
def test_each_widget_is_written_as_its_template_renders_it(data):
    written = Sample(data, renderer=EDITOR_RENDERER)
    templated = Sample(data, renderer=TemplatesSetting())
    for name in Sample.base_fields:
        assert str(written[name]) == str(templated[name]), name


def test_a_widget_template_overridden_by_the_project_is_rendered_as_a_template(monkeypatch):
    renderer = EditorRenderer()
    monkeypatch.setattr(EditorRenderer, "_is_django_widget", lambda self, name: not name.endswith("/select.html"))
    assert "django/forms/widgets/select.html" not in renderer.writers
    assert "django/forms/widgets/text.html" in renderer.writers
    monkeypatch.setattr(EditorRenderer, "_is_django_widget", lambda self, name: not name.endswith("/attrs.html"))
    assert EditorRenderer().writers == {}
    assert set(WRITERS) >= {"django/forms/widgets/text.html", "django/forms/widgets/checkbox.html"}
