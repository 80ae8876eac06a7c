"""Admissibility of a whole dossier: each rule of the call on a complete, valid dossier broken one way at a time."""

import ast
import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pactes.rules import dossier as dossier_module
from pactes.rules.budget import BudgetInput, CofinancingLine, ExpenseLine, InKindValuation
from pactes.rules.call_config import CallConfig, Choice
from pactes.rules.dossier import RULES, check_dossier
from pactes.rules.dossier_inputs import (
    ActionInput,
    ApplicantInput,
    CommuneRef,
    ContributionInput,
    ContributionNature,
    DossierInput,
    EpciRef,
    PerimeterInput,
    PriorityInput,
)
from pactes.rules.panel import panel
from pactes.rules.verdict import Outcome

ROOT = Path(__file__).resolve().parents[2]
CONFIG = CallConfig.from_yaml((ROOT / "pactes/calls/data/pts-occitanie-2024.yaml").read_text())
PARIS = ZoneInfo("Europe/Paris")
D = dt.date

TERRITORY_KIND = next(k.code for k in CONFIG.carrier_kinds if k.requires_eligible_territory)
ASSOCIATION_KIND = next(k.code for k in CONFIG.carrier_kinds if k.fallback)
PUBLIC = next(p.code for p in CONFIG.target_publics if not p.requires_justification)
OTHER_PUBLIC = next(p.code for p in CONFIG.target_publics if p.requires_justification)
LEVEL = CONFIG.territorial_levels[0].code
ELIGIBLE = "200066389"
NOT_ELIGIBLE = "200000172"


def valid_dossier() -> DossierInput:
    return DossierInput(
        applicant=ApplicantInput(siret="130 025 265 00013", carrier_kind=ASSOCIATION_KIND),
        perimeter=PerimeterInput(
            epcis=(EpciRef(ELIGIBLE, "CC du Haut-Languedoc"),),
            communes=(CommuneRef("81065", ELIGIBLE, "Castres"),),
            eligible_epci_sirens=frozenset({ELIGIBLE}),
        ),
        priorities=(
            PriorityInput("Accès à l'alimentation", measure_codes=("M12",), publics=(PUBLIC,)),
            PriorityInput(
                "Mobilité des jeunes ruraux",
                local_justification="Taux de chômage des 16-25 ans de 31 % (INSEE 2021).",
                publics=(OTHER_PUBLIC,),
                other_public_justification="Jeunes sortis de l'aide sociale à l'enfance.",
            ),
        ),
        actions=(
            ActionInput(
                0,
                "Diagnostic partagé",
                territorial_level=LEVEL,
                publics=(PUBLIC,),
                partners=("CCAS de Castres",),
                start=D(2024, 11, 4),
                end=D(2025, 3, 31),
            ),
            ActionInput(
                1,
                "Épicerie solidaire",
                territorial_level=LEVEL,
                publics=(PUBLIC,),
                partners=("Secours populaire", "Banque alimentaire"),
                start=D(2024, 12, 1),
                end=D(2025, 10, 31),
                overlaps_departmental_contract=True,
                articulation="Complète l'aide alimentaire du contrat départemental par un lieu fixe.",
                impact_measures=("Nombre de familles accueillies par mois",),
            ),
        ),
        contributions=(
            ContributionInput("Commune de Castres", ContributionNature.FINANCIAL, valuation=Decimal("30000")),
            ContributionInput(
                "Banque alimentaire",
                ContributionNature.STAFF,
                quantity=Decimal("120"),
                unit_value=Decimal("35.50"),
                valuation=Decimal("4260"),
            ),
        ),
        budget=BudgetInput(
            expenses=(ExpenseLine("Personnel", Decimal("100000")), ExpenseLine("Loyer", Decimal("24000"))),
            state_grant=Decimal("62000"),
            cofinancing=(CofinancingLine("Commune de Castres", Decimal("30000")),),
            own_funds=Decimal("32000"),
            in_kind=(InKindValuation("Bénévolat", Decimal("4260")),),
        ),
        expected_impact="Deux cents familles accèdent chaque mois à une alimentation de qualité.",
        impact_measurement="Tableau de bord mensuel partagé avec la DDETS-PP.",
        now=dt.datetime(2024, 9, 30, 23, 59, 59, tzinfo=PARIS),
    )


