"""The written form of ``pactes.dossier/1``: canonical JSON, its hash, and how amounts, numbers and rates are written.

Words: the *canonical JSON* of a document (sorted keys, no spaces, UTF-8, non-ASCII kept) is the text a filed version
freezes and hashes; the same dossier always gives the same text, hence the same SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Any

from pactes.rules.budget import BudgetSummary

FORMAT = "pactes.dossier/1"
RATE_PLACES = Decimal("0.0001")


def canonical_json(document: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, non-ASCII kept: the same dossier always gives the same text."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def document_sha256(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def format_amount(amount: Decimal) -> str:
    """« 62000.00 »: the format's way of writing an amount."""
    return f"{amount.quantize(Decimal('0.01')):.2f}"


def format_number(value: Decimal | None) -> str | None:
    """A quantity, a baseline or a target without useless zeros: « 2.4 », « 25 »."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def format_rate(rate: Decimal | None) -> str:
    """A rate as a decimal fraction with 4 places, cut (never rounded up): 0.49999 → « 0.4999 »."""
    return f"{(rate or Decimal(0)).quantize(RATE_PLACES, rounding=ROUND_DOWN):.4f}"


def figures(summary: BudgetSummary) -> dict[str, str]:
    """The figures of the command line and of the API, as strings: amounts « 124000.00 », rate « 0.5000 »."""
    return {
        "total_budget": format_amount(summary.total_budget),
        "state_grant": format_amount(summary.state_grant or Decimal(0)),
        "cofinancing": format_amount(summary.cofinancing),
        "cofinancing_rate": format_rate(summary.cofinancing_rate),
        "in_kind": format_amount(summary.total_in_kind),
    }
