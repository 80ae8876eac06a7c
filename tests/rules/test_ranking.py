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
    TerritoryFacts,
    is_within_cap,
    rank_territory,
)

CONFIG = CallConfig.from_yaml(
    (Path(__file__).resolve().parents[2] / "pactes/calls/data/pts-occitanie-2024.yaml").read_text()
)


def project(ref: str, requested: str, proposed: str | None, rank: int | None) -> RankedProject:
    return RankedProject(
        ref, f"Projet {ref}", Decimal(requested), None if proposed is None else Decimal(proposed), rank
    )


def facts(projects: list[RankedProject]) -> TerritoryFacts:
    """The facts the database gathers for the rule (``pactes.assessment.rankings``), here from a short list."""
    ranks = [p.rank for p in projects if p.rank is not None]
    return TerritoryFacts(
        count=len(projects),
        total_requested=sum((p.requested for p in projects), Decimal("0.00")),
        total_proposed=sum((p.proposed or Decimal("0.00") for p in projects), Decimal("0.00")),
        unranked=tuple(sorted((p for p in projects if p.rank is None), key=lambda p: p.reference)),
        duplicate_ranks=tuple(sorted({r for r in ranks if ranks.count(r) > 1})),
        rank_max=max(ranks, default=None),
        ranks=tuple(sorted(ranks)),
        suspects=tuple(projects),
    )


def summary_of(projects: list[RankedProject], config: CallConfig = CONFIG, territory: str = ""):
    return rank_territory(facts(projects), config, territory=territory)


def codes(projects: list[RankedProject]) -> list[str]:
    """The blocking codes (the warning on the requested amounts is tested on its own)."""
    return [r.code for r in summary_of(projects, territory="CC du Haut-Languedoc").blocking_reasons]


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


def test_totals_and_the_cap_line_follow_the_facts() -> None:
    summary = summary_of(
        [project("B", "30000", "30000", 2), project("A", "40000", "40000", 1), project("C", "10000", None, 3)]
    )
    assert summary.total_requested == Decimal("80000")
    assert summary.total_proposed == Decimal("70000")
    assert summary.remaining == CONFIG.territory_cap - Decimal("70000")
    assert not summary.ok
    assert [is_within_cap(Decimal(x), CONFIG) for x in ("40000", "62000", "62000.01")] == [True, True, False]


def test_a_gap_in_the_ranks_lists_the_ranks_read() -> None:
    summary = summary_of([project("A", "1000", None, 1), project("B", "1000", None, 3)])
    assert "les rangs doivent aller de 1 à 2 sans trou (lus : 1, 3)" in summary.reasons[0].message


def test_territory_cap_message_names_the_territory_and_the_excess() -> None:
    summary = summary_of(
        [project("A", "40000", "40000", 1), project("B", "30000", "30000", 2)], territory="CA de Béziers"
    )
    (reason,) = summary.blocking_reasons
    assert reason.message == (
        f"Les montants proposés du territoire CA de Béziers cumulent {euros(Decimal('70000'))} et dépassent le plafond "
        f"de {euros(CONFIG.territory_cap)} par territoire de {euros(Decimal('8000'))} (§1.6)."
    )
    assert reason.section == CONFIG.section("funding.territory_cap")


def test_duplicate_rank_message_lists_the_ranks() -> None:
    summary = summary_of([project("A", "1000", None, 1), project("B", "1000", None, 1)])
    assert "rang(s) attribué(s) plusieurs fois : 1" in summary.reasons[0].message


def test_territory_cap_follows_the_config() -> None:
    bigger = dataclasses.replace(CONFIG, territory_cap=Decimal("100000"))
    projects = [project("A", "40000", "40000", 1), project("B", "30000", "30000", 2)]
    assert summary_of(projects, bigger).ok


def test_the_cumulated_requested_amount_over_the_cap_is_a_warning_that_does_not_block():
    """Issue 16 (5): §1.6 « montant cumulé en demande … ne dépassant pas le montant plafond »."""
    summary = summary_of([project("A", "40000", "40000", 1), project("B", "30000", "22000", 2)], territory="CC X")
    assert summary.ok and summary.requested_over_cap and not summary.proposed_over_cap
    assert [r.code for r in summary.warnings] == [TERRITORY_REQUESTED_OVER_CAP]
    assert "cumulent 70 000 €" in summary.warnings[0].message.replace("\u202f", " ").replace("\xa0", " ")


def test_the_balance_reads_as_an_overrun_beyond_the_cap_never_as_a_negative_remainder() -> None:
    over = summary_of([project("A", "62000", "62000", 1), project("B", "50000", "50000", 2)], territory="CA de Béziers")
    excess = Decimal("112000") - CONFIG.territory_cap
    assert over.remaining == -excess
    assert over.overrun == excess
    assert over.balance_label == f"dépassement de {euros(excess)}"
    assert "-" not in over.balance_label
    within = summary_of([project("A", "40000", "40000", 1)], territory="CA de Béziers")
    assert within.overrun == 0
    assert within.balance_label == f"reste {euros(CONFIG.territory_cap - Decimal('40000'))}"
