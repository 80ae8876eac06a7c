"""Loading calls, importing the Pacte's measures, building/importing/arresting the eligible list, eligibility."""

import datetime as dt
import hashlib
import shutil
from decimal import Decimal

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from pactes.calls.models import Axis, Call, EligibleList, EligibleListKind, Measure
from pactes.calls.selectors import current_eligible_list, eligibility_of
from pactes.calls.services import (
    CallDataError,
    call_envelope_set,
    call_load,
    eligible_list_arrest,
    eligible_list_build_indicative,
    measures_import,
    parse_siren_csv,
)
from pactes.rules.call_config import CallConfig
from pactes.territories.models import Commune, Epci, IndicatorValue
from tests.calls.fixtures import DEMO_TODAY

MEASURES = settings.PACTES_CALLS_DIR / "pacte_des_solidarites.yaml"


# -- calls -----------------------------------------------------------------------------------------------------------
def test_call_load_stores_the_effective_yaml_its_sha256_and_filing_dates(real_call):
    assert real_call.slug == "pts-occitanie-2024"
    assert real_call.yaml_sha256 == hashlib.sha256(real_call.yaml_text.encode()).hexdigest()
    assert real_call.filing_opens_at == real_call.rules.filing_opens_at
    assert real_call.rules.grant_cap == Decimal("62000.00")
    assert not real_call.is_demo and real_call.date_offset_days == 0


