"""Scoped reads of the assessment: score boards of one dossier, territory rankings of one département.

Words: a *score board* is every instructor's sheet on one dossier, side by side, with the mean per criterion and of
the totals (``pactes.rules.scoring.aggregate``); a *territory ranking* is the evaluated dossiers of one EPCI in the
département's order, with their cumulated requested and proposed amounts (``pactes.rules.ranking.rank_territory``).
The *requested* amount of a dossier is its State grant: the sum of its resource lines of kind « state_pts ».
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from pactes.accounts.models import Role, User
from pactes.assessment.models import Proposal, ScoreSheet, Transmission
from pactes.calls.models import Call
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import dossiers_visible_to, requested_grants
from pactes.rules import ranking, scoring
from pactes.rules.call_config import CallConfig, Criterion
from pactes.rules.lifecycle import COMMITTEE_STATES, DossierState
from pactes.rules.verdict import Reason
from pactes.territories.models import Departement, Epci

ZERO = Decimal("0.00")
# States in which a dossier's scores may be read on the evaluation page (scoring itself needs « recevable »).
SCORED_STATES: frozenset[str] = frozenset(
    {
        DossierState.ADMISSIBLE.value,
        DossierState.EVALUATED.value,
        DossierState.TRANSMITTED.value,
        DossierState.RETAINED.value,
        DossierState.REJECTED.value,
        DossierState.POSTPONED.value,
        DossierState.SETTLED.value,  # a settled dossier's evaluation stays readable (issue 16, case 7)
    }
)


def can_read_assessment(user: User) -> bool:
    """Instructors (their département), the DREETS and administrators read the assessment; nobody else."""
    return user.is_authenticated and user.role in {Role.INSTRUCTOR, Role.DREETS, Role.ADMIN}


def assessable_dossiers(user: User) -> QuerySet[Dossier]:
    """The dossiers whose assessment ``user`` may read: its scope, from « recevable » on."""
    if not can_read_assessment(user):
        return Dossier.objects.none()
    return dossiers_visible_to(user).filter(state__in=SCORED_STATES)


def dossier_territory(dossier: Dossier) -> Epci | None:
    """The territory of a dossier for the cumulated cap: the first EPCI of its perimeter, else its first commune's."""
    link = Dossier.epcis.through.objects.filter(dossier=dossier).select_related("epci").order_by("pk").first()
    if link is not None:
        return link.epci
    commune = dossier.communes.select_related("epci").exclude(epci=None).first()
    return commune.epci if commune is not None else None


# -- score board --------------------------------------------------------------------------------------------------- ---
@dataclass(frozen=True)
class CriterionRow:
    criterion: Criterion
    scores: list[CriterionCell]
    mean: Decimal | None


@dataclass(frozen=True)
class CriterionCell:
    score: int | None
    label: str
    justification: str


@dataclass(frozen=True)
class ScoreBoard:
    sheets: list[ScoreSheet]
    rows: list[CriterionRow]
    aggregate: scoring.Aggregate | None
    problems: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def has_complete_sheet(self) -> bool:
        return self.aggregate is not None


def sheet_inputs(sheet: ScoreSheet) -> scoring.ScoreSheet:
    return scoring.ScoreSheet(
        instructor=sheet.instructor.get_full_name() or sheet.instructor.email,
        scores=tuple(
            scoring.CriterionScore(criterion=s.criterion, score=s.score, justification=s.justification)
            for s in sheet.scores.all()
        ),
    )


def score_board(dossier: Dossier, config: CallConfig) -> ScoreBoard:
    sheets = list(
        ScoreSheet.objects.filter(dossier=dossier)
        .select_related("instructor")
        .prefetch_related("scores")
        .order_by("pk")
    )
    aggregate: scoring.Aggregate | None = None
    problems: tuple[Reason, ...] = ()
    if sheets:
        try:
            aggregate = scoring.aggregate([sheet_inputs(s) for s in sheets], config)
        except scoring.ScoringError as exc:
            problems = exc.reasons
    rows = []
    for criterion in config.criteria:
        cells = []
        for sheet in sheets:
            score = next((s for s in sheet.scores.all() if s.criterion == criterion.code), None)
            cells.append(
                CriterionCell(
                    score=score.score if score else None,
                    label=config.scale_labels.get(score.score, "") if score else "",
                    justification=score.justification if score else "",
                )
            )
        mean = aggregate.mean_by_criterion.get(criterion.code) if aggregate else None
        rows.append(CriterionRow(criterion=criterion, scores=cells, mean=mean))
    return ScoreBoard(sheets=sheets, rows=rows, aggregate=aggregate, problems=problems)


# -- territory rankings -------------------------------------------------------------------------------------------- ---
@dataclass(frozen=True)
class RankedDossier:
    dossier: Dossier
    proposal: Proposal | None
    requested: Decimal
    line: ranking.RankingLine


@dataclass(frozen=True)
class TerritoryRanking:
    territory: Epci | None
    summary: ranking.RankingSummary
    dossiers: list[RankedDossier]

    @property
    def name(self) -> str:
        return str(self.territory) if self.territory is not None else "Territoire non déterminé"


def evaluated_dossiers(*, call: Call, departement: Departement) -> QuerySet[Dossier]:
    return Dossier.objects.filter(call=call, departement=departement, state=DossierState.EVALUATED.value)


