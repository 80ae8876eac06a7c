"""Territory rankings added up by the database (§1.6, issue 12): a territory of any size is judged and shown a page
at a time without reading its every dossier.

Words: the *territory key* of a dossier is the EPCI of its proposal: the services create the proposal, on the
territory ``selectors.dossier_territory`` finds, before an evaluation can close (``None``, « Territoire non
déterminé », only for a dossier made evaluated outside them); the *rank order* is the rank (unranked last), then
the reference; the *cumulated* amounts are running sums in rank order within the territory (window functions); the
*facts* of a territory are its count, totals and the dossiers possibly at fault (``pactes.rules.ranking.
TerritoryFacts``), which the rule turns into a summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from pactes.dossiers.models import Dossier, ResourceKind
from pactes.rules import ranking
from pactes.rules.call_config import CallConfig
from pactes.territories.models import Epci

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
UNDETERMINED = "Territoire non déterminé"
_FLOAT = Context(prec=15)  # as Django reads a SQLite decimal: 15 significant digits, then the cents

# The dossiers of a base query, each with its proposal, territory and requested State grant (the sum of its
# « state_pts » lines, ``dossiers.selectors.requested_grant``). Plain SQL, run as is on SQLite and PostgreSQL: the
# ORM took longer to compile these window queries than the database to run them (issue 12).
LINES = """
WITH lines AS (
    SELECT d.id AS id, d.reference AS reference, d.title AS title, d.state AS state,
        p.territory_id AS territory_key, COALESCE(e.name, %s) AS territory_name, e.siren AS territory_siren,
        p.rank AS rank, p.proposed_amount AS proposed, p.opinion AS opinion, p.mean_score AS mean_score,
        COALESCE((SELECT SUM(r.amount) FROM dossiers_resourceline r WHERE r.dossier_id = d.id AND r.kind = %s), 0)
            AS requested
    FROM dossiers_dossier d
    LEFT JOIN assessment_proposal p ON p.dossier_id = d.id
    LEFT JOIN territories_epci e ON e.id = p.territory_id
    WHERE d.id IN ({base})
)
"""
RANK_ORDER = "rank IS NULL, rank, reference"
PAGE = (
    LINES
    + """
SELECT id, reference, title, state, territory_key, territory_name, territory_siren, rank, proposed, opinion,
    mean_score, requested,
    SUM(requested) OVER running AS cumulated_requested,
    SUM(COALESCE(proposed, 0)) OVER running AS cumulated_proposed,
    ROW_NUMBER() OVER running AS position,
    COUNT(*) OVER (PARTITION BY territory_key) AS territory_count,
    COUNT(*) OVER () AS total
