"""Reading pactes.dossier/1 without the database: the schema, strict values, the mapping to the rules' input."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from pactes.dossiers.interchange import EXAMPLE_PATH, DocumentError, document_to_input, load_document
from pactes.rules.budget import FundingStatus
from pactes.rules.dossier import check_dossier
from pactes.rules.dossier_inputs import ContributionNature

COUSERANS = "200067940"


def to_input(document, config, **kwargs):
    kwargs.setdefault("eligible_sirens", frozenset({COUSERANS}))
    kwargs.setdefault("commune_epci", {"09261": COUSERANS, "31555": "243100518"})
    return document_to_input(document, config=config, **kwargs)


def verdict_codes(document, config, **kwargs):
    return [r.code for r in check_dossier(to_input(document, config, **kwargs), config).reasons]


def test_example_file_passes_the_schema():
    document = load_document(EXAMPLE_PATH.read_text(encoding="utf-8"))
    assert document["format"] == "pactes.dossier/1"


def test_amounts_are_read_as_decimals_never_floats(example):
    example["partners"][1]["valuation"]["quantity"] = 2.4  # a JSON number is accepted for a quantity
    document = load_document(json.dumps(example))
    assert document["partners"][1]["valuation"]["quantity"] == Decimal("2.4")


def test_example_maps_to_an_admissible_input(example, config):
    data = to_input(example, config)
    assert check_dossier(data, config).ok
    assert data.applicant.is_consortium and data.applicant.has_lead
    assert data.now == dt.datetime.fromisoformat("2024-09-27T16:30:00+02:00")
    assert data.actions[1].priority_index == 1


def test_budget_resources_map_to_grant_cofinancing_and_own_funds(example, config):
    example["budget"]["resources"].append({"kind": "state_pts", "funder": "État", "amount": "0.50", "status": None})
    budget = to_input(example, config).budget
    assert budget.state_grant == Decimal("62000.50")
    assert [(c.funder, c.status) for c in budget.cofinancing] == [
        ("CAF de l'Ariège", FundingStatus.OBTAINED),
        ("Conseil départemental de l'Ariège", FundingStatus.REQUESTED),
        ("Fondation de France", FundingStatus.REQUESTED),
    ]
    assert budget.own_funds == Decimal("10000.00")
    assert [k.amount for k in budget.in_kind] == [Decimal("8400.00")]


def test_no_state_pts_line_means_no_grant(example, config):
    example["budget"]["resources"] = [r for r in example["budget"]["resources"] if r["kind"] != "state_pts"]
    assert to_input(example, config).budget.state_grant is None
    assert "GRANT_MISSING" in verdict_codes(example, config)


def test_partner_contributions_map_to_the_rules_natures_with_their_valuation(example, config):
    financial, staff = to_input(example, config).contributions
    assert financial.nature is ContributionNature.FINANCIAL
    assert staff.nature is ContributionNature.STAFF
    assert (staff.quantity, staff.unit_value, staff.valuation) == (
        Decimal("2.4"),
        Decimal("3500.00"),
        Decimal("8400.00"),
    )


def test_staff_contribution_without_valuation_is_not_valued(example, config):
    example["partners"][1]["valuation"] = None
    assert verdict_codes(example, config) == ["CONTRIBUTION_NOT_VALUED"]


@pytest.mark.parametrize(
    ("grant", "first_expense", "expected"),
    [("62000.00", "70000.00", []), ("62000.01", "70000.02", ["GRANT_OVER_CAP"])],
)
def test_grant_cap_edge(example, config, grant, first_expense, expected):
    example["budget"]["resources"][0]["amount"] = grant
    example["budget"]["expenses"][0]["amount"] = first_expense
    example["budget"]["resources"][4]["amount"] = "10000.01" if grant.endswith(".01") else "10000.00"
    assert verdict_codes(example, config) == expected


def test_in_kind_never_rescues_a_low_cofinancing(example, config):
    example["budget"]["expenses"][0]["amount"] = "66000.00"
    example["budget"]["resources"][4]["amount"] = "6000.00"
    assert verdict_codes(example, config) == ["COFINANCING_TOO_LOW"]
    example["budget"]["in_kind"].append({"partner": "Mairie", "label": "Salle", "amount": "90000.00"})
    # The room lent by a town that is no partner is flagged too, as a warning: the commitments do not value it.
    assert verdict_codes(example, config) == ["CONTRIBUTIONS_MISMATCH", "COFINANCING_TOO_LOW"]


def test_in_kind_of_the_budget_that_differs_from_the_partners_valuation_is_flagged_without_blocking(example, config):
    example["budget"]["in_kind"][0]["amount"] = "5400.00"  # the partners step values 8 400 €
    verdict = check_dossier(to_input(example, config), config)
    (reason,) = verdict.reasons
    assert (reason.code, reason.blocking, verdict.ok) == ("CONTRIBUTIONS_MISMATCH", False, True)
    assert "5\u202f400" in reason.message or "5 400" in reason.message.replace("\u202f", " ")


def test_a_financial_contribution_repeated_with_another_amount_in_the_budget_is_flagged(example, config):
    example["budget"]["resources"][1]["amount"] = "25000.00"  # the CAF commits 30 000 € at the partners step
    example["budget"]["resources"][2]["amount"] = "20000.00"  # and the budget stays balanced
    assert verdict_codes(example, config) == ["CONTRIBUTIONS_MISMATCH"]


def test_without_submitted_at_the_deadline_is_not_judged(example, config):
    example["submitted_at"] = "2025-01-01T00:00:00+01:00"
    assert verdict_codes(example, config) == ["DEADLINE_PASSED"]
    del example["submitted_at"]
    assert to_input(example, config).now is None
    assert verdict_codes(example, config) == []


def test_explicit_now_overrides_submitted_at(example, config):
    late = dt.datetime(2024, 10, 1, 0, 0, 1, tzinfo=config.timezone)
    assert verdict_codes(example, config, now=late) == ["DEADLINE_PASSED"]


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("budget", "expenses", 2, "amount"), "-5.00", "budget.expenses[2].amount"),
        (("budget", "expenses", 2, "amount"), "douze", "budget.expenses[2].amount"),
        (("budget", "resources", 1, "amount"), "30000.001", "budget.resources[1].amount"),
        (("budget", "in_kind", 0, "amount"), "999999999999.00", "budget.in_kind[0].amount"),
        (("partners", 1, "amount"), "", "partners[1].amount"),
        (("partners", 1, "valuation", "quantity"), "deux", "partners[1].valuation.quantity"),
        (("actions", 0, "start"), "04/11/2024", "actions[0].start"),
        (("submitted_at",), "2024-09-27T16:30:00", "submitted_at"),
        (("budget", "expenses", 0, "action"), 3, "budget.expenses[0].action"),
    ],
)
def test_bad_values_raise_a_document_error_saying_where(example, config, path, value, where):
    node = example
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(DocumentError) as error:
        to_input(example, config)
    assert error.value.path == where
    assert str(error.value).startswith(f"{where} : ")


@pytest.mark.parametrize(
    ("mutate", "where", "words"),
    [
        (lambda d: d.pop("budget"), "document", "budget"),
        (lambda d: d["applicant"].pop("siret"), "applicant", "siret"),
        (lambda d: d.update(format="pactes.dossier/2"), "format", "pactes.dossier/1"),
        (lambda d: d["budget"]["expenses"][1].update(amount=6000), "budget.expenses[1].amount", "chaîne"),
        (lambda d: d["budget"]["resources"][0].update(kind="etat"), "budget.resources[0].kind", "state_pts"),
        (lambda d: d["actions"][0].update(priority=0), "actions[0].priority", "au moins 1"),
        (lambda d: d["partners"][0].update(contribution="cash"), "partners[0].contribution", "in_kind"),
    ],
)
def test_schema_errors_name_the_path_in_french(example, mutate, where, words):
    mutate(example)
    with pytest.raises(DocumentError) as error:
        load_document(json.dumps(example))
    assert error.value.path == where
    assert words in str(error.value)


def test_json_syntax_error_gives_line_and_column():
    with pytest.raises(DocumentError, match="ligne 2, colonne 31 : virgule en trop"):
        load_document('{\n  "format": "pactes.dossier/1",\n}')


def test_a_json_list_is_not_a_document():
    with pytest.raises(DocumentError, match="objet JSON"):
        load_document("[]")
