"""What makes the budget step cheap changes nothing it shows (ADR 0056): its line tables written in Python are the
HTML of ``_line_table.html`` byte for byte, and the rules panel kept under the fingerprint of its inputs follows every
kind of write (a line added, changed, deleted; a partner added) and the filing deadline."""

import datetime as dt
import html
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from pactes.dossiers.editing import dossier_save_step, step_version
from pactes.dossiers.models import Dossier
from pactes.web.dossiers.forms import ExpenseFormSet, ResourceFormSet
from pactes.web.dossiers.forms.budget import ResourceForm, ResourceLines
from pactes.web.dossiers.forms.lines import LINE_TABLE_TEMPLATE, table_html
from pactes.web.dossiers.views import live_panel
from pactes.web.dossiers.views.live_panel import panel_key
from tests.web.dossiers.test_editor_rendering import VOLATILE
from tests.web.test_dossier_edit import budget_data, formset_data, step_url


def _loaded(dossier):
    return Dossier.objects.select_related("call", "organisation", "source").get(pk=dossier.pk)


def _same_as_template(formset, caption):
    templated = render_to_string(LINE_TABLE_TEMPLATE, {"formset": formset, "caption": caption})
    assert str(table_html(formset, caption)) == templated


class _Refusing(ResourceForm):
    def clean(self):
        data = super().clean()
        self.add_error(None, "Ligne « refusée » <b>")
        return data


class _RefusingLines(ResourceLines):
    def clean(self):
        raise ValidationError("Total « incohérent » & <i>refusé</i>")


def test_the_tables_written_in_python_are_the_template_s_html_unbound_and_with_every_kind_of_error(filled_dossier):
    dossier = _loaded(filled_dossier)
    _same_as_template(ExpenseFormSet.from_dossier(dossier), "Dépenses prévisionnelles")
    _same_as_template(ResourceFormSet.from_dossier(dossier), "Cofinancements <& « guillemets »>")
    posted = budget_data(
        lock_version=0, expenses=["1 000", "douze mille", "-5"], grant="", public="abc", dossier=dossier
    )
    expenses = ExpenseFormSet.from_dossier(dossier, posted)
    assert not expenses.is_valid()
    _same_as_template(expenses, "Dépenses prévisionnelles")
    refusing = forms.formset_factory(_Refusing, formset=_RefusingLines, extra=1, can_delete=True)
    rows = formset_data("ressources", [{"kind": "public", "funder": "CAF", "amount": "10", "status": "acquired"}])
    bound = refusing(rows, form_kwargs={"partner_names": ()})
    assert not bound.is_valid() and bound.non_form_errors() and bound.forms[0].non_field_errors()
    _same_as_template(bound, "Cofinancements")


def _figure(response, name):
    match = re.search(rf'data-figure="{name}">\s*(.*?)\s*</dd>', response.content.decode(), re.S)
    return html.unescape(match[1]).replace("\u202f", " ").replace("\xa0", " ")


def _budget_post(dossier, expenses, *, deleted=()):
    """The budget form as the page posts it: the stored expenses typed over by id, the typed cofinancing kept."""
    data = budget_data(lock_version=step_version(dossier, "budget"), expenses=expenses, grant="50 000", public="5 000")
    ids = list(dossier.expenses.order_by("position", "pk").values_list("pk", flat=True))
    for i, pk in enumerate(ids):
        data[f"depenses-{i}-id"] = str(pk)
    data["depenses-INITIAL_FORMS"] = str(len(ids))
    data["ressources-0-id"] = str(dossier.resources.get(funder="CAF").pk)
    data["ressources-INITIAL_FORMS"] = "1"
    for i in deleted:
        data[f"depenses-{i}-DELETE"] = "on"
    return data


def _save_budget(client, dossier, expenses, *, deleted=()):
    response = client.post(step_url(dossier, "budget"), _budget_post(dossier, expenses, deleted=deleted))
    assert response.status_code == 302, response.content.decode()[:2000]


def _amounts(response):
    """The amounts of the expense lines, as their inputs show them."""
    found = re.findall(r'name="depenses-\d+-amount" value="([^"]*)"', response.content.decode())
    return [html.unescape(a).replace("\u202f", " ").replace("\xa0", " ") for a in found]


def test_the_kept_panel_and_fields_follow_a_line_added_changed_and_deleted(client, filled_dossier):
    url = step_url(filled_dossier, "budget")
    page = client.get(url)
    assert _figure(page, "total_expenses") == "102 500,50 €" and _amounts(page) == ["100 000", "2 500,50"]
    _save_budget(client, filled_dossier, ["100 000", "2 500,50", "7 000"])  # added
    page = client.get(url)
    assert _figure(page, "total_expenses") == "109 500,50 €" and _amounts(page) == ["100 000", "2 500,50", "7 000"]
    _save_budget(client, filled_dossier, ["100 000", "2 500,50", "8 000"])  # changed
    page = client.get(url)
    assert _figure(page, "total_expenses") == "110 500,50 €" and _amounts(page) == ["100 000", "2 500,50", "8 000"]
    _save_budget(client, filled_dossier, ["100 000", "2 500,50", "8 000"], deleted=[2])  # deleted
    page = client.get(url)
    assert _figure(page, "total_expenses") == "102 500,50 €" and _amounts(page) == ["100 000", "2 500,50"]


