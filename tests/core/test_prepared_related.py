"""Prepared queries (pactes.core.prepared) of several values, of numbers, of every row and with the related objects
of ``select_related``: the same objects as the ORM's, from one query (ADR 0056)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pactes.calls.models import Call
from pactes.core.prepared import PreparedQuery
from tests.calls.fixtures import demo_call, real_call  # noqa: F401


def test_select_related_objects_are_read_with_the_row(real_call, demo_call):  # noqa: F811
    query = PreparedQuery(lambda slug: Call.objects.filter(slug=slug).select_related("derived_from"))
    query.first(real_call.slug)  # compiled
    with CaptureQueriesContext(connection) as queries:
        demo = query.first(demo_call.slug)
        real = query.first(real_call.slug)
        assert demo.derived_from.pk == real_call.pk and demo.derived_from.slug == real_call.slug
        assert real.derived_from is None
    assert len(queries) == 2


def test_several_values_of_both_kinds_each_in_its_place(real_call, demo_call):  # noqa: F811
    query = PreparedQuery(lambda slug, pk: Call.objects.filter(slug=slug, pk__gte=pk), kinds=(str, int))
    assert query.first(demo_call.slug, demo_call.pk).pk == demo_call.pk
    assert query.first(demo_call.slug, demo_call.pk + 1) is None
    with pytest.raises(TypeError):
        query.first(demo_call.slug)


def test_all_gives_every_row_in_the_orm_s_order(real_call, demo_call):  # noqa: F811
    query = PreparedQuery(lambda pk: Call.objects.filter(pk__gte=pk).order_by("-slug"), kinds=(int,))
    expected = list(Call.objects.filter(pk__gte=0).order_by("-slug"))
    rows = query.all(0)
    assert [c.pk for c in rows] == [c.pk for c in expected] and len(rows) == 2
    assert [c.filing_opens_at for c in rows] == [c.filing_opens_at for c in expected]  # converted as the ORM does
    assert query.all(max(c.pk for c in expected) + 1) == []


@pytest.mark.parametrize(
    "build",
    [
        lambda slug, pk: Call.objects.filter(slug=slug),  # the number is absent
        lambda slug, pk: Call.objects.filter(slug=slug, pk=pk, date_offset_days=pk),  # twice
        lambda slug, pk: Call.objects.filter(slug__startswith=slug, pk=pk),  # the text transformed
    ],
)
def test_a_query_of_several_values_that_cannot_be_prepared_is_refused(db, build):
    with pytest.raises(ValueError):
        PreparedQuery(build, kinds=(str, int)).first("pts-occitanie-2024", 1)


def test_a_number_typed_for_its_column_is_put_back_typed(real_call, demo_call):  # noqa: F811
    # On PostgreSQL the ORM passes a 32-bit column's value as psycopg's ``Int4``: the value given takes that type.
    query = PreparedQuery(lambda slug, days: Call.objects.filter(slug=slug, date_offset_days=days), kinds=(str, int))
    assert query.first(demo_call.slug, demo_call.date_offset_days).pk == demo_call.pk
    assert query.first(demo_call.slug, demo_call.date_offset_days + 1) is None