def test_call_load_is_idempotent_and_keeps_the_envelope_set_by_an_administrator(real_call, admin_user):
    call_envelope_set(call=real_call, amount=Decimal("1200000.00"), by=admin_user)
    again = call_load(path=settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    assert Call.objects.count() == 1
    assert again.pk == real_call.pk
    assert again.regional_envelope == Decimal("1200000.00")
    assert again.regional_envelope_set_by == admin_user


def test_demo_call_has_the_real_rules_with_every_date_moved_by_one_offset(demo_call):
    real = Call.objects.get(slug="pts-occitanie-2024")
    assert demo_call.derived_from == real
    assert demo_call.is_demo
    demo, base = demo_call.rules, real.rules
    delta = dt.timedelta(days=demo_call.date_offset_days)
    assert demo.filing_opens_at == base.filing_opens_at + delta
    assert demo.latest_start == base.latest_start + delta
    assert demo.latest_end == base.latest_end + delta
    assert [s.end for s in demo.calendar] == [s.end + delta if s.end else None for s in base.calendar]
    assert (demo.grant_cap, demo.min_cofinancing_rate, demo.priorities_max) == (
        base.grant_cap,
        base.min_cofinancing_rate,
        base.priorities_max,
    )
    assert demo.title.startswith("Démonstration")


def test_demo_filing_is_open_on_the_given_day_60_days_after_its_opening(demo_call):
    assert demo_call.filing_opens_at.date() + dt.timedelta(days=60) == DEMO_TODAY
    noon = dt.datetime.combine(DEMO_TODAY, dt.time(12), tzinfo=demo_call.rules.timezone)
    assert demo_call.rules.is_filing_open(noon)


def test_demo_reload_is_idempotent_and_keeps_the_envelope(demo_call, admin_user):
    call_envelope_set(call=demo_call, amount=Decimal("50000"), by=admin_user)
    again = call_load(path=settings.PACTES_CALLS_DIR / "pts-occitanie-demo.yaml", today=DEMO_TODAY)
    assert again.pk == demo_call.pk
    assert again.yaml_sha256 == demo_call.yaml_sha256
    assert again.date_offset_days == demo_call.date_offset_days
    assert again.regional_envelope == Decimal("50000")
    assert Call.objects.count() == 2


def test_effective_demo_yaml_parses_alone(demo_call):
    config = CallConfig.from_yaml(demo_call.yaml_text, date_offset_days=demo_call.date_offset_days)
    assert config.slug == "pts-occitanie-demo" and config.is_demo


def test_load_calls_command_loads_base_before_derived_and_skips_the_measures_file(db):
    call_command("load_calls", verbosity=0)
    assert set(Call.objects.values_list("slug", flat=True)) == {"pts-occitanie-2024", "pts-occitanie-demo"}


def test_load_calls_reports_an_invalid_file_in_french(db, tmp_path):
    data = yaml.safe_load((settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml").read_text(encoding="utf-8"))
    data["funding"]["grant_cap"] = 62000.0
    bad = tmp_path / "mauvais.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="entre guillemets"):
        call_command("load_calls", str(bad))
    assert not Call.objects.exists()


# -- measures --------------------------------------------------------------------------------------------------------
def test_import_measures_creates_the_four_axes_and_the_measures_found(db):
    call_command("import_measures", str(MEASURES), verbosity=0)
    assert list(Axis.objects.values_list("code", "measures_status")) == [
        ("AXE1", "certain"),
        ("AXE2", "partiel"),
        ("AXE3", "non_trouve"),
        ("AXE4", "non_trouve"),
    ]
    assert Measure.objects.count() == 8
    assert "CEJ" in Measure.objects.get(code="2.2").sub_measures


def test_import_measures_again_keeps_admin_choices_and_hand_added_measures(db):
    measures_import(path=MEASURES)
    Measure.objects.filter(code="1.1").update(is_active=False, label="Libellé modifié")
    hand = Measure.objects.create(axis=Axis.objects.get(code="AXE3"), code="3.1", label="Mesure ajoutée à la main")
    counts = measures_import(path=MEASURES)
    assert counts["measures_created"] == 0
    first = Measure.objects.get(code="1.1")
    assert first.is_active is False
    assert first.label == "Garantir l'accès à des temps de socialisation avant 3 ans à toutes les familles"
    assert Measure.objects.filter(pk=hand.pk).exists()


def test_import_measures_refuses_a_file_without_axes(db, tmp_path):
    bad = tmp_path / "vide.yaml"
    bad.write_text("pacte: {}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="ne contient pas de liste « axes »"):
        call_command("import_measures", str(bad))


# -- eligible lists --------------------------------------------------------------------------------------------------
def test_indicative_list_with_real_data_has_43_epci_and_is_in_force(indicative_call):
    current = current_eligible_list(indicative_call)
    assert current.kind == EligibleListKind.INDICATIVE
    assert current.entries.count() == 43
    assert current.method.startswith("Liste indicative")
    assert current.entries.filter(reason__startswith="EPCI de plus faible médiane du département").count() == 3


def test_build_indicative_list_replaces_the_previous_one(indicative_call):
    call_command("build_indicative_list", indicative_call.slug, verbosity=0)
    assert indicative_call.eligible_lists.filter(kind=EligibleListKind.INDICATIVE).count() == 1


def test_build_indicative_list_without_indicators_says_what_to_do(real_call):
    IndicatorValue.objects.filter(indicator__code="Q2").delete()
    with pytest.raises(CallDataError, match="import_indicators"):
        eligible_list_build_indicative(call=real_call)


def _sirens_not_on(call, count):
    on_list = set(current_eligible_list(call).entries.values_list("epci__siren", flat=True))
    return list(Epci.objects.exclude(siren__in=on_list).order_by("siren").values_list("siren", flat=True)[:count])


def test_import_eligible_epci_creates_an_official_list_in_force(indicative_call, tmp_path):
    sirens = _sirens_not_on(indicative_call, 2)
    path = tmp_path / "annexe1.csv"
    path.write_text("nom;siren\nA;" + sirens[0] + "\nB;" + sirens[1] + "\n", encoding="utf-8")
    call_command("import_eligible_epci", indicative_call.slug, str(path), verbosity=0)
    current = current_eligible_list(indicative_call)
    assert current.kind == EligibleListKind.OFFICIAL
    assert current.arrested_at is not None
    assert sorted(current.entries.values_list("epci__siren", flat=True)) == sorted(sirens)


def test_import_eligible_epci_refuses_unknown_siren_and_writes_nothing(indicative_call, tmp_path):
    known = _sirens_not_on(indicative_call, 1)[0]
    path = tmp_path / "annexe1.csv"
    path.write_text(f"{known}\n999999999\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"SIREN inconnu.*999999999.*Rien n'a été enregistré"):
        call_command("import_eligible_epci", indicative_call.slug, str(path))
    assert not EligibleList.objects.filter(kind=EligibleListKind.OFFICIAL).exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("siren\n200006930\n200017341\n", ["200006930", "200017341"]),
        ("nom,siren\nX,200006930\n", ["200006930"]),
        ("200006930;CC du Haut-Allier\n200 017 341;Lodévois\n", ["200006930", "200017341"]),
    ],
)
def test_siren_csv_reads_the_siren_column_or_the_first_one(text, expected):
    assert parse_siren_csv(text) == expected


def test_empty_csv_is_refused_in_french():
    with pytest.raises(CallDataError, match="vide"):
        parse_siren_csv("\n")


def test_arrested_list_is_in_force_with_its_author(indicative_call, admin_user):
    sirens = _sirens_not_on(indicative_call, 3)
    arrested = eligible_list_arrest(
        call=indicative_call, epci_sirens=sirens, indicator_code="Q2", year=2019, by=admin_user
    )
    assert arrested.kind == EligibleListKind.PROPOSED
    assert arrested.arrested_by == admin_user
    assert current_eligible_list(indicative_call) == arrested
    assert arrested.entries.filter(indicator_value__isnull=False).count() == 3


def test_arresting_an_empty_list_is_refused(indicative_call, admin_user):
    with pytest.raises(CallDataError, match="au moins un EPCI"):
        eligible_list_arrest(call=indicative_call, epci_sirens=[], indicator_code="Q2", year=2019, by=admin_user)


# -- eligibility -----------------------------------------------------------------------------------------------------
def test_epci_on_the_indicative_list_is_eligible_and_the_list_is_called_indicative(indicative_call):
    entry = current_eligible_list(indicative_call).entries.select_related("epci").first()
    result = eligibility_of(indicative_call, epci=entry.epci)
    assert result.is_eligible
    assert result.verdict.codes == ("eligibility.on_list",)
    assert "liste indicative" in result.verdict.reasons[0].message


def test_commune_is_eligible_iff_its_epci_is_and_the_message_names_the_epci(indicative_call):
    entry = current_eligible_list(indicative_call).entries.select_related("epci").first()
    commune = Commune.objects.filter(epci=entry.epci).first()
    result = eligibility_of(indicative_call, commune=commune)
    assert result.is_eligible
    assert entry.epci.name in result.verdict.reasons[0].message
    outside = Commune.objects.get(code_insee="31555")  # Toulouse: Toulouse Métropole is not among the poorest
    refused = eligibility_of(indicative_call, commune=outside)
    assert not refused.is_eligible
    assert "eligibility.not_on_list" in refused.verdict.codes


def test_epci_mostly_outside_occitanie_is_not_eligible_and_says_why(indicative_call):
    grand_avignon = Epci.objects.get(name__icontains="Grand Avignon")
    result = eligibility_of(indicative_call, epci=grand_avignon)
    assert not result.is_eligible
    assert "eligibility.mostly_outside_region" in result.verdict.codes


def test_official_list_is_named_with_its_date(indicative_call, admin_user):
    sirens = _sirens_not_on(indicative_call, 1)
    eligible_list_arrest(call=indicative_call, epci_sirens=sirens, indicator_code="Q2", year=2019, by=admin_user)
    result = eligibility_of(indicative_call, epci=Epci.objects.get(siren=sirens[0]))
    assert result.is_eligible
    assert "liste officielle arrêtée le" in result.verdict.reasons[0].message


def test_no_list_means_not_eligible(real_call, reference_data):
    result = eligibility_of(real_call, epci=Epci.objects.first())
    assert result.verdict.codes == ("eligibility.no_list",)


def test_demo_call_file_can_be_loaded_from_another_folder(db, tmp_path):
    for name in ("pts-occitanie-2024.yaml", "pts-occitanie-demo.yaml"):
        shutil.copy(settings.PACTES_CALLS_DIR / name, tmp_path / name)
    call = call_load(path=tmp_path / "pts-occitanie-demo.yaml", today=DEMO_TODAY)
    assert call.derived_from.slug == "pts-occitanie-2024"
