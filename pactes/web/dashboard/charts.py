"""A dashboard figure as the attributes of a @gouvfr/dsfr-chart element (JSON lists, given as HTML attributes: no
script) and as the rows of its data table, written by the one formatter of amounts and numbers (rules/money.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from pactes.followup.dashboard import Figure
from pactes.rules.money import euros, number


def _shown(value: Decimal | int, unit: str) -> str:
    return euros(Decimal(value)) if unit == "€" else number(value)


def csv_number(value: Decimal | int) -> str:
    """« 40000,00 »: a comma decimal, as French spreadsheets read it (the CSV uses « ; » between columns)."""
    return f"{value:.2f}".replace(".", ",") if isinstance(value, Decimal) else str(value)


def chart_of(figure: Figure, *, csv_url: str) -> dict[str, Any]:
    labels = [label for label, _values in figure.rows]
    series = [[float(values[i]) for _label, values in figure.rows] for i in range(len(figure.series))]
    return {
        "figure": figure,
        "id": f"figure-{figure.key}",
        "x": json.dumps([labels] * len(figure.series), ensure_ascii=False),
        "y": json.dumps(series),
        "names": json.dumps(list(figure.series), ensure_ascii=False),
        "horizontal": "true" if figure.horizontal else "false",
        "unit": figure.unit,
        "rows": [(label, [_shown(v, figure.unit) for v in values]) for label, values in figure.rows],
        "csv_url": csv_url,
    }
