"""``call_for_page``: the call of its public page and the version of what the page shows, by one query compiled once
(pactes.core.prepared)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F

from pactes.calls.models import Axis, Call, EligibleListKind, Measure
from pactes.calls.selectors import call_for_page, current_eligible_list
from pactes.calls.services import call_envelope_set, eligible_list_arrest, measures_import
from pactes.core.prepared import MARKER, PreparedQuery


def test_the_call_is_read_as_the_orm_reads_it_with_its_version(indicative_call, settings):
    measures_import(path=settings.PACTES_CALLS_DIR / "pacte_des_solidarites.yaml")
    call = call_for_page(indicative_call.slug)
    expected = Call.objects.get(pk=indicative_call.pk)
    for field in ("pk", "slug", "title", "short_title", "is_demo", "yaml_sha256", "filing_opens_at", "loaded_at"):
        assert getattr(call, field) == getattr(expected, field), field
    assert isinstance(call.filing_opens_at, dt.datetime) and call.filing_opens_at.tzinfo is not None
    assert call.get_deferred_fields() == {"yaml_text"}
    assert call.rules == expected.rules
    assert call.list_in_force == current_eligible_list(expected).pk
    assert call.base_slug is None and call.base_short_title is None
    assert call.axes_count == Axis.objects.count() > 0
    assert call.measures_count == Measure.objects.count() > 0
    assert call.axes_changed == max(Axis.objects.values_list("updated_at", flat=True))
    assert call.measures_changed == max(Measure.objects.values_list("updated_at", flat=True))


def test_an_unknown_slug_gives_none(db):
    assert call_for_page("inconnu") is None


def test_a_demonstration_call_names_its_base(demo_call):
    call = call_for_page(demo_call.slug)
    assert (call.base_slug, call.base_short_title) == (demo_call.derived_from.slug, demo_call.derived_from.short_title)


def test_the_version_follows_the_list_in_force_and_the_envelope(indicative_call, admin_user):
    before = call_for_page(indicative_call.slug)
    arrested = eligible_list_arrest(
        call=indicative_call, epci_sirens=["200006930"], indicator_code="Q2", year=2019, by=admin_user
    )
    call_envelope_set(call=indicative_call, amount=Decimal("1000"), by=admin_user)
    after = call_for_page(indicative_call.slug)
    assert arrested.kind == EligibleListKind.PROPOSED
    assert before.list_in_force != arrested.pk
    assert after.list_in_force == arrested.pk == current_eligible_list(indicative_call).pk
    assert after.regional_envelope == Decimal("1000.00") and after.regional_envelope_set_at is not None


@pytest.mark.parametrize(
    "build",
    [
        lambda value: Call.objects.all(),  # the value is not a parameter
        lambda value: Call.objects.filter(slug=value, title=value),  # twice
        lambda value: Call.objects.filter(slug__icontains=value),  # transformed (%value%)
        lambda value: Call.objects.filter(slug=value).prefetch_related("eligible_lists"),
    ],
)
def test_a_query_that_cannot_be_prepared_is_refused(db, build):
    with pytest.raises(ValueError):
        PreparedQuery(build).first("pts-occitanie-2024")


def test_a_prepared_query_reads_each_value_in_its_place(real_call, demo_call):
    query = PreparedQuery(
        lambda value: Call.objects.filter(slug=value).only("slug").annotate(twice=F("date_offset_days") * 2)
    )
    assert query.first(MARKER) is None
    demo = query.first(demo_call.slug)
    assert (demo.pk, demo.twice) == (demo_call.pk, demo_call.date_offset_days * 2)
    assert query.first(real_call.slug).pk == real_call.pk
