"""Scoring on the selection criteria of §1.6: scale, justification, weighted total, mean of instructors."""

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pactes.rules.call_config import CallConfig, Criterion
from pactes.rules.scoring import (
    CRITERION_DUPLICATE,
    CRITERION_MISSING,
    CRITERION_UNKNOWN,
    JUSTIFICATION_MISSING,
    NO_SHEET,
    SCORE_OUT_OF_SCALE,
    CriterionScore,
    ScoreSheet,
    ScoringError,
    aggregate,
    sheet_problems,
    weighted_total,
)

CONFIG = CallConfig.from_yaml(
    (Path(__file__).resolve().parents[2] / "pactes/calls/data/pts-occitanie-2024.yaml").read_text()
)
CODES = [c.code for c in CONFIG.criteria]


def sheet(*scores: int) -> tuple[CriterionScore, ...]:
    return tuple(
        CriterionScore(code, score, "Argumenté par le diagnostic.") for code, score in zip(CODES, scores, strict=True)
    )


def full(score: int) -> tuple[CriterionScore, ...]:
    return sheet(*[score] * len(CODES))


def test_complete_sheet_on_the_scale_has_no_problem() -> None:
    assert sheet_problems(full(CONFIG.scale_max), CONFIG) == []
    assert sheet_problems(full(CONFIG.scale_min), CONFIG) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: (dataclasses.replace(s[0], score=CONFIG.scale_max + 1), *s[1:]), [SCORE_OUT_OF_SCALE]),
        (lambda s: (dataclasses.replace(s[0], score=CONFIG.scale_min - 1), *s[1:]), [SCORE_OUT_OF_SCALE]),
        (lambda s: (dataclasses.replace(s[0], justification="  "), *s[1:]), [JUSTIFICATION_MISSING]),
        (lambda s: (*s, CriterionScore("beaute", 3, "…")), [CRITERION_UNKNOWN]),
        (lambda s: s[1:], [CRITERION_MISSING]),
        (lambda s: (*s, s[0]), [CRITERION_DUPLICATE]),
    ],
)
def test_invalid_sheet_is_refused_with_its_reason(
    change: Callable[[tuple[CriterionScore, ...]], tuple[CriterionScore, ...]], expected: list[str]
) -> None:
    scores = change(full(2))
    assert [r.code for r in sheet_problems(scores, CONFIG)] == expected
    with pytest.raises(ScoringError) as error:
        weighted_total(scores, CONFIG)
    assert [r.code for r in error.value.reasons] == expected


def test_out_of_scale_message_gives_the_scale() -> None:
    (reason,) = sheet_problems((dataclasses.replace(full(2)[0], score=7), *full(2)[1:]), CONFIG)
    assert f"la note 7 est hors du barème ({CONFIG.scale_min} à {CONFIG.scale_max})" in reason.message
    assert reason.section == CONFIG.section("selection")


def test_equal_weights_give_the_plain_mean() -> None:
    assert weighted_total(sheet(4, 3, 3, 2, 1), CONFIG) == Decimal("2.60")


def test_weighted_total_uses_the_weights_of_the_config() -> None:
    weights = [Decimal("3"), Decimal("1"), Decimal("1"), Decimal("1"), Decimal("1")]
    config = dataclasses.replace(
        CONFIG, criteria=tuple(Criterion(c.code, c.label, w) for c, w in zip(CONFIG.criteria, weights, strict=True))
    )
    # (3×4 + 3 + 3 + 2 + 1) / 7 = 21 / 7
    assert weighted_total(sheet(4, 3, 3, 2, 1), config) == Decimal("3.00")
    # (3×1 + 0 + 0 + 0 + 0) / 7 = 0.428571… → 0.43
    assert weighted_total(sheet(1, 0, 0, 0, 0), config) == Decimal("0.43")


def test_weighted_total_rounds_half_up() -> None:
    config = dataclasses.replace(
        CONFIG, criteria=(Criterion("a", "A", Decimal("1")), Criterion("b", "B", Decimal("7"))), scale_max=4
    )
    scores = (CriterionScore("a", 1, "ok"), CriterionScore("b", 0, "ok"))
    # 1 / 8 = 0.125 → 0.13 (half up, not half even)
    assert weighted_total(scores, config) == Decimal("0.13")


def test_aggregate_gives_the_mean_of_instructors_overall_and_per_criterion() -> None:
    result = aggregate(
        [ScoreSheet("DDETS-PP 31 (A)", sheet(4, 3, 3, 2, 1)), ScoreSheet("DDETS-PP 31 (B)", sheet(3, 3, 2, 2, 2))],
        CONFIG,
    )
    assert result.sheet_count == 2
    assert result.totals == (Decimal("2.60"), Decimal("2.40"))
    assert result.mean_total == Decimal("2.50")
    assert result.mean_by_criterion == dict(
        zip(CODES, [Decimal(x) for x in ("3.50", "3.00", "2.50", "2.00", "1.50")], strict=True)
    )


def test_aggregate_refuses_no_sheet_or_an_invalid_one() -> None:
    with pytest.raises(ScoringError) as none:
        aggregate([], CONFIG)
    assert [r.code for r in none.value.reasons] == [NO_SHEET]
    with pytest.raises(ScoringError) as invalid:
        aggregate([ScoreSheet("Instructeur B", full(2)[1:])], CONFIG)
    assert [r.code for r in invalid.value.reasons] == [CRITERION_MISSING]
    assert invalid.value.reasons[0].message.startswith("Grille de Instructeur B : ")


@given(
    st.lists(
        st.integers(min_value=CONFIG.scale_min, max_value=CONFIG.scale_max), min_size=len(CODES), max_size=len(CODES)
    )
)
def test_weighted_total_stays_on_the_scale(scores: list[int]) -> None:
    total = weighted_total(sheet(*scores), CONFIG)
    assert CONFIG.scale_min <= total <= CONFIG.scale_max
    assert total.as_tuple().exponent == -2