def replace_action(index: int, **changes: object) -> Callable[[DossierInput], DossierInput]:
    def change(d: DossierInput) -> DossierInput:
        actions = list(d.actions)
        actions[index] = dataclasses.replace(actions[index], **changes)  # type: ignore[arg-type]
        return dataclasses.replace(d, actions=tuple(actions))

    return change


def replace_priority(index: int, **changes: object) -> Callable[[DossierInput], DossierInput]:
    def change(d: DossierInput) -> DossierInput:
        priorities = list(d.priorities)
        priorities[index] = dataclasses.replace(priorities[index], **changes)  # type: ignore[arg-type]
        return dataclasses.replace(d, priorities=tuple(priorities))

    return change


def replace(part: str, **changes: object) -> Callable[[DossierInput], DossierInput]:
    return lambda d: dataclasses.replace(d, **{part: dataclasses.replace(getattr(d, part), **changes)})


def replace_contribution(index: int, **changes: object) -> Callable[[DossierInput], DossierInput]:
    def change(d: DossierInput) -> DossierInput:
        items = list(d.contributions)
        items[index] = dataclasses.replace(items[index], **changes)  # type: ignore[arg-type]
        return dataclasses.replace(d, contributions=tuple(items))

    return change


def test_complete_dossier_is_admissible() -> None:
    verdict = check_dossier(valid_dossier(), CONFIG)
    assert verdict.reasons == ()
    assert verdict.ok


