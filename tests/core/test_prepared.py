"""Prepared queries (pactes.core.prepared): compiled once, they give what the ORM gives for each value — objects with
their related objects, rows, counts — and refuse what they cannot run again with another value."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from pactes.core.prepared import PreparedQuery, PreparedVariants
from pactes.dossiers.models import DossierTransitionLog, DossierVersion


def versions_query(pk):
    return DossierVersion.objects.filter(dossier_id=pk).select_related("submitted_by").order_by("number")


def test_objects_come_with_their_related_objects_and_their_fields_as_the_orm_reads_them(reviewed):
    query = PreparedQuery(versions_query, kinds=(int,))
    [prepared] = query.all(reviewed.pk)
    [expected] = versions_query(reviewed.pk)
    for field in ("pk", "number", "snapshot", "sha256", "submitted_at", "submitted_by_id"):
        assert getattr(prepared, field) == getattr(expected, field), field
    assert prepared.submitted_at.tzinfo is not None
    with CaptureQueriesContext(connection) as queries:
        assert str(prepared.submitted_by) == str(expected.submitted_by)  # read with the version
    assert len(queries) == 0
    assert query.first(reviewed.pk).pk == expected.pk
    assert query.all(-1) == [] and query.first(-1) is None


def test_the_order_and_the_count_are_the_orms(reviewed):
    def history(pk):
        return DossierTransitionLog.objects.filter(dossier_id=pk).select_related("by")

    query = PreparedQuery(history, kinds=(int,))
    assert [log.pk for log in query.all(reviewed.pk)] == [log.pk for log in history(reviewed.pk)]
    assert [log.by_id for log in query.all(reviewed.pk)] == [log.by_id for log in history(reviewed.pk)]
    assert query.count(reviewed.pk) == history(reviewed.pk).count() == 2  # filed, then taken up
    assert query.count(-1) == 0


def test_rows_are_the_values_list_converted_as_the_orm_converts_them(reviewed):
    def rows(pk, state):
        return DossierTransitionLog.objects.filter(dossier_id=pk, to_state=state).values_list("to_state", "at")

    query = PreparedQuery(rows, kinds=(int, str))
    assert query.rows(reviewed.pk, "depose") == list(rows(reviewed.pk, "depose"))
    assert query.rows(reviewed.pk, "en_instruction") == list(rows(reviewed.pk, "en_instruction"))
    assert query.rows(reviewed.pk, "inconnu") == []


def test_an_annotation_is_read_with_the_object(reviewed):
    query = PreparedQuery(
        lambda pk: DossierVersion.objects.filter(dossier_id=pk).annotate(next_number=F("number") + 1), kinds=(int,)
    )
    assert query.first(reviewed.pk).next_number == 2


@pytest.mark.parametrize(
    "build",
    [
        lambda pk: DossierVersion.objects.all(),  # the value is not a parameter
        lambda pk: DossierVersion.objects.filter(dossier_id=pk, number=pk),  # twice
        lambda pk: DossierVersion.objects.filter(dossier_id=pk).prefetch_related("dossier"),
        lambda pk: DossierVersion.objects.filter(dossier_id=pk).values("number"),  # neither objects nor a values_list
    ],
)
def test_a_query_that_cannot_be_prepared_is_refused(db, build):
    with pytest.raises(ValueError):
        PreparedQuery(build, kinds=(int,)).all(1)


def test_a_queryset_empty_by_construction_gives_nothing_without_a_query(reviewed):
    empty = PreparedQuery(lambda pk: DossierVersion.objects.filter(dossier_id=pk).none(), kinds=(int,))
    no_number = PreparedQuery(
        lambda pk: DossierVersion.objects.filter(dossier_id=pk, number__in=[]).values_list("pk"), kinds=(int,)
    )
    with CaptureQueriesContext(connection) as queries:
        assert empty.all(reviewed.pk) == [] and empty.first(reviewed.pk) is None and empty.count(reviewed.pk) == 0
        assert no_number.rows(reviewed.pk) == []
    assert len(queries) == 0


def test_a_number_beyond_64_bits_finds_nothing(reviewed):
    query = PreparedQuery(versions_query, kinds=(int,))
    assert query.all(10**20) == [] and query.count(-(10**20)) == 0
    assert [v.number for v in query.all(reviewed.pk)] == [1]  # a small positive field compared with the value


def test_rows_and_objects_are_asked_of_the_right_queryset(db):
    with pytest.raises(ValueError):
        PreparedQuery(lambda pk: DossierVersion.objects.filter(dossier_id=pk), kinds=(int,)).rows(1)
    with pytest.raises(ValueError):
        PreparedQuery(lambda pk: DossierVersion.objects.filter(dossier_id=pk).values_list("pk"), kinds=(int,)).all(1)
    with pytest.raises(TypeError):
        PreparedQuery(lambda pk: DossierVersion.objects.filter(dossier_id=pk), kinds=(int,)).all(1, 2)


def test_the_variants_are_kept_by_key_the_oldest_forgotten(db):
    variants = PreparedVariants(kinds=(int,), size=2)
    first = variants("a", versions_query)
    assert variants("a", lambda pk: DossierVersion.objects.none()) is first  # the key names the query
    second = variants("b", versions_query)
    variants("a", versions_query)  # used again: the latest
    variants("c", versions_query)
    assert variants("a", versions_query) is first
    assert variants("b", versions_query) is not second  # forgotten, made again


def test_a_value_for_a_32_bit_column_is_given_as_the_backend_gives_it(reviewed):
    by_number = PreparedQuery(lambda n: DossierVersion.objects.filter(number=n), kinds=(int,))
    assert by_number.count(1) == DossierVersion.objects.filter(number=1).count() == 1
    assert by_number.count(2**40) == 0  # beyond the column: no row, as the ORM answers
