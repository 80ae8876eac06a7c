"""``eligible_list_in_force`` by its prepared query is the list the ORM's query gives, for a call alone, a call and its
demonstration call, each before and after lists of its own (ADR 0056)."""

from pactes.calls.models import Call
from pactes.calls.selectors import _lists_in_force_order, eligible_list_in_force
from pactes.calls.services import eligible_list_build_indicative, eligible_list_import_official


def _by_the_orm(call):
    if call.derived_from_id:
        base = call.derived_from_id
        return _lists_in_force_order(call.pk, call.pk, call.pk, base, base).first()
    return _lists_in_force_order(call.pk, call.pk, call.pk).first()


def _same(*calls):
    for call in calls:
        call = Call.objects.get(pk=call.pk)
        found, expected = eligible_list_in_force(call), _by_the_orm(call)
        assert (found and (found.pk, found.kind, found.arrested_at)) == (
            expected and (expected.pk, expected.kind, expected.arrested_at)
        ), call.slug
    return [eligible_list_in_force(Call.objects.get(pk=c.pk)) for c in calls]


def test_the_prepared_list_in_force_is_the_orm_s_for_a_call_and_its_demonstration(
    real_call, demo_call, reference_data, admin_user
):
    assert demo_call.derived_from_id == real_call.pk
    assert _same(real_call, demo_call) == [None, None]
    eligible_list_build_indicative(call=real_call)
    real, demo = _same(real_call, demo_call)
    assert real is not None and demo.pk == real.pk  # the demonstration reads its base call's list
    official = eligible_list_import_official(call=demo_call, sirens=["200006930"], source="annexe", by=admin_user)
    real, demo = _same(real_call, demo_call)
    assert demo.pk == official.pk and real.call_id == real_call.pk  # each call's own list first
    eligible_list_import_official(call=real_call, sirens=["200006930"], source="annexe 1", by=admin_user)
    real, _ = _same(real_call, demo_call)
    assert real.kind != "indicative" and real.call_id == real_call.pk


def test_a_base_call_without_a_list_reads_its_demonstration_s(real_call, demo_call, admin_user):
    official = eligible_list_import_official(call=demo_call, sirens=["200006930"], source="annexe", by=admin_user)
    assert [found.pk for found in _same(real_call, demo_call)] == [official.pk, official.pk]
