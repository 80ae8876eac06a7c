"""Scoring of a dossier on the selection criteria of the call (§1.6): one sheet per instructor, then the mean.

No Django here. Words:
- *sheet*: the scores one instructor gives a dossier, one per criterion of the call, each with a justification.
- *score*: an integer on the call's scale (``scale_min`` to ``scale_max``).
- *weighted total*: Σ weight × score / Σ weight, on the same scale, rounded half up to 2 decimals.
- *aggregate*: the mean of several instructors' totals and, per criterion, the mean of their scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pactes.rules.call_config import CallConfig
from pactes.rules.verdict import Reason

SCORE_OUT_OF_SCALE = "SCORE_OUT_OF_SCALE"
JUSTIFICATION_MISSING = "JUSTIFICATION_MISSING"
CRITERION_UNKNOWN = "CRITERION_UNKNOWN"
CRITERION_MISSING = "CRITERION_MISSING"
CRITERION_DUPLICATE = "CRITERION_DUPLICATE"
NO_SHEET = "NO_SHEET"

HUNDREDTH = Decimal("0.01")


class ScoringError(ValueError):
    """A sheet cannot be totalled; ``reasons`` say why (in French)."""

    def __init__(self, reasons: Sequence[Reason]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(" ".join(r.message for r in self.reasons))


@dataclass(frozen=True)
class CriterionScore:
    criterion: str  # a code of the call's criteria
    score: int
    justification: str = ""


@dataclass(frozen=True)
class ScoreSheet:
    instructor: str
    scores: tuple[CriterionScore, ...]


@dataclass(frozen=True)
class Aggregate:
    sheet_count: int
    totals: tuple[Decimal, ...]  # each instructor's weighted total, rounded
    mean_total: Decimal  # mean of the exact totals, rounded once
    mean_by_criterion: dict[str, Decimal]


def _round(value: Decimal) -> Decimal:
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def sheet_problems(scores: Sequence[CriterionScore], config: CallConfig) -> list[Reason]:
    # 1.6 CRITERES DE SELECTION: every criterion scored once, on the scale, with its justification.
    section = config.section("selection")
    labels = {c.code: c.label for c in config.criteria}
    reasons: list[Reason] = []
    seen: set[str] = set()
    for item in scores:
        label = labels.get(item.criterion)
        if label is None:
            reasons.append(
                Reason(
                    CRITERION_UNKNOWN,
                    f"Le critère « {item.criterion} » n'est pas un critère de sélection de l'appel.",
                    section=section,
                )
            )
            continue
        if item.criterion in seen:
            reasons.append(
                Reason(CRITERION_DUPLICATE, f"Le critère « {label} » est noté plusieurs fois.", section=section)
            )
            continue
        seen.add(item.criterion)
        if isinstance(item.score, bool) or not config.scale_min <= item.score <= config.scale_max:
            reasons.append(
                Reason(
                    SCORE_OUT_OF_SCALE,
                    f"Critère « {label} » : la note {item.score} est hors du barème "
                    f"({config.scale_min} à {config.scale_max}).",
                    section=section,
                )
            )
        if not item.justification.strip():
            reasons.append(
                Reason(
                    JUSTIFICATION_MISSING,
                    f"Critère « {label} » : la note doit être justifiée par un commentaire.",
                    section=section,
                )
            )
    reasons += [
        Reason(CRITERION_MISSING, f"Le critère « {c.label} » n'est pas noté.", section=section)
        for c in config.criteria
        if c.code not in seen
    ]
    return reasons


def _exact_total(scores: Sequence[CriterionScore], config: CallConfig) -> Decimal:
    problems = sheet_problems(scores, config)
    if problems:
        raise ScoringError(problems)
    by_code = {s.criterion: s.score for s in scores}
    weights = sum((c.weight for c in config.criteria), Decimal(0))
    return sum((c.weight * by_code[c.code] for c in config.criteria), Decimal(0)) / weights


def weighted_total(scores: Sequence[CriterionScore], config: CallConfig) -> Decimal:
    """Σ weight × score / Σ weight, rounded half up to 2 decimals; raises ScoringError for an invalid sheet."""
    return _round(_exact_total(scores, config))


def aggregate(sheets: Sequence[ScoreSheet], config: CallConfig) -> Aggregate:
    """The mean of several instructors' sheets; raises ScoringError if there is none or one is invalid."""
    if not sheets:
        raise ScoringError(
            [Reason(NO_SHEET, "Aucune grille de notation n'a été remplie.", section=config.section("selection"))]
        )
    problems = [
        Reason(r.code, f"Grille de {sheet.instructor} : {r.message}", r.blocking, r.section)
        for sheet in sheets
        for r in sheet_problems(sheet.scores, config)
    ]
    if problems:
        raise ScoringError(problems)
    exact = [_exact_total(sheet.scores, config) for sheet in sheets]
    count = Decimal(len(sheets))
    by_criterion = {
        c.code: _round(
            sum((Decimal(s.score) for sheet in sheets for s in sheet.scores if s.criterion == c.code), Decimal(0))
            / count
        )
        for c in config.criteria
    }
    return Aggregate(
        sheet_count=len(sheets),
        totals=tuple(_round(t) for t in exact),
        mean_total=_round(sum(exact, Decimal(0)) / count),
        mean_by_criterion=by_criterion,
    )
