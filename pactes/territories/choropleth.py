"""The classes of a choropleth map: territories coloured by an indicator, in classes of equal counts (quantiles).

Words: a *class* holds about the same number of territories; its *bounds* are the lowest and highest values it
holds; a territory whose value INSEE does not publish (statistical secret) is in no class: « non diffusé ».
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Sequential blues of the State design system (blue-france 925 → 113 …), lightest for the lowest values.
PALETTE = ("#e3e3fd", "#cacafb", "#8585f6", "#6a6af4", "#000091")
SECRET_COLOUR = "#929292"


@dataclass(frozen=True)
class ChoroplethClass:
    index: int
    low: Decimal
    high: Decimal
    colour: str
    count: int


@dataclass(frozen=True)
class Choropleth:
    classes: tuple[ChoroplethClass, ...]
    of: dict[str, int | None]  # territory code → class index, None for « non diffusé »

    def colour_of(self, code: str) -> str:
        index = self.of.get(code)
        return SECRET_COLOUR if index is None else self.classes[index].colour


def quantile_classes(values: dict[str, Decimal | None], count: int = len(PALETTE)) -> Choropleth:
    """``values`` (code → value, None when secret) in at most ``count`` classes of (nearly) equal size; equal values
    always share a class."""
    known = sorted((value, code) for code, value in values.items() if value is not None)
    of: dict[str, int | None] = {code: None for code, value in values.items() if value is None}
    if not known:
        return Choropleth(classes=(), of=of)
    count = max(1, min(count, len(known)))
    groups: list[list[tuple[Decimal, str]]] = []
    for position, item in enumerate(known):
        target = position * count // len(known)
        if groups and (len(groups) > target or groups[-1][-1][0] == item[0]):
            groups[-1].append(item)
        else:
            groups.append([item])
    palette = PALETTE if len(groups) == len(PALETTE) else PALETTE[len(PALETTE) - len(groups) :]
    classes = []
    for index, group in enumerate(groups):
        classes.append(
            ChoroplethClass(index=index, low=group[0][0], high=group[-1][0], colour=palette[index], count=len(group))
        )
        for _value, code in group:
            of[code] = index
    return Choropleth(classes=tuple(classes), of=of)
