"""The queue's page written once in Python (issue 12): the same HTML as the templates wrote it (filter fields as DSFR's
field template, rows, counters), every value escaped, the total read from the counts by state (no COUNT of its own)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pactes.core.templatetags.pactes_format import date_short, euros
from pactes.dossiers.models import Dossier
from pactes.dossiers.services import dossier_transition
from pactes.instruction.selectors import QueueFilters
from pactes.territories.models import Departement
from pactes.web.instruction.queue import (
    blank_filters_html,
    filter_fields,
    filters_html,
    form_arguments,
    query_with,
    queue_form,
)
from tests.instruction.fixtures import bare_filed

QUEUE = reverse("instruction:queue")


def squeezed(markup: str) -> str:
    """The markup without the whitespace between tags and inside text (which the browser does not show)."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", markup)).strip()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=Couserans&state=depose&sort=reference&amount_min=12+500",
        "state=inconnu&amount_min=abc&amount_max=-1&epci=0&call=autre&sort=nimporte",
        "amount_min=50000&amount_max=10000",
    ],
)
@pytest.mark.parametrize("who", ["i09", "dreets"])
def test_the_lean_filter_fields_write_what_the_dsfr_form_template_writes(real_call, filed, staff, who, query):
    request = RequestFactory().get(f"{QUEUE}?{query}")
    dsfr_form, _ = queue_form(request, staff[who])
    lean_form, _ = queue_form(request, staff[who])
    lean = render_to_string(
        "instruction/_queue_filters.html", {"form": lean_form, "filter_fields": filter_fields(lean_form)}
    )
    assert squeezed(lean) == squeezed(str(dsfr_form))


