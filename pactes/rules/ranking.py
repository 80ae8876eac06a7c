"""The projects of one territory, in the order the DDETS-PP ranks them (§1.6), with their cumulated amounts.

No Django here; Decimal only. Words:
- *requested*: the State grant a dossier asks for; *proposed*: what the instruction proposes to award
  (``None`` while not yet proposed: it then counts for nothing in the cumulated proposed amount).
- *rank*: 1 for the first project; the ranks of a territory are 1, 2, … n with no gap and no tie.
- *cumulated*: running sums in rank order; the cumulated proposed amount must stay within ``territory_cap``.
- *facts*: what the rule reads of a whole territory (counts, totals, the projects possibly at fault), added up by the
  database so that a territory of any size is judged without reading its every project (issue 12).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pactes.rules.call_config import CallConfig
from pactes.rules.formatting import balance
from pactes.rules.money import check_amount, cited, euros
from pactes.rules.verdict import Reason

TERRITORY_CAP_EXCEEDED = "TERRITORY_CAP_EXCEEDED"
TERRITORY_REQUESTED_OVER_CAP = "TERRITORY_REQUESTED_OVER_CAP"
RANKING_INCOMPLETE = "RANKING_INCOMPLETE"
PROPOSED_OVER_REQUESTED = "PROPOSED_OVER_REQUESTED"
PROPOSED_OVER_CAP = "PROPOSED_OVER_CAP"

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RankedProject:
    reference: str
    title: str
    requested: Decimal
    proposed: Decimal | None = None
    rank: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "requested", check_amount(self.requested))
        if self.proposed is not None:
            object.__setattr__(self, "proposed", check_amount(self.proposed))

    @property
    def shown(self) -> str:
        return f"« {self.title} » ({self.reference})" if self.title else self.reference


@dataclass(frozen=True)
class RankingLine:
    project: RankedProject
    cumulated_requested: Decimal
    cumulated_proposed: Decimal
    is_within_cap: bool  # the cumulated proposed amount, up to this line, stays within the territory cap


def ranking_line(
    project: RankedProject, *, cumulated_requested: Decimal, cumulated_proposed: Decimal, config: CallConfig
) -> RankingLine:
    """One line of a territory's ranking, its running sums (in rank order) given by whoever added them up."""
    return RankingLine(
        project=project,
        cumulated_requested=cumulated_requested,
        cumulated_proposed=cumulated_proposed,
        is_within_cap=is_within_cap(cumulated_proposed, config),
    )


def is_within_cap(cumulated_proposed: Decimal, config: CallConfig) -> bool:
    """Whether the cumulated proposed amount, up to a line, stays within the territory cap (§1.6)."""
    return cumulated_proposed <= config.territory_cap


@dataclass(frozen=True)
class TerritoryFacts:
    """What the rule needs to know of a whole territory, however large: its count and totals, and only the projects
    that may be at fault (the database adds up and picks them out; the rule decides and words)."""

    count: int
    total_requested: Decimal
    total_proposed: Decimal  # projects without a proposed amount count for nothing
    unranked: tuple[RankedProject, ...] = ()  # by reference
    duplicate_ranks: tuple[int, ...] = ()
    rank_max: int | None = None
    ranks: tuple[int, ...] = ()  # every rank read, needed only when they do not run from 1 to ``count``
    suspects: tuple[RankedProject, ...] = ()  # projects whose proposed amount may exceed the request or the cap


@dataclass(frozen=True)
class RankingSummary:
    territory: str
    total_requested: Decimal
    total_proposed: Decimal
    territory_cap: Decimal
    remaining: Decimal  # territory cap − total proposed (negative when exceeded)
    reasons: tuple[Reason, ...]

    @property
    def ok(self) -> bool:
        return not any(r.blocking for r in self.reasons)

    @property
    def blocking_reasons(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.blocking)

    @property
    def warnings(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if not r.blocking)

    @property
    def overrun(self) -> Decimal:
        """How much the total proposed exceeds the territory cap (0 within it): « dépassement de 50 000 € »."""
        return max(Decimal(0), -self.remaining)

    @property
    def balance_label(self) -> str:
        """« reste 12 000 € » within the cap, « dépassement de 50 000 € » beyond it (never « reste -50 000 € »)."""
        return balance(self.remaining) if self.remaining < 0 else f"reste {balance(self.remaining)}"

    @property
    def requested_over_cap(self) -> bool:
        return self.total_requested > self.territory_cap

    @property
    def proposed_over_cap(self) -> bool:
        return self.total_proposed > self.territory_cap


