"""The instructor's dossier page read at its fixed cost (issue 12, pactes/web/instruction/dossier_page.py): the scoped
dossier and its records by prepared queries (one per scope of a person, which follows a change of the person's
territory), the checklist written in Python as its template wrote it, the panel and the filed version kept under keys
that name all they show."""

import json
import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pactes.calls.models import Measure
from pactes.core.reference_cache import bump_generation
from pactes.dossiers.models import Dossier
from pactes.instruction.models import ChecklistCheck
from pactes.instruction.services import checklist_record
from pactes.territories.models import Departement
from pactes.territories.selectors import TERRITORIES_REFERENCE
from pactes.web.instruction.dossier_page import (
    checklist_html,
    checks_of,
    complement_requests_of,
    history_of,
    instruction_panel,
    message_count,
    pieces_of,
    version_html,
    versions_of,
)
from pactes.web.instruction.forms import ChecklistForm, checked_name, comment_name


def page_url(dossier) -> str:
    return reverse("instruction:dossier", args=[dossier.reference])


# -- scope ---------------------------------------------------------------------------------------------------------
def test_the_scope_follows_a_change_of_the_instructors_departement(client, filed, staff):
    instructor = staff["i09"]
    client.force_login(instructor)
    assert client.get(page_url(filed)).status_code == 200
    instructor.departement = Departement.objects.get(code="11")
    instructor.save()
    assert client.get(page_url(filed)).status_code == 404  # the scope of the Aude, compiled for it
    other = staff["i11"]
    other.departement = Departement.objects.get(code="09")
    other.save()
    client.force_login(other)
    assert client.get(page_url(filed)).status_code == 200
    other.is_active = False
    other.save()
    assert client.get(page_url(filed)).status_code != 200


@pytest.mark.parametrize("who", ["i11", "jury", "admin"])
def test_a_post_outside_the_scope_answers_404(client, under_review, staff, who):
    client.force_login(staff[who])
    url = reverse("instruction:checklist", args=[under_review.reference])
    assert client.post(url, {}).status_code == 404


def test_the_records_are_the_orms(under_review, staff):
    dossier = under_review
    checklist_record(dossier=dossier, by=staff["i09"], answers={"rib": (True, "RIB « à jour » & signé")})

    def pks(queryset):
        return list(queryset.values_list("pk", flat=True))

    assert [v.pk for v in versions_of(dossier)] == pks(dossier.versions.order_by("number"))
    assert [p.pk for p in pieces_of(dossier)] == pks(dossier.attachments.all())
    assert [c.pk for c in checks_of(dossier)] == pks(ChecklistCheck.objects.filter(dossier=dossier))
    assert [t.pk for t in history_of(dossier)] == pks(dossier.transitions.all())
    assert [c.pk for c in complement_requests_of(dossier)] == pks(dossier.complement_requests.all())
    assert message_count(staff["i09"], dossier) == dossier.messages.count()
    with CaptureQueriesContext(connection) as queries:
        [check] = checks_of(dossier)
        assert check.dossier is dossier and str(check.checked_by) == str(staff["i09"])
    assert len(queries) == 1  # the person read with the check


def test_the_page_runs_the_same_queries_whatever_the_number_of_records(client, under_review, staff):
    client.force_login(staff["i09"])
    client.get(page_url(under_review))
    with CaptureQueriesContext(connection) as few:
        client.get(page_url(under_review))
    answers = {item.code: (True, f"point {item.code}") for item in under_review.call.rules.admissibility_checklist}
    checklist_record(dossier=under_review, by=staff["i09"], answers=answers)
    with CaptureQueriesContext(connection) as many:
        client.get(page_url(under_review))
    assert len(many.captured_queries) == len(few.captured_queries)


# -- the checklist written in Python -------------------------------------------------------------------------------
# The rows as instruction/dossier.html wrote them before (issue 12).
CHECKLIST_TEMPLATE = """{% load pactes_format %}              {% for item, checked, comment, check in checklist %}
                <tr data-item="{{ item.code }}">
                  <td>
                    <div class="fr-checkbox-group">
                      <input type="checkbox" id="{{ checked.id_for_label }}" name="{{ checked.html_name }}"{% if checked.value %} checked{% endif %}{% if not checklist_open %} disabled{% endif %}>
                      <label class="fr-label" for="{{ checked.id_for_label }}">{{ item.label }}</label>
                    </div>
                  </td>
                  <td>
                    <label class="fr-label fr-sr-only" for="{{ comment.id_for_label }}">{{ comment.label }}</label>
                    <textarea class="fr-input" id="{{ comment.id_for_label }}" name="{{ comment.html_name }}" rows="2"{% if not checklist_open %} disabled{% endif %}>{{ comment.value|default_if_none:"" }}</textarea>
                    {% for error in comment.errors %}<p class="fr-error-text">{{ error }}</p>{% endfor %}
                  </td>
                  <td class="fr-text--sm">{% if check %}{{ check.checked_by }}<br>{{ check.checked_at|datetime_fr }}{% else %}—{% endif %}</td>
                </tr>
              {% endfor %}
"""