CASES: list[tuple[str, Callable[[DossierInput], DossierInput], list[str]]] = [
    ("SIRET with a wrong key", replace("applicant", siret="13002526500012"), ["SIRET_INVALID"]),
    ("SIRET too short", replace("applicant", siret="1300252650001"), ["SIRET_INVALID"]),
    ("carrier kind unknown to the call", replace("applicant", carrier_kind="entreprise"), ["APPLICANT_NOT_ELIGIBLE"]),
    (
        "collectivité outside the eligible territories",
        replace("applicant", carrier_kind=TERRITORY_KIND, is_in_eligible_territory=False),
        ["APPLICANT_NOT_ELIGIBLE"],
    ),
    (
        "collectivité of an eligible territory",
        replace("applicant", carrier_kind=TERRITORY_KIND, is_in_eligible_territory=True),
        [],
    ),
    ("consortium without a lead", replace("applicant", is_consortium=True, has_lead=False), ["APPLICANT_NOT_ELIGIBLE"]),
    ("consortium with a lead", replace("applicant", is_consortium=True, has_lead=True), []),
    ("empty perimeter", replace("perimeter", epcis=(), communes=()), ["PERIMETER_EMPTY"]),
    ("perimeter of communes only", replace("perimeter", epcis=()), []),
    (
        "EPCI not on the list",
        replace("perimeter", epcis=(EpciRef(ELIGIBLE), EpciRef(NOT_ELIGIBLE))),
        ["PERIMETER_NOT_ELIGIBLE"],
    ),
    (
        "commune of a non-eligible EPCI",
        replace("perimeter", communes=(CommuneRef("31555", NOT_ELIGIBLE, "Toulouse"),)),
        ["PERIMETER_NOT_ELIGIBLE"],
    ),
    (
        "no priority",
        lambda d: dataclasses.replace(d, priorities=(), actions=()),
        ["PRIORITIES_COUNT", "ACTION_PLAN_EMPTY"],
    ),
    (
        "four priorities",
        lambda d: dataclasses.replace(d, priorities=d.priorities * 2),
        ["PRIORITIES_COUNT"],
    ),
    (
        "three priorities",
        lambda d: dataclasses.replace(d, priorities=(*d.priorities, d.priorities[0])),
        [],
    ),
    (
        "priority with neither measure nor local justification",
        replace_priority(1, local_justification="  "),
        ["PRIORITY_WITHOUT_MEASURE"],
    ),
    ("priority without public", replace_priority(0, publics=()), ["PUBLIC_MISSING"]),
    ("other precarious public not justified", replace_priority(1, other_public_justification=""), ["PUBLIC_MISSING"]),
    ("priority with an unknown public", replace_priority(0, publics=("retraites",)), ["PUBLIC_MISSING"]),
    ("no action", lambda d: dataclasses.replace(d, actions=()), ["ACTION_PLAN_EMPTY"]),
    ("action without territorial level", replace_action(0, territorial_level=""), ["ACTION_INCOMPLETE"]),
    ("action with an unknown territorial level", replace_action(0, territorial_level="canton"), ["ACTION_INCOMPLETE"]),
    ("action without public", replace_action(0, publics=()), ["ACTION_INCOMPLETE"]),
    ("action without partner", replace_action(0, partners=(" ",)), ["ACTION_INCOMPLETE"]),
    ("action without dates", replace_action(0, start=None), ["ACTION_INCOMPLETE"]),
    ("action of a priority that does not exist", replace_action(0, priority_index=3), ["ACTION_INCOMPLETE"]),
    ("overlap with the departmental contract not justified", replace_action(1, articulation=""), ["ACTION_INCOMPLETE"]),
    ("action starting after 1 December 2024", replace_action(1, start=D(2024, 12, 2)), ["ACTION_STARTS_TOO_LATE"]),
    (
        "action ending after 31 December 2025",
        replace_action(1, start=D(2025, 1, 1), end=D(2026, 1, 1)),
        ["ACTION_STARTS_TOO_LATE", "ACTION_ENDS_TOO_LATE", "PLAN_TOO_LONG"],
    ),
    ("action ending before it starts", replace_action(0, end=D(2024, 11, 1)), ["ACTION_DATES_INVERTED"]),
    (
        "plan 2024-12-01 → 2025-11-30",
        lambda d: replace_action(0, start=D(2024, 12, 1))(replace_action(1, end=D(2025, 11, 30))(d)),
        [],
    ),
    (
        "plan 2024-12-01 → 2025-12-01",
        lambda d: replace_action(0, start=D(2024, 12, 1))(replace_action(1, end=D(2025, 12, 1))(d)),
        ["PLAN_TOO_LONG"],
    ),
    ("no action measures its impact", replace_action(1, impact_measures=()), ["NO_IMPACT_MEASURE"]),
    ("expected impact not described", lambda d: dataclasses.replace(d, expected_impact=" "), ["IMPACT_NOT_DESCRIBED"]),
    (
        "impact measurement not described",
        lambda d: dataclasses.replace(d, impact_measurement=""),
        ["IMPACT_NOT_DESCRIBED"],
    ),
    ("staff contribution without valuation", replace_contribution(1, valuation=None), ["CONTRIBUTION_NOT_VALUED"]),
    (
        "staff contribution without its calculation",
        replace_contribution(1, unit_value=None),
        ["CONTRIBUTION_NOT_VALUED"],
    ),
    (
        "in-kind valuation that is not quantity × unit value",
        replace_contribution(1, nature=ContributionNature.IN_KIND, valuation=Decimal("4000")),
        ["CONTRIBUTION_NOT_VALUED"],
    ),
    ("financial contribution needs no calculation", replace_contribution(0, valuation=None), []),
    ("budget unbalanced", replace("budget", own_funds=Decimal("42000")), ["BUDGET_UNBALANCED"]),
    ("grant missing", replace("budget", state_grant=None, own_funds=Decimal("94000")), ["GRANT_MISSING"]),
    (
        "grant over the cap",
        replace("budget", state_grant=Decimal("65000"), own_funds=Decimal("29000")),
        ["GRANT_OVER_CAP", "COFINANCING_TOO_LOW"],
    ),
    (
        "cofinancing 1 cent short",
        replace("budget", state_grant=Decimal("62000.01"), own_funds=Decimal("31999.99")),
        ["GRANT_OVER_CAP", "COFINANCING_TOO_LOW"],
    ),
    (
        "cofinancing below 50 %",
        lambda d: dataclasses.replace(
            d,
            budget=BudgetInput(
                expenses=(ExpenseLine("Personnel", Decimal("100000")),),
                state_grant=Decimal("62000"),
                own_funds=Decimal("38000"),
                in_kind=d.budget.in_kind,
            ),
        ),
        ["COFINANCING_TOO_LOW"],
    ),
    (
        "in-kind of the budget that differs from the partners' valuations",
        replace("budget", in_kind=(InKindValuation("Bénévolat", Decimal("1000")),)),
        ["CONTRIBUTIONS_MISMATCH"],
    ),
    (
        "filed at 00:00:00 on 1 October",
        lambda d: dataclasses.replace(d, now=dt.datetime(2024, 10, 1, tzinfo=PARIS)),
        ["DEADLINE_PASSED"],
    ),
]


