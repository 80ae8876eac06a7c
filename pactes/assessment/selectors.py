"""Scoped reads of the assessment: score boards of one dossier, territory rankings of one département.

Words: a *score board* is every instructor's sheet on one dossier, side by side, with the mean per criterion and of
the totals (``pactes.rules.scoring.aggregate``); a *territory ranking* is the evaluated dossiers of one EPCI in the
département's order, with their cumulated requested and proposed amounts (``pactes.rules.ranking.rank_territory``).
The *requested* amount of a dossier is its State grant: the sum of its resource lines of kind « state_pts ».
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from pactes.accounts.models import Role, User
from pactes.assessment import rankings
from pactes.assessment.models import Opinion, Proposal, ScoreSheet, Transmission
from pactes.assessment.rankings import UNDETERMINED
from pactes.calls.models import Call
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import dossiers_visible_to
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
        return str(self.territory) if self.territory is not None else UNDETERMINED


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


def territory_rankings(dossiers: QuerySet[Dossier], config: CallConfig) -> list[TerritoryRanking]:
    """Every territory of ``dossiers``, whole, by name, each dossier with its proposal and running sums: what the
    transmission checks, lists and summarises (the ranking page reads one page of it, ``ranking_page``)."""
    lines = rankings.ranking_lines(dossiers)
    summaries = rankings.territory_summaries(dossiers, config)
    epcis = rankings.epcis_of(summaries)
    by_pk = Dossier.objects.in_bulk([line.id for line in lines])
    proposals = {p.dossier_id: p for p in Proposal.objects.filter(dossier_id__in=by_pk)}
    groups: dict[int | None, list[RankedDossier]] = {}
    for line in lines:
        groups.setdefault(line.territory_key, []).append(
            RankedDossier(
                dossier=by_pk[line.id],
                proposal=proposals.get(line.id),
                requested=line.requested,
                line=ranking.ranking_line(
                    line.project,
                    cumulated_requested=line.cumulated_requested,
                    cumulated_proposed=line.cumulated_proposed,
                    config=config,
                ),
            )
        )
    return [
        TerritoryRanking(territory=epcis.get(key) if key is not None else None, summary=summaries[key], dossiers=items)
        for key, items in groups.items()
    ]


@dataclass(frozen=True)
class RankingRow:
    """What the ranking page shows of one dossier, its running sums over its whole territory."""

    reference: str
    title: str
    state: str
    rank: int | None
    mean_score: Decimal | None
    opinion: str
    requested: Decimal
    proposed: Decimal | None
    cumulated_requested: Decimal
    cumulated_proposed: Decimal
    is_within_cap: bool
    position: int  # in its territory's rank order, from 1

    @property
    def state_label(self) -> str:
        return DossierState(self.state).label


@dataclass(frozen=True)
class TerritoryBlock:
    """One territory on a page of the ranking: its summary over all its dossiers, and the page's rows of it."""

    key: int | None
    name: str
    siren: str
    count: int
    summary: ranking.RankingSummary | None
    rows: list[RankingRow]

    @property
    def first(self) -> int:
        return self.rows[0].position

    @property
    def last(self) -> int:
        return self.rows[-1].position

    @property
    def is_partial(self) -> bool:
        return self.first > 1 or self.last < self.count


@dataclass(frozen=True)
class RankingPage:
    """One page of rows in the order of the territories' names then of their ranks; the totals, the cap checks and
    the running sums of each territory shown are those of the whole territory."""

    territories: list[TerritoryBlock]
    page: Page

    @property
    def references(self) -> list[tuple[str, str, int | None]]:
        """What the page's rank form lists: the dossiers of its rows only."""
        return [(row.reference, row.title, row.rank) for t in self.territories for row in t.rows]


ROWS_PER_PAGE = 25
OPINIONS = dict(Opinion.choices)


def _page_number(page: int | str | None) -> int:
    try:
        return max(1, int(page or 1))
    except (TypeError, ValueError):
        return 1


def ranking_page(
    dossiers: QuerySet[Dossier],
    config: CallConfig,
    *,
    page: int | str | None = 1,
    per_page: int | None = None,
    with_summaries: bool = True,
) -> RankingPage:
    """The page ``page`` of the rows of ``dossiers`` (``ROWS_PER_PAGE`` at a time), grouped by territory; the
    summaries (cap checks, totals) of the page's territories when ``with_summaries``. Reads the page's rows only."""
    size = per_page or ROWS_PER_PAGE
    number = _page_number(page)
    lines = rankings.ranking_lines(dossiers, offset=(number - 1) * size, limit=size)
    total = lines[0].total if lines else 0
    if not lines and number > 1:  # past the end, as Paginator.get_page: the last page (or the first when empty)
        total = rankings.count_lines(dossiers)
        number = max(1, -(-total // size))
        lines = rankings.ranking_lines(dossiers, offset=(number - 1) * size, limit=size) if total else []
    # The lines say how many there are (a window over the whole list): no COUNT query before them.
    current = Paginator(range(total), size).get_page(number)
    current.pages_list = list(current.paginator.get_elided_page_range(current.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    summaries = (
        rankings.territory_summaries(dossiers, config, keys={line.territory_key for line in lines})
        if with_summaries and lines
        else {}
    )
    blocks: list[TerritoryBlock] = []
    for line in lines:
        if not blocks or blocks[-1].key != line.territory_key or blocks[-1].name != line.territory_name:
            blocks.append(
                TerritoryBlock(
                    key=line.territory_key,
                    name=line.territory_name,
                    siren=line.territory_siren,
                    count=line.territory_count,
                    summary=summaries.get(line.territory_key),
                    rows=[],
                )
            )
        blocks[-1].rows.append(
            RankingRow(
                reference=line.reference,
                title=line.title,
                state=line.state,
                rank=line.rank,
                mean_score=line.mean_score,
                opinion=OPINIONS.get(line.opinion, ""),
                requested=line.requested,
                proposed=line.proposed,
                cumulated_requested=line.cumulated_requested,
                cumulated_proposed=line.cumulated_proposed,
                is_within_cap=ranking.is_within_cap(line.cumulated_proposed, config),
                position=line.position,
            )
        )
    return RankingPage(territories=blocks, page=current)


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
    # Not the YAML text: ``Call.rules`` reads it only when the parsed rules of its hash are not in memory yet.
    return list(Call.objects.filter(pk__in=ids).defer("yaml_text"))


def transmissions_visible_to(user: User) -> QuerySet[Transmission]:
    qs = Transmission.objects.select_related("call", "departement", "transmitted_by")
    if not can_read_assessment(user):
        return qs.none()
    if user.role == Role.INSTRUCTOR:
        return qs.filter(departement_id=user.departement_id)
    return qs
