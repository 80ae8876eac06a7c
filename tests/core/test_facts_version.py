"""The consolidated figures are kept under the facts token (ADR 0051): every table the consolidation reads is watched,
every write to one of them replaces the token once committed, the page then shows the new figures, and the figures of
one scope (region, a département, a call) are never shown to another."""

import datetime as dt
import html
import re
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pactes.agreements.services import payment_record
from pactes.core.facts_version import WATCHED, current_token, facts_changed, on_write
from pactes.dossiers.models import ImpactMeasure, Priority
from pactes.followup.services import measurement_record
from pactes.web.followup.views import _consolidation

pytestmark = pytest.mark.django_db

TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')


@pytest.fixture
def committed(paid_agreement):
    """The fixtures' writes as once committed: the test's transaction never commits, so the callbacks they left
    (the token's replacement among them) are dropped; each test then captures those of its own writes."""
    connection.run_on_commit.clear()
    return paid_agreement


def _label_of_table() -> dict[str, str]:
    return {m._meta.db_table: m._meta.label_lower for m in apps.get_models(include_auto_created=True)}


def _tables_read(queries) -> set[str]:
    return {table for query in queries for table in TABLE.findall(query["sql"])}


def test_every_table_the_consolidation_reads_is_watched(paid_agreement, accounts, committee_call):
    labels = _label_of_table()
    for user, call in (
        (accounts["dreets"], None),
        (accounts["dreets"], committee_call),
        (accounts["instructeur.09"], None),
    ):
        with CaptureQueriesContext(connection) as queries:
            _consolidation(user, call)
        read = {labels[table] for table in _tables_read(queries.captured_queries)}
        assert read - WATCHED == set(), f"tables lues mais non surveillées : {read - WATCHED}"
    assert set(labels.values()) >= WATCHED


@contextmanager
def committing(capture):
    """Runs the callbacks of the writes made inside, as a commit would, and leaves none pending (a commit clears
    them; the test's transaction never commits)."""
    with capture(execute=True) as callbacks:
        yield callbacks
    connection.run_on_commit.clear()


@pytest.mark.parametrize("label", sorted(WATCHED))
def test_a_write_to_any_watched_table_replaces_the_token_once_committed(
    label, committed, django_capture_on_commit_callbacks
):
    # The receiver as the signals call it (the real saves below prove it is connected to them).
    model = apps.get_model(label)
    for signal in ({}, {"action": "post_add"}):
        before = current_token()
        with committing(django_capture_on_commit_callbacks):
            on_write(sender=model, instance=model(), **signal)
        assert current_token() != before
    with committing(django_capture_on_commit_callbacks) as callbacks:
        on_write(sender=model, instance=model(), action="pre_add")
    assert callbacks == []


def test_saving_a_convention_and_a_dossier_replaces_the_token(committed, django_capture_on_commit_callbacks):
    for instance in (committed, committed.dossier):
        before = current_token()
        with committing(django_capture_on_commit_callbacks):
            instance.save()
        assert current_token() != before


def test_a_write_rolled_back_leaves_the_token(committed, django_capture_on_commit_callbacks):
    before = current_token()
    with committing(django_capture_on_commit_callbacks) as callbacks, transaction.atomic():
        committed.save()
        transaction.set_rollback(True)
    assert callbacks == [] and current_token() == before


def test_deleting_a_fact_replaces_the_token(committed, django_capture_on_commit_callbacks):
    before = current_token()
    with django_capture_on_commit_callbacks(execute=True):
        committed.payments.order_by("pk").first().delete()
    assert current_token() != before


def test_changing_the_measures_of_a_priority_replaces_the_token(committed, django_capture_on_commit_callbacks):
    priority = Priority.objects.filter(measures__isnull=False).order_by("pk").first()
    measure = priority.measures.order_by("pk").first()
    before = current_token()
    with committing(django_capture_on_commit_callbacks):
        priority.measures.remove(measure)
    removed = current_token()
    assert removed != before
    with committing(django_capture_on_commit_callbacks):
        priority.measures.add(measure)
    assert current_token() != removed


def test_many_writes_in_one_transaction_replace_the_token_once(committed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for measure in ImpactMeasure.objects.all():
            measure.save()
        facts_changed()
    assert len(callbacks) == 1


def _figures_part(page: str) -> str:
    """From the title on, without the CSP nonces: the header's CSRF token and the nonces change at each request."""
    return re.sub(r'nonce="[^"]*"', "", page.split("<h1>", 1)[1])


def _page(client, **params) -> str:
    response = client.get(reverse("followup:consolidated"), params)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_page_shows_a_payment_at_its_next_request(client, committed, accounts, django_capture_on_commit_callbacks):
    client.force_login(accounts["dreets"])
    assert "20\u202f000\u00a0€" in _page(client)
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(
            agreement=committed,
            amount=Decimal("5000.00"),
            paid_on=timezone.localdate(),
            reference="ACOMPTE-1",
            by=accounts["instructeur.09"],
        )
    assert "25\u202f000\u00a0€" in _page(client)


def test_the_page_shows_a_measured_value_at_its_next_request(
    client, committed, retained_dossier, accounts, django_capture_on_commit_callbacks
):
    measure = ImpactMeasure.objects.filter(action__dossier=retained_dossier["09"]).order_by("pk").first()
    client.force_login(accounts["dreets"])
    assert "1\u202f234,5" not in _page(client)
    with django_capture_on_commit_callbacks(execute=True):
        measurement_record(
            measure=measure,
            value=Decimal("1234.5"),
            measured_on=measure.action.start + dt.timedelta(days=30),
            by=accounts["porteur.ariege"],
        )
    assert "1\u202f234,5" in _page(client)


def test_kept_figures_never_cross_territories_or_calls(client, paid_agreement, accounts, committee_call):
    client.force_login(accounts["dreets"])
    region = _page(client)
    assert "09 — Ariège" in region and "Enveloppe régionale" in region
    assert "Enveloppe régionale" in _page(client, call=committee_call.pk)
    client.force_login(accounts["instructeur.11"])
    aude = _page(client)
    assert "11 — Aude" in aude and "09 — Ariège" not in aude and "Enveloppe régionale" not in aude
    client.force_login(accounts["instructeur.09"])
    ariege = _page(client)
    assert "09 — Ariège" in ariege and "11 — Aude" not in ariege and "Enveloppe régionale" not in ariege


def test_the_kept_figures_are_read_without_the_consolidation_queries(client, paid_agreement, accounts):
    client.force_login(accounts["dreets"])
    first = _page(client)
    with CaptureQueriesContext(connection) as queries:
        again = _page(client)
    assert _figures_part(again) == _figures_part(first)
    assert {"dossiers_impactmeasure", "agreements_payment"} & _tables_read(queries.captured_queries) == set()
    assert len(queries.captured_queries) <= 4  # session, person, facts token, the calls of the filter


def test_the_kept_filter_lists_a_renamed_call_and_an_unknown_call_is_refused(
    client, committed, accounts, committee_call, django_capture_on_commit_callbacks
):
    client.force_login(accounts["dreets"])
    assert "AMI renommé" not in _page(client)
    with committing(django_capture_on_commit_callbacks):
        committee_call.short_title = "AMI renommé"
        committee_call.save(update_fields=["short_title"])
    assert "AMI renommé" in _page(client)
    assert "Cet appel n'existe pas." in _page(client, call=999999)
    assert "Cet appel n'existe pas." not in _page(client)