def transmitted_dossiers(*, call: Call, departement: Departement) -> QuerySet[Dossier]:
    """The dossiers of the département already sent to the committee (and their outcome), with their proposal."""
    return Dossier.objects.filter(
        call=call,
        departement=departement,
        state__in=[s.value for s in COMMITTEE_STATES],
        proposal__isnull=False,
    )


def territory_rankings(dossiers: Iterable[Dossier], config: CallConfig) -> list[TerritoryRanking]:
    """The evaluated dossiers grouped by territory (EPCI of their proposal), each group ranked by the rule."""
    items = list(dossiers)
    proposals = {p.dossier_id: p for p in Proposal.objects.filter(dossier__in=items).select_related("territory")}
    requested = requested_grants(d.pk for d in items)
    groups: dict[int | None, list[Dossier]] = {}
    territories: dict[int | None, Epci | None] = {}
    for dossier in items:
        proposal = proposals.get(dossier.pk)
        territory = proposal.territory if proposal is not None else dossier_territory(dossier)
        key = territory.pk if territory is not None else None
        groups.setdefault(key, []).append(dossier)
        territories[key] = territory
    result = []
    for key, members in groups.items():
        by_reference = {d.reference: d for d in members}
        projects = []
        for d in members:
            p = proposals.get(d.pk)
            projects.append(
                ranking.RankedProject(
                    reference=d.reference,
                    title=d.title,
                    requested=requested[d.pk],
                    proposed=p.proposed_amount if p is not None else None,
                    rank=p.rank if p is not None else None,
                )
            )
        territory = territories[key]
        summary = ranking.rank_territory(projects, config, territory=str(territory) if territory else "")
        result.append(
            TerritoryRanking(
                territory=territory,
                summary=summary,
                dossiers=[
                    RankedDossier(
                        dossier=by_reference[line.project.reference],
                        proposal=proposals.get(by_reference[line.project.reference].pk),
                        requested=line.project.requested,
                        line=line,
                    )
                    for line in summary.lines
                ],
            )
        )
    result.sort(key=lambda t: t.name)
    return result


@dataclass(frozen=True)
class RankingPage:
    """One page of territories, each ranked over all its dossiers (its totals and cumulated cap are complete)."""

    territories: list[TerritoryRanking]
    page: Page

    @property
    def references(self) -> list[tuple[str, str, int | None]]:
        """What the page's rank form lists: the dossiers of its territories only."""
        return [
            (item.dossier.reference, item.dossier.title, item.proposal.rank if item.proposal else None)
            for territory in self.territories
            for item in territory.dossiers
        ]


TERRITORIES_PER_PAGE = 10
# What a row of the ranking reads of a dossier: not its long texts.
RANKING_ROW_FIELDS = ("reference", "title", "state", "call_id", "departement_id", "organisation_id")
UNDETERMINED = "Territoire non déterminé"


def territory_ranking_page(
    dossiers: QuerySet[Dossier], config: CallConfig, *, page: int | str | None = 1, per_page: int | None = None
) -> RankingPage:
    """The territories of ``dossiers`` in the order of their names, ``per_page`` at a time: only the dossiers of the
    page's territories are read, each territory whole (``territory_rankings``)."""
    rows = dossiers.only(*RANKING_ROW_FIELDS)
    keys: dict[int | None, str] = dict(
        Proposal.objects.filter(dossier__in=dossiers.values("pk"))
        .values_list("territory_id", "territory__name")
        .distinct()
        .order_by()
    )
    # A dossier evaluated without proposal (not reached through the services) finds its territory as the rule does.
    unproposed = {d.pk: dossier_territory(d) for d in rows.filter(proposal__isnull=True)}
    for territory in unproposed.values():
        keys[territory.pk if territory else None] = territory.name if territory else UNDETERMINED
    ordered = sorted(keys.items(), key=lambda kv: kv[1])
    current = Paginator(ordered, per_page or TERRITORIES_PER_PAGE).get_page(page)
    current.pages_list = list(current.paginator.get_elided_page_range(current.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    shown = {key for key, _name in current.object_list}
    extra = [pk for pk, t in unproposed.items() if (t.pk if t else None) in shown]
    members = rows.filter(Q(proposal__territory_id__in=[k for k in shown if k is not None]) | Q(pk__in=extra))
    return RankingPage(territories=territory_rankings(members, config), page=current)


# -- scope of the ranking and transmission pages ------------------------------------------------------------------- ---
def departements_for(user: User) -> QuerySet[Departement]:
    """The départements whose ranking ``user`` may read: its own for an instructor, all with dossiers otherwise."""
    if not can_read_assessment(user):
        return Departement.objects.none()
    if user.role == Role.INSTRUCTOR:
        return Departement.objects.filter(pk=user.departement_id)
    return Departement.objects.filter(dossiers__in=assessable_dossiers(user)).distinct().order_by("code")


def calls_for(user: User, departement: Departement) -> list[Call]:
    ids = assessable_dossiers(user).filter(departement=departement).values("call_id")
    return list(Call.objects.filter(pk__in=ids))


def transmissions_visible_to(user: User) -> QuerySet[Transmission]:
    qs = Transmission.objects.select_related("call", "departement", "transmitted_by")
    if not can_read_assessment(user):
        return qs.none()
    if user.role == Role.INSTRUCTOR:
        return qs.filter(departement_id=user.departement_id)
    return qs