def test_the_kept_panel_follows_a_partner_added_at_step_6(client, filled_dossier, editor_applicant):
    url = step_url(filled_dossier, "budget")
    before = _figure(client.get(url), "cofinancing")
    partners = [
        {"id": p.pk, "name": p.name, "contribution": p.contribution, "amount": p.amount, "quantity": p.quantity,
         "siret": p.siret, "unit": p.unit, "unit_value": p.unit_value, "basis": p.basis, "funder_kind": p.funder_kind,
         "funding_status": p.funding_status}
        for p in filled_dossier.partners.all()
    ]  # fmt: skip
    partners.append(
        {"id": None, "name": "Fondation « Solidaire »", "contribution": "financial", "amount": Decimal("4000"),
         "siret": "", "quantity": None, "unit": "", "unit_value": None, "basis": "", "funder_kind": "private",
         "funding_status": "requested"}
    )  # fmt: skip
    dossier_save_step(  # through the service, as any writer of the dossier's content
        dossier=filled_dossier,
        step="partenaires",
        data={"partners": partners, "partners_deleted": []},
        expected_version=step_version(filled_dossier, "partenaires"),
        by=editor_applicant[0],
    )
    response = client.get(url)
    assert _figure(response, "cofinancing") != before
    shown = html.unescape(response.content.decode())
    amounts = [
        a.replace("\u202f", " ").replace("\xa0", " ") for a in re.findall(r'data-partner-amount="[^"]*">([^<]*)', shown)
    ]
    assert amounts == ["10 000 €", "4 000 €"]
    assert '<td data-label="Partenaire">Fondation « Solidaire »</td>' in shown  # the read-only table of step 6


def test_the_panel_is_computed_once_per_content_and_the_second_page_reads_no_rule_input(client, filled_dossier):
    url = step_url(filled_dossier, "budget")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    for table in ("dossiers_priority", "dossiers_consortiummember", "dossiers_impactmeasure", "territories_commune"):
        assert not [sql for sql in statements if f'FROM "{table}"' in sql], table
    assert 'data-figure="total_expenses"' in response.content.decode()


def test_the_panel_s_key_names_the_side_of_the_filing_deadline_and_the_dossier_s_content(filled_dossier):
    dossier = _loaded(filled_dossier)
    closes = dossier.call.rules.filing_closes_at
    before, after = closes - dt.timedelta(seconds=1), closes + dt.timedelta(seconds=1)
    assert panel_key(dossier, before) == panel_key(dossier, closes - dt.timedelta(days=30))
    assert panel_key(dossier, before) != panel_key(dossier, after)
    key = panel_key(dossier, after)
    dossier.lock_version += 1
    assert panel_key(dossier, after) != key


@pytest.mark.parametrize("passed", [False, True])
def test_the_kept_panel_says_the_deadline_passed_only_after_it(client, filled_dossier, monkeypatch, passed):
    closes = filled_dossier.call.rules.filing_closes_at
    moment = closes + dt.timedelta(seconds=1) if passed else closes - dt.timedelta(seconds=1)
    monkeypatch.setattr(live_panel, "timezone", SimpleNamespace(now=lambda: moment))  # the panel's clock only
    page = client.get(step_url(filled_dossier, "budget")).content.decode()
    shown = re.search(r'<li data-rule="DEADLINE_PASSED" class="([^"]*)"', page)[1]
    assert shown == ("is-failed is-blocking" if passed else "is-met")


def test_a_management_form_is_written_as_django_s_div_template_renders_it(filled_dossier, monkeypatch):
    from pactes.web.dossiers.forms.rendering import EDITOR_RENDERER, FORM_DIV

    dossier = _loaded(filled_dossier)
    posted = budget_data(lock_version=0, expenses=["1 000"], grant="", public="")
    formsets = [ExpenseFormSet.from_dossier(dossier), ExpenseFormSet.from_dossier(dossier, posted)]
    written = [str(f.management_form) for f in formsets]
    assert FORM_DIV in EDITOR_RENDERER.writers
    with monkeypatch.context() as patch:
        patch.setitem(EDITOR_RENDERER.__dict__, "writers", {})
        templated = [str(f.management_form) for f in formsets]
    assert written == templated and 'name="depenses-TOTAL_FORMS" value="1"' in written[1]


def _volatile(response):
    return VOLATILE.sub(r"\1", response.content.decode())


def test_the_kept_fields_are_the_page_of_the_lines_and_a_second_page_reads_no_line(client, filled_dossier):
    url = step_url(filled_dossier, "budget")
    cache.clear()
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert _volatile(second) == _volatile(first)
    for table in ("dossiers_expenseline", "dossiers_resourceline", "dossiers_partner", "dossiers_action"):
        assert not [q for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]], table


def test_a_refused_save_shows_what_was_typed_and_is_never_kept(client, filled_dossier):
    url = step_url(filled_dossier, "budget")
    client.get(url)
    refused = client.post(url, _budget_post(filled_dossier, ["100 000", "douze mille"]))
    assert refused.status_code == 200 and "douze mille" in _amounts(refused)
    assert _amounts(client.get(url)) == ["100 000", "2 500,50"]  # the stored values again
