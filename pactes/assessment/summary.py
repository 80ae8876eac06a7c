"""The departmental summary (synthèse départementale): the PDF that goes with a transmission to the committee.

Per territory (EPCI), the dossiers in the département's order with their mean scores per criterion and total, the
requested and proposed amounts, the opinion, and the territory's totals against the cap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string

from pactes.accounts.models import User
from pactes.assessment.selectors import RankedDossier, ScoreBoard, TerritoryRanking, score_board, territory_rankings
from pactes.calls.models import Call
from pactes.core.pdf import html_to_pdf, marianne_font_faces
from pactes.dossiers.models import Dossier
from pactes.dossiers.receipt import filed_at_label
from pactes.rules.money import number
from pactes.territories.models import Departement


@dataclass(frozen=True)
class SummaryLine:
    item: RankedDossier
    board: ScoreBoard
    means: list[str]  # mean per criterion, in the call's order, formatted
    total: str  # mean of the instructors' weighted totals, formatted


@dataclass(frozen=True)
class SummaryTerritory:
    ranking: TerritoryRanking
    lines: list[SummaryLine]


def summary_territories(*, call: Call, dossiers: Sequence[Dossier]) -> list[SummaryTerritory]:
    config = call.rules
    result = []
    for territory in territory_rankings(Dossier.objects.filter(pk__in=[d.pk for d in dossiers]), config):
        lines = []
        for item in territory.dossiers:
            board = score_board(item.dossier, config)
            means = [number(row.mean, 2) if row.mean is not None else "—" for row in board.rows]
            total = number(board.aggregate.mean_total, 2) if board.aggregate is not None else "—"
            lines.append(SummaryLine(item=item, board=board, means=means, total=total))
        result.append(SummaryTerritory(ranking=territory, lines=lines))
    return result


def summary_render(
    *, call: Call, departement: Departement, dossiers: Sequence[Dossier], by: User, at: dt.datetime
) -> bytes:
    """The summary PDF of the dossiers a département transmits, as they stand at ``at``."""
    config = call.rules
    territories = summary_territories(call=call, dossiers=dossiers)
    html = render_to_string(
        "pdf/transmission.html",
        {
            "call": call,
            "rules": config,
            "departement": departement,
            "by": {"name": by.get_full_name() or by.email, "email": by.email},  # never the user object (ADR 0030)
            "at": filed_at_label(at, call),
            "criteria": config.criteria,
            "territories": territories,
            "count": sum(len(t.lines) for t in territories),
            "font_faces": marianne_font_faces(),
        },
    )
    return html_to_pdf(html)
