"""The budget step reads each list of the dossier once per request (its forms, its read-only tables and the rules
panel share them), never looks for the typed resource lines by ``contributor IS NULL`` (on SQLite, a walk of that
column's unique index over most of the table), and its autosave answers with the panel of the dossier as saved."""

from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pactes.dossiers.editing import step_version
from pactes.dossiers.models import ResourceKind
from tests.web.test_dossier_edit import budget_data, step_url

LISTS = ("dossiers_resourceline", "dossiers_expenseline", "dossiers_inkindline", "dossiers_partner")


def _statements(client, method, url, data=None, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, **kwargs) if method == "post" else client.get(url)
    return response, [q["sql"] for q in queries.captured_queries]


def test_the_budget_page_reads_each_list_once_and_never_scans_for_typed_resources(client, filled_dossier):
    cache.clear()  # the fields of this version were kept when the fixture showed them: shown here from the lines
    response, statements = _statements(client, "get", step_url(filled_dossier, "budget"))
    assert response.status_code == 200
    assert not [sql for sql in statements if '"contributor_id" IS NULL' in sql]
    for table in LISTS:
        assert sum(f'FROM "{table}"' in sql for sql in statements) == 1, table
    assert len(statements) <= 30


def test_a_budget_save_never_scans_for_typed_resources_and_keeps_partner_lines(client, filled_dossier):
    data = budget_data(
        lock_version=step_version(filled_dossier, "budget"), expenses=["120 000"], grant="40 000", own="1 000"
    )
    response, statements = _statements(client, "post", step_url(filled_dossier, "budget"), data)
    assert response.status_code == 302
    assert not [sql for sql in statements if '"contributor_id" IS NULL' in sql]
    typed = {r.kind: r.amount for r in filled_dossier.resources.filter(contributor__isnull=True)}
    assert typed == {
        ResourceKind.STATE_PTS: Decimal("40000"),
        ResourceKind.PUBLIC: Decimal("5000"),  # not on the page's list: a line the form does not mention is kept
        ResourceKind.OWN_FUNDS: Decimal("1000"),
    }
    assert filled_dossier.resources.filter(contributor__isnull=False).get().amount == Decimal("10000")


def test_the_autosave_answers_with_the_panel_of_the_saved_budget(client, filled_dossier):
    client.get(step_url(filled_dossier, "budget"))  # the page read the lines before the save
    data = budget_data(lock_version=step_version(filled_dossier, "budget"), expenses=["7 000"], grant="50 000")
    response = client.post(step_url(filled_dossier, "budget"), data, headers={"X-Pactes-Autosave": "1"})
    assert response.status_code == 200, response.content
    assert "109\u202f500,50" in response.json()["panel_html"]  # the two stored expenses and the new one
