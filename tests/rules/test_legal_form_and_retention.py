"""The legal form's suggested carrier kind (§1.3.4) and the retention dates of a call (section ``retention``)."""

import datetime as dt
from pathlib import Path

import pytest

from pactes.rules.call_config import CallConfig, CallConfigError
from pactes.rules.call_parts import retention_spec
from pactes.rules.legal_form import legal_category_label, suggested_carrier_kind, suggestion_for_call
from pactes.rules.retention import (
    draft_deletion_day,
    draft_is_due,
    draft_reminder_day,
    draft_reminder_is_due,
    refused_erasure_day,
)

CALL_2024 = Path(__file__).parents[2] / "pactes" / "calls" / "data" / "pts-occitanie-2024.yaml"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("7210", "commune"),
        ("7346", "epci"),
        ("7348", "epci"),
        ("7344", "epci"),
        ("7220", "departement"),
        ("7361", "etablissement_public"),
        ("7367", "etablissement_public"),
        ("9220", "association"),
        ("9230", "association"),
        ("9300", "fondation"),
        ("5710", ""),
        ("", ""),
    ],
)
def test_the_legal_category_suggests_a_carrier_kind(code, kind):
    assert suggested_carrier_kind(code) == kind


def test_the_suggestion_is_only_a_kind_the_call_provides():
    assert suggestion_for_call("9220", ["commune", "association"]) == "association"
    assert suggestion_for_call("9220", ["commune"]) == ""


def test_labels_of_legal_categories():
    assert legal_category_label("9220") == "Association déclarée"
    assert legal_category_label("1000") == "Catégorie juridique 1000"
    assert legal_category_label("") == ""


def config() -> CallConfig:
    return CallConfig.from_yaml(CALL_2024.read_text(encoding="utf-8"))


def test_the_2024_call_cites_each_retention_value():
    retention = config().retention
    assert (retention.draft_months_after_closing, retention.draft_reminder_days_before) == (12, 30)
    assert retention.refused_personal_data_years == 5
    for key in ("draft_months_after_closing", "draft_reminder_days_before", "refused_personal_data_years"):
        assert retention.section(key).startswith("Fixé par la plateforme")


def test_drafts_of_the_2024_call_are_deleted_a_year_after_closing_and_reminded_a_month_before():
    rules = config()
    assert draft_deletion_day(rules) == dt.date(2025, 9, 30)
    assert draft_reminder_day(rules) == dt.date(2025, 8, 31)
    assert not draft_reminder_is_due(rules, dt.date(2025, 8, 30))
    assert draft_reminder_is_due(rules, dt.date(2025, 8, 31))
    assert not draft_is_due(rules, dt.date(2025, 9, 29))
    assert draft_is_due(rules, dt.date(2025, 9, 30)) and not draft_reminder_is_due(rules, dt.date(2025, 9, 30))


def test_refused_dossiers_lose_personal_data_after_the_years_of_the_call():
    assert refused_erasure_day(dt.date(2024, 10, 20), config()) == dt.date(2029, 10, 20)


def test_an_absent_section_gives_the_platform_defaults_saying_so():
    spec = retention_spec(None)
    assert spec.draft_months_after_closing == 12
    assert "plateforme" in spec.section("refused_personal_data_years")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("x", "dictionnaire"),
        ({"draft_months_after_closing": "12", "draft_months_after_closing_section": "s"}, "nombre entier"),
        ({"draft_months_after_closing": 12}, "citer la section"),
        ({"draft_months_after_closing": 0, "draft_months_after_closing_section": "s"}, "au moins un mois"),
        ({"refused_personal_data_years": 0, "refused_personal_data_years_section": "s"}, "au moins un an"),
    ],
)
def test_an_invalid_section_is_refused_in_french(raw, message):
    with pytest.raises(CallConfigError, match=message):
        retention_spec(raw)
