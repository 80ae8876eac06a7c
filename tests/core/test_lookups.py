"""``__any``: the same rows as ``__in``, one array parameter on PostgreSQL, ``IN (…)`` elsewhere."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pactes.territories.models import Commune, Departement

pytestmark = [pytest.mark.django_db, pytest.mark.engine]


def test_any_selects_the_same_rows_as_in_by_primary_and_foreign_key():
    ids = list(Departement.objects.order_by("code").values_list("pk", flat=True)[:3])
    assert ids, "the reference data holds the départements"
    assert set(Departement.objects.filter(pk__any=ids)) == set(Departement.objects.filter(pk__in=ids))
    by_any = set(Commune.objects.filter(departement_id__any=ids).values_list("pk", flat=True))
    assert by_any, "these départements have communes"
    assert by_any == set(Commune.objects.filter(departement_id__in=ids).values_list("pk", flat=True))
    assert by_any == set(Commune.objects.filter(departement__any=ids).values_list("pk", flat=True))


def test_an_empty_list_selects_nothing():
    assert list(Departement.objects.filter(pk__any=[])) == []


def test_postgresql_receives_one_array_parameter_whatever_the_number_of_ids():
    ids = list(range(1, 2001))
    with CaptureQueriesContext(connection) as queries:
        list(Departement.objects.filter(pk__any=ids).values_list("pk", flat=True))
    sql = queries.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql
