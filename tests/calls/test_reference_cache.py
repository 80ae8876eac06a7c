"""What is recomputed per request is kept between requests, and a change made through the platform is seen at once:
the parsed call (by the hash of its YAML), the SIREN of the eligible list (by the list, never edited) and the names of
the départements (by the territories' generation)."""

import shutil
from decimal import Decimal

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pactes.calls.models import Call
from pactes.calls.selectors import eligible_sirens, region_departement_names
from pactes.calls.services import call_envelope_set, call_load, eligible_list_import_official
from pactes.core.reference_cache import generation
from pactes.territories.models import Departement
from pactes.territories.selectors import TERRITORIES_REFERENCE, departement_directory
from pactes.territories.services import territories_import


# -- the parsed call ---------------------------------------------------------------------------------------------------
def test_the_parsed_call_is_read_without_its_yaml_once_this_process_has_parsed_it(real_call):
    real_call.rules  # noqa: B018 -- parses once
    fresh = Call.objects.defer("yaml_text").get(pk=real_call.pk)  # as a list page reads it
    with CaptureQueriesContext(connection) as queries:
        assert fresh.rules == real_call.rules
    assert len(queries) == 0


def test_a_call_reloaded_with_another_text_is_parsed_again_by_every_request(real_call, tmp_path):
    before = Call.objects.get(pk=real_call.pk).rules
    data = yaml.safe_load((settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml").read_text(encoding="utf-8"))
    data["title"] = "Appel à projets modifié par l'administrateur"
    changed = tmp_path / "pts-occitanie-2024.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    call_load(path=changed)

    after = Call.objects.get(pk=real_call.pk).rules  # what the next request reads
    assert after.title == "Appel à projets modifié par l'administrateur"
    assert before.title != after.title


def test_an_envelope_set_by_an_administrator_keeps_the_parsed_call_right(real_call, admin_user):
    rules = Call.objects.get(pk=real_call.pk).rules
    call_envelope_set(call=real_call, amount=Decimal("1000000"), by=admin_user)
    reread = Call.objects.get(pk=real_call.pk)
    assert reread.regional_envelope == Decimal("1000000")
    assert reread.rules == rules


# -- the eligible list -------------------------------------------------------------------------------------------------
def test_the_eligible_list_is_read_once_then_served_from_the_cache(indicative_call):
    first = eligible_sirens(indicative_call)
    assert first
    with CaptureQueriesContext(connection) as queries:
        assert eligible_sirens(Call.objects.get(pk=indicative_call.pk)) == first
    assert not any("eligibleepci" in q["sql"].lower() for q in queries.captured_queries)


def test_a_new_official_list_is_in_force_at_the_next_request(indicative_call, admin_user):
    before = eligible_sirens(indicative_call)
    chosen = sorted(before)[:2]
    eligible_list_import_official(call=indicative_call, sirens=chosen, source="annexe 1", by=admin_user)
    assert eligible_sirens(Call.objects.get(pk=indicative_call.pk)) == frozenset(chosen)


# -- the territory referential -----------------------------------------------------------------------------------------
def test_the_departement_names_are_cached_until_the_territories_are_imported_again(
    indicative_call, reference_data_copy, django_capture_on_commit_callbacks
):
    names = region_departement_names(indicative_call)
    assert names["09"] == "Ariège" and len(names) == 13
    with CaptureQueriesContext(connection) as queries:
        assert departement_directory()["11"][0] == "Aude"
    assert len(queries) == 0

    csv = reference_data_copy / "occitanie_departements.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",Ariège,", ",Ariège (nouveau référentiel),"), "utf-8")
    start = generation(TERRITORIES_REFERENCE)
    with django_capture_on_commit_callbacks(execute=True):
        territories_import(data_dir=reference_data_copy)
    assert Departement.objects.get(code="09").name == "Ariège (nouveau référentiel)"
    assert generation(TERRITORIES_REFERENCE) == start + 1
    assert region_departement_names(indicative_call)["09"] == "Ariège (nouveau référentiel)"


@pytest.fixture
def reference_data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(settings.BASE_DIR / "pactes" / "territories" / "data", target)
    return target
