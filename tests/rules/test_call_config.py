"""The call's YAML read into CallConfig: every value of the call with its section, French errors, the demo shift."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from pactes.rules.call_config import CallConfig, CallConfigError, shift_demo_offset

DATA = Path(__file__).resolve().parents[2] / "pactes" / "calls" / "data"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def text() -> str:
    return (DATA / "pts-occitanie-2024.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def config(text: str) -> CallConfig:
    return CallConfig.from_yaml(text)


def test_grant_cap_is_62000_per_project_and_per_territory_from_section_1_4_and_1_6(config):
    assert config.grant_cap == Decimal("62000.00")
    assert config.territory_cap == Decimal("62000.00")
    assert config.section("funding.grant_cap").startswith("1.4 FINANCEMENT")
    assert config.section("funding.territory_cap").startswith("1.6 CRITERES DE SELECTION")


def test_cofinancing_is_at_least_half_excluding_in_kind(config):
    assert config.min_cofinancing_rate == Decimal("0.50")
    assert config.cofinancing_excludes_in_kind is True
    assert config.section("funding.min_cofinancing").startswith("1.4 FINANCEMENT")


def test_one_to_three_priorities_and_twelve_months(config):
    assert (config.priorities_min, config.priorities_max) == (1, 3)
    assert config.section("priorities").startswith("1.3.1")
    assert config.max_duration_months == 12
    assert config.section("action_plan.max_duration").startswith("1.3.1")


def test_actions_start_by_1_december_2024_and_end_by_31_december_2025(config):
    assert config.latest_start == dt.date(2024, 12, 1)
    assert config.latest_end == dt.date(2025, 12, 31)
    assert config.section("action_plan.latest_start").startswith("1.4 FINANCEMENT")
    assert config.section("action_plan.latest_end").startswith("1.4 FINANCEMENT")


def test_filing_opens_18_june_and_closes_30_september_2024_at_235959_paris(config):
    assert config.filing_opens_at == dt.datetime(2024, 6, 18, 0, 0, tzinfo=PARIS)
    assert config.filing_closes_at == dt.datetime(2024, 9, 30, 23, 59, 59, tzinfo=PARIS)
    assert config.section("filing").startswith("1.7 CALENDRIER")
    assert config.is_filing_open(dt.datetime(2024, 9, 30, 23, 59, 59, tzinfo=PARIS))
    assert not config.is_filing_open(dt.datetime(2024, 10, 1, 0, 0, tzinfo=PARIS))


def test_calendar_has_the_steps_of_section_1_7_with_their_dates(config):
    steps = {s.code: (s.start, s.end) for s in config.calendar}
    assert steps == {
        "lancement": (dt.date(2024, 6, 18), dt.date(2024, 6, 18)),
        "webinaires": (dt.date(2024, 6, 3), dt.date(2024, 7, 7)),
        "cloture_depot": (dt.date(2024, 9, 30), dt.date(2024, 9, 30)),
        "instruction": (dt.date(2024, 10, 1), dt.date(2024, 10, 10)),
        "comite": (dt.date(2024, 10, 11), dt.date(2024, 10, 20)),
        "conventions": (dt.date(2024, 10, 21), None),
        "engagement": (None, dt.date(2024, 11, 30)),
        "demarrage": (None, dt.date(2024, 12, 1)),
        "fin_actions": (None, dt.date(2025, 12, 31)),
    }
    assert config.section("calendar") == "1.7 CALENDRIER PREVISIONNEL"


def test_six_target_publics_and_only_autre_public_precaire_needs_a_justification(config):
    assert [p.code for p in config.target_publics] == [
        "enfants",
        "jeunes",
        "familles_monoparentales",
        "exclus",
        "travailleurs_pauvres",
        "autre_public_precaire",
    ]
    assert [p.code for p in config.target_publics if p.requires_justification] == ["autre_public_precaire"]
    assert config.section("target_publics") == "1.3.3 Le public visé"


def test_carrier_kinds_of_section_1_3_4(config):
    kinds = {k.code: k for k in config.carrier_kinds}
    assert kinds["association"].fallback and kinds["fondation"].fallback
    assert any(k.requires_eligible_territory for k in config.carrier_kinds)  # collectivités of annex 1 only
    assert config.section("carrier_kinds").startswith("1.3.4")


def test_five_criteria_with_equal_weights_and_a_0_to_4_scale(config):
    assert len(config.criteria) == 5
    assert {c.weight for c in config.criteria} == {Decimal("1")}
    assert (config.scale_min, config.scale_max) == (0, 4)
    assert config.scale_labels[4] == "Très satisfaisant"
    assert config.section("selection") == "1.6 CRITERES DE SELECTION"


def test_contacts_and_mail_subject_prefix_of_section_1_8(config):
    assert config.contact_emails == ("eric.pelisson@dreets.gouv.fr", "dreets-oc.inclusionsociale@dreets.gouv.fr")
    assert config.mailbox == "dreets-oc.inclusionsociale@dreets.gouv.fr"
    assert config.subject_prefix == "AMI 2024-PTS"
    assert config.section("contacts") == "1.8 INFORMATIONS ET CONTACTS"


def test_funding_is_bop_304_action_23_and_envelope_is_not_published(config):
    assert config.funding_label == "BOP 304 — action 23 « Pacte des solidarités »"
    assert "BOP 304" in config.funding_program
    assert "Action 23" in config.funding_action
    assert config.regional_envelope is None


def test_indicative_list_spec_is_the_40_lowest_q2_2019_medians(config):
    spec = config.indicative_list
    assert (spec.indicator, spec.year, spec.lowest_count) == ("Q2", 2019, 40)
    assert spec.only_epci_mostly_in_region and spec.add_poorest_per_departement_without_any
    assert spec.method.startswith("Liste indicative")


def _with(text: str, path: str, value: object) -> str:
    data = yaml.safe_load(text)
    node = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    return yaml.safe_dump(data, allow_unicode=True)


def _without(text: str, path: str) -> str:
    data = yaml.safe_load(text)
    node = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    del node[last]
    return yaml.safe_dump(data, allow_unicode=True)


def test_float_amount_is_refused_with_a_french_message(text):
    with pytest.raises(CallConfigError, match=r"« funding.grant_cap » doit être écrit entre guillemets"):
        CallConfig.from_yaml(_with(text, "funding.grant_cap", 62000.0))


def test_missing_key_is_named_in_a_french_message(text):
    with pytest.raises(
        CallConfigError, match=r"Valeur manquante dans le YAML de l'appel : « contacts.subject_prefix »"
    ):
        CallConfig.from_yaml(_without(text, "contacts.subject_prefix"))


def test_missing_criterion_label_is_a_french_error_not_a_key_error(text):
    data = yaml.safe_load(text)
    del data["selection"]["criteria"][0]["label"]
    with pytest.raises(CallConfigError, match=r"selection.criteria.label"):
        CallConfig.from_yaml(yaml.safe_dump(data, allow_unicode=True))


def test_non_integer_priorities_are_refused(text):
    with pytest.raises(CallConfigError, match=r"« priorities.max » doit être un nombre entier"):
        CallConfig.from_yaml(_with(text, "priorities.max", "trois"))


def test_unreadable_yaml_is_a_french_error():
    with pytest.raises(CallConfigError, match="illisible"):
        CallConfig.from_yaml("slug: [non fermé")


def test_incoherent_values_are_listed_in_french(text):
    with pytest.raises(CallConfigError, match="le nombre de priorités doit vérifier"):
        CallConfig.from_yaml(_with(text, "priorities.min", 4))


def test_demo_offset_puts_today_the_given_days_after_the_shifted_opening():
    offset = shift_demo_offset(dt.date(2024, 6, 18), dt.date(2026, 11, 27), 60)
    assert dt.date(2024, 6, 18) + dt.timedelta(days=offset) + dt.timedelta(days=60) == dt.date(2026, 11, 27)


def test_offset_moves_every_date_by_the_same_days_and_keeps_the_rules(text, config):
    shifted = CallConfig.from_yaml(text, date_offset_days=100)
    delta = dt.timedelta(days=100)
    assert shifted.filing_opens_at == config.filing_opens_at + delta
    assert shifted.filing_closes_at.time() == dt.time(23, 59, 59)
    assert shifted.latest_start == config.latest_start + delta
    assert shifted.latest_end == config.latest_end + delta
    assert shifted.published_on == config.published_on + delta
    for real, moved in zip(config.calendar, shifted.calendar, strict=True):
        assert moved.start == (real.start + delta if real.start else None)
        assert moved.end == (real.end + delta if real.end else None)
    assert (shifted.grant_cap, shifted.min_cofinancing_rate, shifted.priorities_max) == (
        config.grant_cap,
        config.min_cofinancing_rate,
        config.priorities_max,
    )


def test_a_shifted_call_writes_its_notes_from_its_own_dates_and_quotes_no_real_date(text, config):
    shifted = CallConfig.from_yaml(text, date_offset_days=100)
    start = shifted.calendar_step("demarrage")
    assert start is not None and start.end == config.latest_start + dt.timedelta(days=100)
    assert start.note == "Au plus tard le 11 mars 2025"  # 1 December 2024 + 100 days, never « 1er décembre »
    conventions = shifted.calendar_step("conventions")
    assert conventions is not None and conventions.note == "À compter du 29 janvier 2025"
    assert shifted.calendar_step("webinaires").note == ""  # « Semaines 23 à 27 » were the real call's weeks
    assert shifted.section("action_plan.latest_start") == "1.4 FINANCEMENT"
    assert "décembre 2024" in config.section("action_plan.latest_start")  # the real call quotes its own text
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()  # noqa: SIM905
    for key, section in shifted.sections.items():
        assert not any(f" {month}" in section for month in months), (key, section)
    assert shifted.section("funding.grant_cap") == config.section("funding.grant_cap")  # dateless: unchanged