def test_a_row_shows_the_dossier_escaped_with_its_link_epci_date_amount_and_state(client, real_call, staff):
    dossier = bare_filed(real_call, code="09", grant="62000.00", title="L'atelier <b>« vélo »</b> & co")
    client.force_login(staff["i09"])
    content = client.get(QUEUE).content.decode()
    row = re.search(rf'<tr data-reference="{dossier.reference}">.*?</tr>', content, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    url = reverse("instruction:dossier", args=[dossier.reference])
    assert cells[0] == f'<a class="fr-link" href="{url}">{dossier.reference}</a>'
    assert "L&#x27;atelier &lt;b&gt;« vélo »&lt;/b&gt; &amp; co" in cells[1]
    assert cells[2] == "09"
    assert cells[3] == "—"  # no EPCI
    assert cells[4] == date_short(dossier.submitted_at)  # « 04/12/2026 », in Europe/Paris
    assert cells[5] == euros(Decimal("62000"))
    assert 'fr-badge--new" data-state="depose">Déposé</p>' in cells[6]


def test_the_epci_of_a_row_are_listed_by_name(client, real_call, staff):
    dossier = bare_filed(real_call, code="09", grant="1000.00", title="Deux EPCI", epci_siren="200067940")
    other = dossier.departement.epcis.exclude(siren="200067940").order_by("name").first()
    Dossier.epcis.through.objects.create(dossier=dossier, epci=other)
    client.force_login(staff["i09"])
    content = client.get(QUEUE).content.decode()
    row = re.search(rf'<tr data-reference="{dossier.reference}">.*?</tr>', content, re.S)
    names = sorted([other.name, dossier.epcis.get(siren="200067940").name])
    assert f'<td class="fr-text--sm">{" ; ".join(names)}</td>'.replace("'", "&#x27;") in row.group(0)


def test_the_total_is_the_sum_of_the_counts_and_no_count_query_is_run(client, real_call, filed, staff):
    for i in range(3):
        bare_filed(real_call, code="09", grant="1000.00", title=f"Projet {i}")
    started = Dossier.objects.filter(departement__code="09").order_by("reference").first()
    dossier_transition(dossier=started, transition="start_review", by=staff["i09"])
    client.force_login(staff["i09"])
    with CaptureQueriesContext(connection) as queries:
        everything = client.get(QUEUE).content.decode()
    assert "4 dossiers correspondent aux filtres." in everything
    assert not [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    one_state = client.get(QUEUE, {"state": "en_instruction"}).content.decode()
    assert "1 dossier correspond aux filtres." in one_state
    assert 'data-state="en_instruction" data-count="1" aria-current="true">En instruction : 1</a>' in one_state
    assert 'class="fr-tag fr-tag--sm fr-tag--dismiss" href="?state=en_instruction&amp;page=1"' in one_state
    assert "0 dossiers correspondent aux filtres." in client.get(QUEUE, {"state": "retenu"}).content.decode()


def test_the_links_keep_the_query_string_and_replace_their_own_parameters():
    query = RequestFactory().get("/?q=caf%C3%A9+%26+th%C3%A9&state=depose&page=3&epci=1&epci=2").GET
    assert (
        query_with(query, state="recevable", page=1) == "q=caf%C3%A9+%26+th%C3%A9&state=recevable&page=1&epci=1&epci=2"
    )
    replaced = query.copy()
    replaced["sort"] = "-depot"
    replaced["page"] = 1
    assert query_with(query, sort="-depot", page=1) == replaced.urlencode()


def test_a_page_past_the_last_shows_the_last_page(client, real_call, staff, monkeypatch):
    monkeypatch.setattr("pactes.web.instruction.queue.PER_PAGE", 2)
    made = [bare_filed(real_call, code="09", grant="1000.00", title=f"Projet {i}") for i in range(3)]
    client.force_login(staff["i09"])
    content = client.get(QUEUE, {"sort": "reference", "page": "9"}).content.decode()
    assert re.findall(r'data-reference="([^"]+)"', content) == [made[-1].reference]


# -- the queue's reads compiled once (pactes.core.prepared) ---------------------------------------------------------
@pytest.mark.parametrize("who", ["i09", "dreets"])
def test_the_blank_filters_are_those_of_the_unbound_form(real_call, filed, staff, who):
    form, _ = queue_form(RequestFactory().get(QUEUE), staff[who])
    assert not form.is_bound and form.filters() == QueueFilters()
    _, arguments = form_arguments(staff[who])
    assert blank_filters_html(arguments) == filters_html(form)


def test_the_queue_follows_a_change_of_the_instructors_departement_and_of_the_dossiers(client, real_call, staff):
    ariege = bare_filed(real_call, code="09", grant="1000.00", title="Projet ariégeois")
    aude = bare_filed(real_call, code="11", grant="2000.00", title="Projet audois")
    instructor = staff["i09"]
    client.force_login(instructor)
    assert ariege.reference in client.get(QUEUE).content.decode()
    instructor.departement = Departement.objects.get(code="11")
    instructor.save()
    content = client.get(QUEUE).content.decode()
    assert aude.reference in content and ariege.reference not in content
    assert "Département Aude (11)" in content
    dossier_transition(dossier=aude, transition="start_review", by=instructor)
    content = client.get(QUEUE).content.decode()
    assert 'data-state="en_instruction" data-count="1"' in content and 'data-state="en_instruction">' in content


def test_the_rows_of_a_page_have_their_grants_and_epci_read_by_a_fixed_query(client, real_call, staff):
    epci = Dossier.epcis.through.objects.values_list("epci__siren", flat=True).first()
    with_epci = bare_filed(real_call, code="09", grant="62000.00", title="Avec EPCI", epci_siren=epci or "")
    alone = bare_filed(real_call, code="09", grant="1500.00", title="Seul")
    client.force_login(staff["i09"])
    content = client.get(QUEUE).content.decode()
    for dossier, grant in ((with_epci, Decimal("62000")), (alone, Decimal("1500"))):
        row = re.search(rf'<tr data-reference="{dossier.reference}">.*?</tr>', content, re.S).group(0)
        assert euros(grant) in row
