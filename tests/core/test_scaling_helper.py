"""The row counter of the scaling tests (tests/scaling.py) counts what is fetched, whichever way it is read."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.scaling import count_rows

pytestmark = pytest.mark.django_db


def test_counts_statements_and_fetched_rows():
    User = get_user_model()
    User.objects.bulk_create([User(email=f"p{i}@exemple.fr") for i in range(7)])
    with count_rows() as c:
        assert len(list(User.objects.all())) == 7
        assert User.objects.count() == 7
        assert User.objects.filter(email="p1@exemple.fr").exists()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 UNION ALL SELECT 2")
            assert len(cursor.fetchall()) == 2
    assert c.queries == 4
    assert c.rows == 7 + 1 + 1 + 2, c.report()


def test_iterating_a_queryset_counts_every_chunk():
    User = get_user_model()
    User.objects.bulk_create([User(email=f"q{i}@exemple.fr") for i in range(5)])
    with count_rows() as c:
        assert sum(1 for _ in User.objects.filter(email__startswith="q").iterator(chunk_size=2)) == 5
    assert c.rows == 5