def rank_territory(facts: TerritoryFacts, config: CallConfig, *, territory: str = "") -> RankingSummary:
    # 1.6: one project per territory, or several ranked whose cumulated State grant stays within the cap.
    where = f" du territoire {territory}" if territory else ""
    selection = config.section("selection")
    cap_section = config.section("funding.grant_cap")
    territory_section = config.section("funding.territory_cap")
    reasons: list[Reason] = []

    if facts.unranked:
        names = ", ".join(p.shown for p in facts.unranked)
        reasons.append(
            Reason(RANKING_INCOMPLETE, f"Classement{where} : projet(s) sans rang : {names}.", section=selection)
        )
    if facts.duplicate_ranks:
        shown = ", ".join(str(r) for r in sorted(facts.duplicate_ranks))
        reasons.append(
            Reason(
                RANKING_INCOMPLETE,
                f"Classement{where} : rang(s) attribué(s) plusieurs fois : {shown}.",
                section=selection,
            )
        )
    # Distinct ranks from 1, as many as projects: they run from 1 to n exactly when the highest is n.
    if not facts.unranked and not facts.duplicate_ranks and facts.count and facts.rank_max != facts.count:
        reasons.append(
            Reason(
                RANKING_INCOMPLETE,
                f"Classement{where} : les rangs doivent aller de 1 à {facts.count} sans trou "
                f"(lus : {', '.join(str(r) for r in sorted(facts.ranks))}).",
                section=selection,
            )
        )

    for p in facts.suspects:
        if p.proposed is None:
            continue
        if p.proposed > p.requested:
            reasons.append(
                Reason(
                    PROPOSED_OVER_REQUESTED,
                    f"Projet {p.shown} : le montant proposé ({euros(p.proposed)}) dépasse le montant demandé "
                    f"({euros(p.requested)}).",
                    section=selection,
                )
            )
        if p.proposed > config.grant_cap:
            reasons.append(
                Reason(
                    PROPOSED_OVER_CAP,
                    f"Projet {p.shown} : le montant proposé ({euros(p.proposed)}) dépasse le plafond de "
                    f"{euros(config.grant_cap)} par projet{cited(cap_section)}.",
                    section=cap_section,
                )
            )

    total_requested, total_proposed = facts.total_requested, facts.total_proposed
    # 1.6 speaks of the cumulated *requested* amount: a warning (the instruction may propose less), while the
    # cumulated *proposed* amount, which the committee will award, is what must stay within the cap (blocking).
    if total_requested > config.territory_cap:
        reasons.append(
            Reason(
                TERRITORY_REQUESTED_OVER_CAP,
                f"Les montants demandés{where} cumulent {euros(total_requested)} et dépassent le plafond de "
                f"{euros(config.territory_cap)} par territoire{cited(territory_section)} : les montants proposés "
                "doivent ramener le cumul sous le plafond.",
                blocking=False,
                section=territory_section,
            )
        )
    if total_proposed > config.territory_cap:
        reasons.append(
            Reason(
                TERRITORY_CAP_EXCEEDED,
                f"Les montants proposés{where} cumulent {euros(total_proposed)} et dépassent le plafond de "
                f"{euros(config.territory_cap)} par territoire de {euros(total_proposed - config.territory_cap)}"
                f"{cited(territory_section)}.",
                section=territory_section,
            )
        )
    return RankingSummary(
        territory=territory,
        total_requested=total_requested,
        total_proposed=total_proposed,
        territory_cap=config.territory_cap,
        remaining=config.territory_cap - total_proposed,
        reasons=tuple(reasons),
    )