def template_rows(items, checks, form, is_open) -> str:
    rows = [(item, checked, comment, checks.get(item.code)) for item, checked, comment in form.rows()]
    context = Context({"checklist": rows, "checklist_open": is_open})
    return Template(CHECKLIST_TEMPLATE).render(context)


def unbound(items, checks) -> ChecklistForm:
    initial = {}
    for code, check in checks.items():
        initial[checked_name(code)] = check.is_checked
        initial[comment_name(code)] = check.comment
    return ChecklistForm(initial=initial, items=items)


@pytest.mark.parametrize("is_open", [True, False])
def test_the_checklist_rows_are_what_the_template_wrote(under_review, staff, is_open):
    items = under_review.call.rules.admissibility_checklist
    checklist_record(
        dossier=under_review,
        by=staff["i09"],
        answers={items[0].code: (True, 'Vu <b>« signé »</b> & "daté"\nligne 2'), items[1].code: (False, "")},
    )
    checks = {c.item: c for c in checks_of(under_review)}
    form = unbound(items, checks)
    expected = template_rows(items, checks, form, is_open)
    assert "              " + checklist_html(items, checks, form, is_open=is_open) + "\n" == expected
    # Without a form, the page writes the names, ids and values the unbound form gives.
    assert checklist_html(items, checks, None, is_open=is_open) == checklist_html(items, checks, form, is_open=is_open)
    assert "&lt;b&gt;« signé »&lt;/b&gt; &amp; &quot;daté&quot;" in expected


def test_a_checklist_sent_back_shows_what_was_sent_and_its_errors(under_review):
    items = under_review.call.rules.admissibility_checklist
    data = {checked_name(items[0].code): "on", comment_name(items[1].code): "x" * 2001}
    form = ChecklistForm(data, items=items)
    assert not form.is_valid()
    expected = template_rows(items, {}, form, True)
    assert "              " + checklist_html(items, {}, form, is_open=True) + "\n" == expected
    assert 'class="fr-error-text"' in expected and " checked" in expected


def test_a_checklist_sent_back_with_an_error_is_shown_on_the_page(client, under_review, staff):
    client.force_login(staff["i09"])
    item = under_review.call.rules.admissibility_checklist[0]
    url = reverse("instruction:checklist", args=[under_review.reference])
    response = client.post(url, {comment_name(item.code): "x" * 2001})
    assert response.status_code == 200
    assert 'class="fr-error-text"' in response.content.decode()


# -- what is kept between requests ---------------------------------------------------------------------------------
def test_the_kept_panel_is_what_the_panel_template_writes_with_the_pages_context(under_review):
    dossier = Dossier.objects.select_related("call", "organisation", "source").get(pk=under_review.pk)
    panel, kept = instruction_panel(dossier, None)
    assert str(kept) == render_to_string("dossiers/_panel.html", {"panel": panel, "dossier": dossier})
    assert instruction_panel(dossier, None)[1] == kept


def contenu(response) -> str:
    return re.search(r'<section id="contenu".*?</section>', response.content.decode(), re.S)[0]


def test_the_kept_version_follows_its_snapshot_the_measures_and_the_territories(
    client, filed, staff, django_capture_on_commit_callbacks
):
    call = filed.call
    [version] = versions_of(filed)
    first = version_html(version, call)
    with CaptureQueriesContext(connection) as again:
        assert version_html(version, call) == first
    assert not [q for q in again.captured_queries if "territories_epci" in q["sql"]]  # not presented again
    document = json.loads(version.snapshot)
    [code, *_] = document["priorities"][0]["measures"]
    measure = Measure.objects.get(code=code)
    measure.label = "Libellé renommé de la mesure"
    measure.save()
    renamed = version_html(version, call)
    assert "Libellé renommé de la mesure" in renamed and renamed != first
    document["diagnostic"] = "Un diagnostic modifié hors de la plateforme"
    version.snapshot = json.dumps(document)
    assert "Un diagnostic modifié hors de la plateforme" in version_html(version, call)
    with django_capture_on_commit_callbacks(execute=True):
        bump_generation(TERRITORIES_REFERENCE)  # the names of the territories reloaded
    with CaptureQueriesContext(connection) as after_bump:
        version_html(version, call)
    assert [q for q in after_bump.captured_queries if "territories_epci" in q["sql"]]  # presented again
    client.force_login(staff["i09"])
    assert "Libellé renommé de la mesure" in contenu(client.get(page_url(filed)))
