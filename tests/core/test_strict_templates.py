"""In tests, a project template that prints a value it could not find fails (config/settings/test.py); the guards of
production (``{% if %}``, ``|default``) keep working, and django-dsfr's own templates stay lenient."""

import pytest
from django.conf import settings
from django.template import Context, Engine, Origin, Template, TemplateSyntaxError

PROJECT = Origin(name=str(settings.PROJECT_TEMPLATES / "essai.html"))
LIBRARY = Origin(name="/site-packages/dsfr/templates/dsfr/essai.html")


def render(source: str, origin: Origin, **context: object) -> str:
    return Template(source, origin=origin, engine=Engine.get_default()).render(Context(context))


@pytest.mark.parametrize(
    "source", ["{{ missing }}", "{{ dossier.missing }}", "{{ missing|upper }}", "{{ dossier.title.startswith }}"]
)
def test_a_project_template_printing_what_it_cannot_find_fails_with_the_line(source):
    with pytest.raises(TemplateSyntaxError, match=r"essai\.html, ligne 1"):
        render(source, PROJECT, dossier={"title": "Projet"})


def test_the_guards_of_production_still_work():
    source = "{% if missing %}oui{% else %}non{% endif %} {{ missing|default:'—' }} {% for x in missing %}x{% endfor %}"
    assert render(source, PROJECT) == "non — "


def test_the_templates_of_a_library_stay_lenient():
    assert render("[{{ missing }}]", LIBRARY) == "[]"
