"""The rows of the session's agenda, written in Python.

Fifty rows of nine cells each, through the template engine, cost most of the session's page (issue 12: every
lookup, filter, ``{% url %}`` and ``{% include %}`` is paid per cell). Written here, every value escaped as the
engine escapes it (``html.escape``), they cost a small part of that. Same markup, words and links as the template.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from pactes.committee.agenda import AgendaGroup, AgendaItem, DepartementTotals
from pactes.committee.models import CommitteeSession
from pactes.committee.templatetags.committee_tags import decision_badge
from pactes.core.templatetags.pactes_format import date_fr, euros

REFERENCE_SLOT = "REFERENCE"  # reversed once, then each row's reference takes its place


@dataclass(frozen=True)
class ShownGroup:
    """One département's part of the page, its rows written (what the page keeps, ``pactes.committee.kept``)."""

    departement: str
    totals: DepartementTotals
    rows: SafeString

    @property
    def requested_total(self) -> Decimal:
        return self.totals.requested

    @property
    def proposed_total(self) -> Decimal:
        return self.totals.proposed

    @property
    def awarded_total(self) -> Decimal:
        return self.totals.awarded


def agenda_groups(
    groups: list[AgendaGroup], *, session: CommitteeSession, is_jury: bool, can_decide: bool
) -> list[ShownGroup]:
    dossier_url = reverse("committee:dossier", args=[session.pk, REFERENCE_SLOT])
    return [
        ShownGroup(
            group.departement,
            group.totals,
            mark_safe(
                "".join(
                    _row(
                        item,
                        url=dossier_url.replace(REFERENCE_SLOT, quote(item.dossier.reference, safe="")),
                        is_jury=is_jury,
                        is_closed=session.is_closed,
                        can_decide=can_decide,
                    )
                    for item in group.items
                )
            ),
        )
        for group in groups
    ]


def _row(item: AgendaItem, *, url: str, is_jury: bool, is_closed: bool, can_decide: bool) -> SafeString:
    dossier = item.dossier
    reference, href = _text(dossier.reference), _text(url)
    awarded = f" {_text(euros(item.awarded))}" if item.awarded else ""
    action = "Modifier la décision" if item.decision else "Décider"
    decide = f'<br><a class="fr-link fr-text--sm" href="{href}">{action}</a>' if can_decide else ""
    # Every value below is escaped by ``_text``, or is markup written here.
    return mark_safe(
        f'<tr id="dossier-{reference}">'
        f'<td><a href="{href}">{reference}</a><br><span class="fr-text--xs">{_text(dossier.title)}</span></td>'
        f"<td>{_text(dossier.organisation)}</td>"
        f"<td>{_text(item.territory_label)}</td>"
        f"<td>{_text(item.mean_score_label)}</td>"
        f"<td>{_text(euros(item.requested))}</td>"
        f"<td>{_text(euros(item.proposed))}</td>"
        f"<td>{_text(item.proposal_opinion_label)}</td>"
        f"<td>{_jury_cell(item, href=href, is_jury=is_jury, is_closed=is_closed)}</td>"
        f"<td>{decision_badge(item.decision)}{awarded}{_reopened(item)}{decide}</td>"
        "</tr>"
    )


def _text(value: object) -> str:
    """A value written into the row, escaped as the template engine escapes it."""
    return html.escape(str(value))


def _jury_cell(item: AgendaItem, *, href: str, is_jury: bool, is_closed: bool) -> str:
    # A jury member reads its own opinion and gives it; the DREETS reads the members' opinions counted.
    if not is_jury:
        return _text(item.opinions.text if item.opinions else "")
    mine = f"Votre avis : {_text(item.my_opinion_label)}"
    if is_closed:
        return mine
    return f'{mine}<br><a class="fr-link fr-text--sm" href="{href}#mon-avis">Donner mon avis</a>'


def _reopened(item: AgendaItem) -> str:
    log = item.reopened
    if log is None:
        return ""
    return (
        f'<p class="fr-text--xs fr-mb-0">Rouverte le {_text(date_fr(log.at))} par {_text(log.by)} : '
        f"{_text(log.reason)}</p>"
    )