FROM lines
WINDOW running AS (PARTITION BY territory_key ORDER BY {order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY territory_name, territory_key, {order}
"""
)
FACTS = (
    LINES
    + """
SELECT territory_key, MAX(territory_name), COUNT(*), SUM(requested), SUM(COALESCE(proposed, 0)), MAX(rank),
    SUM(CASE WHEN rank IS NULL THEN 1 ELSE 0 END), COUNT(DISTINCT rank),
    SUM(CASE WHEN proposed > requested OR proposed > CAST(%s AS NUMERIC) THEN 1 ELSE 0 END)
FROM lines WHERE {keys}
GROUP BY territory_key
"""
)
# The rows the rule may have to name: unranked, proposed over the request or the cap, or of a territory whose ranks
# are not 1 … n (all its ranks are then listed).
FAULTS = (
    LINES
    + """
SELECT territory_key, reference, title, requested, proposed, rank FROM lines
WHERE {keys} AND (rank IS NULL OR proposed > requested OR proposed > CAST(%s AS NUMERIC) OR {listed})
ORDER BY {order}
"""
)


@dataclass(frozen=True)
class Line:
    """One dossier of a ranking with its running sums over its whole territory (``PAGE``)."""

    id: int
    reference: str
    title: str
    state: str
    territory_key: int | None
    territory_name: str
    territory_siren: str
    rank: int | None
    proposed: Decimal | None
    opinion: str
    mean_score: Decimal | None
    requested: Decimal
    cumulated_requested: Decimal
    cumulated_proposed: Decimal
    position: int  # in its territory's rank order, from 1
    territory_count: int
    total: int  # lines in the whole list

    @property
    def project(self) -> ranking.RankedProject:
        return ranking.RankedProject(
            reference=self.reference, title=self.title, requested=self.requested, proposed=self.proposed, rank=self.rank
        )


def money(value: Any) -> Decimal:
    """A sum read from the database as a Decimal to the cent (SQLite gives integers or floats)."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        return _FLOAT.create_decimal_from_float(value).quantize(CENT)
    return Decimal(value).quantize(CENT)


def _maybe_money(value: Any) -> Decimal | None:
    return None if value is None else money(value)


def _base(dossiers: QuerySet[Dossier]) -> tuple[str, tuple[Any, ...]]:
    sql, params = dossiers.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def _keys(keys: Collection[int | None]) -> tuple[str, tuple[Any, ...]]:
    known = tuple(k for k in keys if k is not None)
    parts = [f"territory_key IN ({', '.join(['%s'] * len(known))})"] if known else []
    if None in keys:
        parts.append("territory_key IS NULL")
    return f"({' OR '.join(parts) or '1 = 0'})", known


def _run(sql: str, params: Iterable[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def ranking_lines(dossiers: QuerySet[Dossier], *, offset: int = 0, limit: int | None = None) -> list[Line]:
    """The dossiers in the order of the page (territory name, then rank order), each with its running sums over its
    whole territory; ``limit`` rows from ``offset`` (all without ``limit``): only those rows are read."""
    base, params = _base(dossiers)
    sql = PAGE.format(base=base, order=RANK_ORDER)
    window: tuple[Any, ...] = ()
    if limit is not None:
        sql += " LIMIT %s OFFSET %s"
        window = (limit, offset)
    rows = _run(sql, (UNDETERMINED, ResourceKind.STATE_PTS.value, *params, *window))
    return [
        Line(
            id=r[0],
            reference=r[1],
            title=r[2],
            state=r[3],
            territory_key=r[4],
            territory_name=r[5],
            territory_siren=r[6] or "",
            rank=r[7],
            proposed=_maybe_money(r[8]),
            opinion=r[9] or "",
            mean_score=_maybe_money(r[10]),
            requested=money(r[11]),
            cumulated_requested=money(r[12]),
            cumulated_proposed=money(r[13]),
            position=r[14],
            territory_count=r[15],
            total=r[16],
        )
        for r in rows
    ]


def count_lines(dossiers: QuerySet[Dossier]) -> int:
    return dossiers.order_by().count()


def territory_summaries(
    dossiers: QuerySet[Dossier], config: CallConfig, *, keys: Collection[int | None] | None = None
) -> dict[int | None, ranking.RankingSummary]:
    """The rule's summary of each territory of ``dossiers`` (of ``keys`` only when given), over all its dossiers:
    one grouped query, plus one for the rows at fault when there are any."""
    base, params = _base(dossiers)
    where, key_params = _keys(keys) if keys is not None else ("1 = 1", ())
    lines_params = (UNDETERMINED, ResourceKind.STATE_PTS.value, *params)
    cap = str(config.grant_cap)
    groups = _run(FACTS.format(base=base, keys=where), (*lines_params, cap, *key_params))
    # key, name, count, requested, proposed, rank max, unranked, distinct ranks, suspects
    # Ties (fewer distinct ranks than ranked dossiers) or, all ranked, a gap: the ranks are listed.
    listed = [g[0] for g in groups if g[7] < g[2] - g[6] or (g[6] == 0 and g[5] != g[2])]
    faulty = [g[0] for g in groups if g[6] or g[8] or g[0] in listed]
    found: dict[int | None, list[ranking.RankedProject]] = {}
    if faulty:
        fault_where, fault_params = _keys(faulty)
        listed_where, listed_params = _keys(listed) if listed else ("1 = 0", ())
        sql = FAULTS.format(base=base, keys=fault_where, listed=listed_where, order=RANK_ORDER)
        for key, reference, title, requested, proposed, rank in _run(
            sql, (*lines_params, *fault_params, cap, *listed_params)
        ):
            found.setdefault(key, []).append(
                ranking.RankedProject(
                    reference=reference,
                    title=title,
                    requested=money(requested),
                    proposed=_maybe_money(proposed),
                    rank=rank,
                )
            )
    result = {}
    for key, name, count, requested, proposed, rank_max, _unranked, _distinct, _suspects in groups:
        projects = found.get(key, [])
        ranks = [p.rank for p in projects if p.rank is not None]
        facts = ranking.TerritoryFacts(
            count=count,
            total_requested=money(requested),
            total_proposed=money(proposed),
            unranked=tuple(sorted((p for p in projects if p.rank is None), key=lambda p: p.reference)),
            duplicate_ranks=tuple(sorted(r for r, n in Counter(ranks).items() if n > 1)),
            rank_max=rank_max,
            ranks=tuple(sorted(ranks)) if key in listed else (),
            suspects=tuple(projects),
        )
        result[key] = ranking.rank_territory(facts, config, territory=name if key is not None else "")
    return result


def epcis_of(keys: Iterable[int | None]) -> dict[int, Epci]:
    """The EPCIs named by ``keys``, without their outline nor their statistics."""
    wanted = {k for k in keys if k is not None}
    return {e.pk: e for e in Epci.objects.filter(pk__in=wanted).only("name", "siren")} if wanted else {}
