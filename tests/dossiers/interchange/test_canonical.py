"""The written form of pactes.dossier/1: canonical JSON, its hash, amounts and rates as strings."""

from decimal import Decimal

from pactes.dossiers.interchange import canonical_json, document_sha256, document_to_input, figures, format_rate
from pactes.rules.budget import summarize_budget


def test_canonical_json_sorts_keys_without_spaces_and_keeps_accents():
    assert canonical_json({"b": "é", "a": [1, {"d": None, "c": True}]}) == '{"a":[1,{"c":true,"d":null}],"b":"é"}'


def test_document_hash_depends_on_content_not_on_key_order():
    assert document_sha256({"a": "1", "b": "2"}) == document_sha256({"b": "2", "a": "1"})
    assert document_sha256({"a": "1.00"}) != document_sha256({"a": "1.01"})


def test_figures_are_strings_with_two_decimals_and_a_four_place_rate(example, config):
    data = document_to_input(example, config=config, eligible_sirens=frozenset(), commune_epci={})
    summary = summarize_budget(data.budget, config)
    assert figures(summary) == {
        "total_budget": "124000.00",
        "state_grant": "62000.00",
        "cofinancing": "62000.00",
        "cofinancing_rate": "0.5000",
        "in_kind": "8400.00",
    }


def test_rate_is_cut_never_rounded_up_to_the_minimum():
    assert format_rate(Decimal("0.49999")) == "0.4999"
    assert format_rate(None) == "0.0000"