# Rules that inform the instructor without making the dossier inadmissible.
WARNINGS = {"CONTRIBUTIONS_MISMATCH"}


@pytest.mark.parametrize(("case", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_of_the_call(case: str, change: Callable[[DossierInput], DossierInput], expected: list[str]) -> None:
    verdict = check_dossier(change(valid_dossier()), CONFIG)
    assert list(verdict.codes) == expected
    assert verdict.ok is not any(code not in WARNINGS for code in expected)
    assert all(r.blocking is (r.code not in WARNINGS) and r.section for r in verdict.reasons)


def test_kind_not_eligible_alone_is_admissible_only_as_the_lead_of_a_consortium() -> None:
    config = dataclasses.replace(
        CONFIG, carrier_kinds=(*CONFIG.carrier_kinds, Choice("autre_test", "Autre", eligible_alone=False))
    )
    alone = replace("applicant", carrier_kind="autre_test")(valid_dossier())
    lead = replace("applicant", carrier_kind="autre_test", is_consortium=True, has_lead=True)(valid_dossier())
    assert check_dossier(alone, config).codes == ("APPLICANT_NOT_ELIGIBLE",)
    assert check_dossier(lead, config).ok


def test_messages_point_at_the_item() -> None:
    d = replace_action(1, start=D(2024, 12, 2), partners=())(valid_dossier())
    messages = [r.message for r in check_dossier(d, CONFIG).reasons]
    assert messages == [
        "Action 2 « Épicerie solidaire » : il manque les partenaires engagés.",
        "Action 2 « Épicerie solidaire » : elle démarre le 2 décembre 2024, après la date limite de démarrage du "
        "1er décembre 2024 (§1.4).",
    ]


def test_perimeter_message_names_the_epci() -> None:
    d = replace("perimeter", epcis=(EpciRef(NOT_ELIGIBLE, "CA Toulouse Métropole"),))(valid_dossier())
    (reason,) = check_dossier(d, CONFIG).reasons
    assert "CA Toulouse Métropole (200000172)" in reason.message


def test_contribution_message_gives_the_calculation() -> None:
    d = replace_contribution(1, valuation=Decimal("4000"))(valid_dossier())
    (reason,) = check_dossier(d, CONFIG).reasons
    assert "« Banque alimentaire »" in reason.message
    assert "120 × 35,50\u00a0€ = 4\u202f260\u00a0€" in reason.message


def test_priorities_count_follows_the_config() -> None:
    one_only = dataclasses.replace(CONFIG, priorities_max=1)
    verdict = check_dossier(valid_dossier(), one_only)
    assert verdict.codes == ("PRIORITIES_COUNT",)
    assert verdict.reasons[0].message == "Le projet porte 2 priorités : il en faut de 1 à 1 (§1.3.1)."


def test_panel_lists_every_rule_with_its_reasons() -> None:
    d = replace("budget", state_grant=Decimal("65000"), own_funds=Decimal("29000"))(valid_dossier())
    rows = panel(d, CONFIG)
    assert [row.rule.code for row in rows] == [rule.code for rule in RULES]
    failed = {row.rule.code for row in rows if row.outcome is Outcome.FAILED}
    assert failed == {row.rule.code for row in rows if row.reasons} == {"GRANT_OVER_CAP", "COFINANCING_TOO_LOW"}
    assert all(row.rule.section(CONFIG) for row in rows)


def test_a_complete_dossier_judges_every_rule_but_the_deadline_it_was_not_asked() -> None:
    content_only = dataclasses.replace(valid_dossier(), now=None)
    verdict = check_dossier(content_only, CONFIG)
    assert verdict.not_applicable == {"DEADLINE_PASSED"}  # no filing moment given: the deadline is not judged
    assert check_dossier(valid_dossier(), CONFIG).not_applicable == frozenset()


def test_with_no_action_the_rules_on_actions_are_without_object_not_met() -> None:
    no_actions = dataclasses.replace(valid_dossier(), actions=())
    outcomes = {row.rule.code: row.outcome for row in panel(no_actions, CONFIG)}
    for code in ("ACTION_STARTS_TOO_LATE", "ACTION_ENDS_TOO_LATE", "ACTION_DATES_INVERTED", "PLAN_TOO_LONG"):
        assert outcomes[code] is Outcome.NOT_APPLICABLE, code
    assert outcomes["ACTION_INCOMPLETE"] is Outcome.NOT_APPLICABLE
    assert outcomes["NO_IMPACT_MEASURE"] is Outcome.NOT_APPLICABLE
    assert outcomes["ACTION_PLAN_EMPTY"] is Outcome.FAILED  # the rule that judges the emptiness itself
    assert Outcome.NOT_APPLICABLE.label == "Sans objet"


def test_an_empty_draft_says_without_object_for_what_it_cannot_judge_and_failed_for_what_is_missing() -> None:
    empty = DossierInput(
        applicant=ApplicantInput(siret="", carrier_kind=""),
        perimeter=PerimeterInput(epcis=(), communes=(), eligible_epci_sirens=frozenset()),
        priorities=(),
        actions=(),
        contributions=(),
        budget=BudgetInput(),
        expected_impact="",
        impact_measurement="",
        now=None,
    )
    outcomes = {row.rule.code: row.outcome for row in panel(empty, CONFIG)}
    assert {code for code, o in outcomes.items() if o is Outcome.NOT_APPLICABLE} == {
        "PERIMETER_NOT_ELIGIBLE",
        "PRIORITY_WITHOUT_MEASURE",
        "PUBLIC_MISSING",
        "ACTION_INCOMPLETE",
        "ACTION_STARTS_TOO_LATE",
        "ACTION_ENDS_TOO_LATE",
        "ACTION_DATES_INVERTED",
        "PLAN_TOO_LONG",
        "NO_IMPACT_MEASURE",
        "CONTRIBUTION_NOT_VALUED",
        "CONTRIBUTIONS_MISMATCH",
        "GRANT_OVER_CAP",
        "COFINANCING_TOO_LOW",
        "DEADLINE_PASSED",
    }
    assert Outcome.MET not in outcomes.values()  # nothing of an empty draft reads « respectée »


def test_a_rule_with_a_reason_is_failed_even_where_it_would_be_without_object() -> None:
    no_dates = replace_action(0, start=None, end=None)(replace_action(1, start=None, end=None)(valid_dossier()))
    verdict = check_dossier(no_dates, CONFIG)
    assert verdict.outcome("ACTION_STARTS_TOO_LATE") is Outcome.NOT_APPLICABLE
    assert verdict.outcome("ACTION_INCOMPLETE") is Outcome.FAILED


def test_rules_list_every_code_the_checks_can_produce() -> None:
    listed = {rule.code for rule in RULES}
    assert len(listed) == len(RULES)
    produced = {code for _, change, expected in CASES for code in expected}
    assert produced == listed


def test_every_code_constant_of_the_rules_modules_is_listed() -> None:
    source = Path(dossier_module.__file__).read_text()
    constants = {
        node.targets[0].id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
        and node.targets[0].id == node.value.value
    }
    assert constants <= {rule.code for rule in RULES}


def test_each_rule_names_the_editor_step_that_fixes_it_in_the_editors_order() -> None:
    steps = (
        dossier_module.STEP_APPLICANT,
        dossier_module.STEP_PERIMETER,
        dossier_module.STEP_PRIORITIES,
        dossier_module.STEP_ACTIONS,
        dossier_module.STEP_PARTNERS,
        dossier_module.STEP_BUDGET,
        dossier_module.STEP_IMPACT,
        dossier_module.STEP_FILING,
    )
    by_code = {rule.code: rule.step for rule in RULES}
    assert set(by_code.values()) == set(steps)
    assert by_code["SIRET_INVALID"] == "porteur"
    assert by_code["NO_IMPACT_MEASURE"] == "actions"  # measured action by action, at step 5
    assert by_code["CONTRIBUTIONS_MISMATCH"] == "partenaires"
    assert by_code["DEADLINE_PASSED"] == ""  # judged at the filing itself
