"""The rows of the ranking page, written once in Python (issue 12): the template loops over territories, not cells.

A page holds at most ``ROWS_PER_PAGE`` rows of each table and as many rank fields; through the template engine each
cell cost a variable lookup, a filter and an escape. Here every value goes through ``format_html`` (escaped) and the
amounts through ``pactes.rules.formatting`` (the one owner of « 62 000 € »), as the ``euros`` filter does.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from pactes.assessment.selectors import RankingRow
from pactes.rules import formatting

from .forms import RankField

ABSENT = "—"
REFERENCE_SLOT = "REFERENCE"
EVALUATED = (
    '<tr><td>{}</td><td><a class="fr-link" href="{}">{}</a><br>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    "<td>{}</td><td>{}</td>{}</tr>"
)
OVER_CAP = '<span class="fr-badge fr-badge--error fr-badge--sm">{}</span>'
MOVE = (
    '<td><form method="post" action="{}" class="fr-btns-group fr-btns-group--inline fr-btns-group--sm">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{}"><input type="hidden" name="page" value="{}">'
    '<button type="submit" name="direction" value="haut" class="fr-btn fr-btn--tertiary fr-btn--sm" '
    'title="Monter {}">Monter</button>'
    '<button type="submit" name="direction" value="bas" class="fr-btn fr-btn--tertiary fr-btn--sm" '
    'title="Descendre {}">Descendre</button></form></td>'
)
TRANSMITTED = (
    '<tr><td>{}</td><td><a class="fr-link" href="{}">{}</a><br>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    '<td><p class="fr-badge fr-badge--sm">{}</p></td></tr>'
)
FIELD = (
    '<div class="fr-input-group{}"><label class="fr-label" for="{}">{}<span class="fr-hint-text" id="{}_helptext">'
    '{}</span></label><input type="number" name="{}" value="{}" min="1" step="1" class="fr-input{}" id="{}" '
    'aria-describedby="{}_helptext{}">{}</div>'
)


@lru_cache(maxsize=4096)  # pure: the same amounts recur on every page (caps, common requests)
def _euros(amount: Decimal | None) -> str:
    return ABSENT if amount is None else formatting.euros(amount)


def _number(value: Decimal | None) -> str:
    return ABSENT if value is None else formatting.number(value)


def _rank(rank: int | None) -> str:
    return ABSENT if rank is None else str(rank)


class Links:
    """The URLs of a row's dossier (score page, move action) by reference, without a ``reverse`` per row."""

    def __init__(self) -> None:
        self._score = reverse("assessment:score", args=[REFERENCE_SLOT]).partition(REFERENCE_SLOT)
        self._move = reverse("assessment:move", args=[REFERENCE_SLOT]).partition(REFERENCE_SLOT)

    def score(self, reference: str) -> str:
        return f"{self._score[0]}{quote(reference, safe='')}{self._score[2]}"

    def move(self, reference: str) -> str:
        return f"{self._move[0]}{quote(reference, safe='')}{self._move[2]}"


def evaluated_rows(rows: Iterable[RankingRow], *, links: Links, csrf_token: str | None, page: int) -> SafeString:
    """The rows of an evaluated territory's table; with the move buttons when ``csrf_token`` (an instructor's)."""
    return format_html_join(
        "",
        EVALUATED,
        (
            (
                _rank(row.rank),
                links.score(row.reference),
                row.reference,
                row.title,
                _number(row.mean_score),
                row.opinion or ABSENT,
                _euros(row.requested),
                _euros(row.proposed),
                _euros(row.cumulated_requested),
                _euros(row.cumulated_proposed)
                if row.is_within_cap
                else format_html(OVER_CAP, _euros(row.cumulated_proposed)),
                format_html(MOVE, links.move(row.reference), csrf_token, page, row.reference, row.reference)
                if csrf_token is not None
                else "",
            )
            for row in rows
        ),
    )


def transmitted_rows(rows: Iterable[RankingRow], *, links: Links) -> SafeString:
    return format_html_join(
        "",
        TRANSMITTED,
        (
            (
                _rank(row.rank),
                links.score(row.reference),
                row.reference,
                row.title,
                _euros(row.requested),
                _euros(row.proposed),
                _euros(row.cumulated_proposed),
                row.state_label,
            )
            for row in rows
        ),
    )


def rank_fields(fields: Iterable[RankField]) -> SafeString:
    """The rank inputs in the markup of django-dsfr's input snippet (label, hint, errors)."""
    return format_html_join(
        "",
        FIELD,
        (
            (
                " fr-input-group--error" if f.errors else "",
                f.id,
                f.label,
                f.id,
                f.help,
                f.name,
                f.value,
                " fr-input--error" if f.errors else "",
                f.id,
                f.id,
                f" {f.id}-desc-error" if f.errors else "",
                format_html(
                    '<div id="{}-desc-error">{}</div>',
                    f.id,
                    format_html_join("", '<p class="fr-error-text">{}</p>', ((e,) for e in f.errors)),
                )
                if f.errors
                else mark_safe(""),
            )
            for f in fields
        ),
    )
