"""Ranking of the projects of one territory (§1.6): contiguous ranks, cumulated amounts within the territory cap."""

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from pactes.rules.call_config import CallConfig
from pactes.rules.money import euros
from pactes.rules.ranking import (
    PROPOSED_OVER_CAP,
    PROPOSED_OVER_REQUESTED,
    RANKING_INCOMPLETE,
    TERRITORY_CAP_EXCEEDED,
    TERRITORY_REQUESTED_OVER_CAP,
    RankedProject,
    rank_territory,
)

CONFIG = CallConfig.from_yaml(
    (Path(__file__).resolve().parents[2] / "pactes/calls/data/pts-occitanie-2024.yaml").read_text()
)


def project(ref: str, requested: str, proposed: str | None, rank: int | None) -> RankedProject:
    return RankedProject(
        ref, f"Projet {ref}", Decimal(requested), None if proposed is None else Decimal(proposed), rank
    )


def codes(projects: list[RankedProject]) -> list[str]:
    """The blocking codes (the warning on the requested amounts is tested on its own)."""
    return [r.code for r in rank_territory(projects, CONFIG, territory="CC du Haut-Languedoc").blocking_reasons]


@pytest.mark.parametrize(
    ("projects", "expected"),
    [
        ([project("A", "62000", "62000", 1)], []),
        ([project("A", "40000", "40000", 1), project("B", "30000", "22000", 2)], []),
        ([project("A", "40000", "40000", 1), project("B", "30000", "22000.01", 2)], [TERRITORY_CAP_EXCEEDED]),
        ([project("A", "40000", "40000", 1), project("B", "30000", None, 2)], []),
        ([project("A", "40000", "40000", 1), project("B", "30000", "20000", None)], [RANKING_INCOMPLETE]),
        ([project("A", "40000", "20000", 1), project("B", "30000", "20000", 1)], [RANKING_INCOMPLETE]),
        ([project("A", "40000", "20000", 1), project("B", "30000", "20000", 3)], [RANKING_INCOMPLETE]),
        ([project("A", "40000", "20000", 2), project("B", "30000", "20000", 3)], [RANKING_INCOMPLETE]),
        ([project("A", "40000", "45000", 1)], [PROPOSED_OVER_REQUESTED]),
        ([project("A", "70000", "65000", 1)], [PROPOSED_OVER_CAP, TERRITORY_CAP_EXCEEDED]),
        ([], []),
    ],
)
def test_ranking_rules_of_one_territory(projects: list[RankedProject], expected: list[str]) -> None:
    assert codes(projects) == expected


def test_cumulated_figures_follow_the_rank_order() -> None:
    summary = rank_territory(
        [project("B", "30000", "30000", 2), project("A", "40000", "40000", 1), project("C", "10000", None, 3)], CONFIG
    )
    assert [line.project.reference for line in summary.lines] == ["A", "B", "C"]
    assert [line.cumulated_requested for line in summary.lines] == [
        Decimal("40000"),
        Decimal("70000"),
        Decimal("80000"),
    ]
    assert [line.cumulated_proposed for line in summary.lines] == [Decimal("40000"), Decimal("70000"), Decimal("70000")]
    assert [line.is_within_cap for line in summary.lines] == [True, False, False]
    assert summary.total_requested == Decimal("80000")
    assert summary.total_proposed == Decimal("70000")
    assert summary.remaining == CONFIG.territory_cap - Decimal("70000")
    assert not summary.ok


def test_territory_cap_message_names_the_territory_and_the_excess() -> None:
    summary = rank_territory(
        [project("A", "40000", "40000", 1), project("B", "30000", "30000", 2)], CONFIG, territory="CA de Béziers"
    )
    (reason,) = summary.blocking_reasons
    assert reason.message == (
        f"Les montants proposés du territoire CA de Béziers cumulent {euros(Decimal('70000'))} et dépassent le plafond "
        f"de {euros(CONFIG.territory_cap)} par territoire de {euros(Decimal('8000'))} (§1.6)."
    )
    assert reason.section == CONFIG.section("funding.territory_cap")


def test_duplicate_rank_message_lists_the_ranks() -> None:
    summary = rank_territory([project("A", "1000", None, 1), project("B", "1000", None, 1)], CONFIG)
    assert "rang(s) attribué(s) plusieurs fois : 1" in summary.reasons[0].message


def test_territory_cap_follows_the_config() -> None:
    bigger = dataclasses.replace(CONFIG, territory_cap=Decimal("100000"))
    projects = [project("A", "40000", "40000", 1), project("B", "30000", "30000", 2)]
    assert rank_territory(projects, bigger).ok


def test_the_cumulated_requested_amount_over_the_cap_is_a_warning_that_does_not_block():
    """Issue 16 (5): §1.6 « montant cumulé en demande … ne dépassant pas le montant plafond »."""
    summary = rank_territory(
        [project("A", "40000", "40000", 1), project("B", "30000", "22000", 2)], CONFIG, territory="CC X"
    )
    assert summary.ok and summary.requested_over_cap and not summary.proposed_over_cap
    assert [r.code for r in summary.warnings] == [TERRITORY_REQUESTED_OVER_CAP]
    assert "cumulent 70 000 €" in summary.warnings[0].message.replace("\u202f", " ").replace("\xa0", " ")


def test_the_balance_reads_as_an_overrun_beyond_the_cap_never_as_a_negative_remainder() -> None:
    over = rank_territory(
        [project("A", "62000", "62000", 1), project("B", "50000", "50000", 2)], CONFIG, territory="CA de Béziers"
    )
    excess = Decimal("112000") - CONFIG.territory_cap
    assert over.remaining == -excess
    assert over.overrun == excess
    assert over.balance_label == f"dépassement de {euros(excess)}"
    assert "-" not in over.balance_label
    within = rank_territory([project("A", "40000", "40000", 1)], CONFIG, territory="CA de Béziers")
    assert within.overrun == 0
    assert within.balance_label == f"reste {euros(CONFIG.territory_cap - Decimal('40000'))}"
