"""A small inline SVG sparkline of an indicator: baseline, each measured value, and the target as a dashed line.

No JavaScript: the template draws the polyline from ``points``. Coordinates are computed with Decimal and printed
with one decimal; the vertical scale spans the baseline, the target and every value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

WIDTH = Decimal(160)
HEIGHT = Decimal(40)
PAD = Decimal(4)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    points: str  # "x,y x,y …" for <polyline points="…">
    dots: tuple[tuple[str, str], ...]  # each measured value (x, y)
    target_y: str | None
    baseline_y: str | None
    label: str


def _fmt(value: Decimal) -> str:
    return str(value.quantize(TENTH, rounding=ROUND_HALF_UP))


def sparkline(
    values: Sequence[Decimal], *, baseline: Decimal | None, target: Decimal | None, label: str
) -> Sparkline | None:
    """The sparkline of ``values`` (oldest first) starting from ``baseline``; None when nothing was measured."""
    if not values:
        return None
    series = ([baseline] if baseline is not None else []) + list(values)
    span_values = series + ([target] if target is not None else [])
    low, high = min(span_values), max(span_values)
    span = high - low or Decimal(1)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / (len(series) - 1) if len(series) > 1 else Decimal(0)

    def y_of(value: Decimal) -> Decimal:
        return PAD + inner_h - (value - low) / span * inner_h

    coordinates = [
        (PAD + step * index if len(series) > 1 else WIDTH / 2, y_of(value)) for index, value in enumerate(series)
    ]
    first_measured = 1 if baseline is not None else 0
    return Sparkline(
        width=int(WIDTH),
        height=int(HEIGHT),
        points=" ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coordinates),
        dots=tuple((_fmt(x), _fmt(y)) for x, y in coordinates[first_measured:]),
        target_y=None if target is None else _fmt(y_of(target)),
        baseline_y=None if baseline is None else _fmt(y_of(baseline)),
        label=label,
    )
