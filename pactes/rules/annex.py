"""Annex 1 of the call, computed: the indicative list of the poorest EPCI, and the per-département ranking offered
to an administrator before the list is arrested.

Words: an *EPCI stat* is one EPCI with the value of one indicator (``None`` when INSEE does not publish it); its
*département* is its main département (by population); *mostly in region* means most of its population lives in
the region of the call. No Django here.
"""

# « 1.3.2 Le périmètre géographique » and annex 1: « liste des EPCI les plus pauvres de la région ».

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pactes.rules.call_config import IndicativeListSpec
from pactes.rules.verdict import Reason

SECTION = "1.3.2 Le périmètre géographique (annexe 1)"


@dataclass(frozen=True)
class EpciStat:
    siren: str
    name: str
    departement_code: str
    mostly_in_region: bool
    value: Decimal | None


@dataclass(frozen=True)
class AnnexEntry:
    """One EPCI of the indicative list; ``rank`` is its rank in the region (1 = poorest)."""

    siren: str
    name: str
    departement_code: str
    value: Decimal
    rank: int
    reason: Reason


@dataclass(frozen=True)
class IndicativeList:
    entries: tuple[AnnexEntry, ...]
    method: str
    missing_departements: tuple[str, ...]

    @property
    def sirens(self) -> tuple[str, ...]:
        return tuple(e.siren for e in self.entries)


@dataclass(frozen=True)
class RankedEpci:
    """One EPCI on the proposal screen: ``regional_rank`` is None when it is not ranked (outside, or no value)."""

    siren: str
    name: str
    departement_code: str
    mostly_in_region: bool
    value: Decimal | None
    regional_rank: int | None
    departement_rank: int | None


def _regional_order(stats: Iterable[EpciStat], *, lower_is_poorer: bool, only_mostly_in_region: bool) -> list[EpciStat]:
    """Ranked EPCI, poorest first; ties broken by SIREN; no value → not ranked."""
    ranked = [s for s in stats if s.value is not None and (s.mostly_in_region or not only_mostly_in_region)]
    if lower_is_poorer:
        ranked.sort(key=lambda s: (s.value, s.siren))
    else:
        ranked.sort(key=lambda s: (-s.value if s.value is not None else Decimal(0), s.siren))
    return ranked


def indicative_list(
    stats: Sequence[EpciStat],
    spec: IndicativeListSpec,
    departement_codes: Sequence[str],
    *,
    departement_names: Mapping[str, str] | None = None,
) -> IndicativeList:
    """The ``lowest_count`` EPCI with the lowest value, completed by the poorest EPCI of each département without any.

    Lowest value = poorest: the indicator of the indicative list (median standard of living) reads that way.
    """
    names = departement_names or {}
    ordered = _regional_order(stats, lower_is_poorer=True, only_mostly_in_region=spec.only_epci_mostly_in_region)
    rank_of = {s.siren: i for i, s in enumerate(ordered, start=1)}
    lowest = ordered[: spec.lowest_count]
    entries = [
        AnnexEntry(
            siren=s.siren,
            name=s.name,
            departement_code=s.departement_code,
            value=_value(s),
            rank=rank_of[s.siren],
            reason=Reason(
                code="annex.lowest",
                message=(
                    f"Parmi les {spec.lowest_count} médianes les plus basses de la région (rang {rank_of[s.siren]})."
                ),
                blocking=False,
                section=SECTION,
            ),
        )
        for s in lowest
    ]
    covered = {s.departement_code for s in lowest}
    missing: list[str] = []
    if spec.add_poorest_per_departement_without_any:
        for code in departement_codes:
            if code in covered:
                continue
            poorest = next((s for s in ordered if s.departement_code == code), None)
            if poorest is None:
                missing.append(code)
                continue
            label = f"{names[code]} ({code})" if code in names else code
            entries.append(
                AnnexEntry(
                    siren=poorest.siren,
                    name=poorest.name,
                    departement_code=code,
                    value=_value(poorest),
                    rank=rank_of[poorest.siren],
                    reason=Reason(
                        code="annex.departement_poorest",
                        message=f"EPCI de plus faible médiane du département {label} (rang {rank_of[poorest.siren]}).",
                        blocking=False,
                        section=SECTION,
                    ),
                )
            )
    entries.sort(key=lambda e: (e.rank, e.siren))
    return IndicativeList(entries=tuple(entries), method=spec.method, missing_departements=tuple(missing))


def rank_by_departement(
    stats: Sequence[EpciStat],
    departement_codes: Sequence[str],
    *,
    lower_is_poorer: bool,
) -> tuple[tuple[str, tuple[RankedEpci, ...]], ...]:
    """Every EPCI grouped by main département, poorest first; EPCI mostly outside the region or without value last."""
    ordered = _regional_order(stats, lower_is_poorer=lower_is_poorer, only_mostly_in_region=True)
    regional_rank = {s.siren: i for i, s in enumerate(ordered, start=1)}
    codes = list(departement_codes) + sorted({s.departement_code for s in stats} - set(departement_codes))
    groups: list[tuple[str, tuple[RankedEpci, ...]]] = []
    for code in codes:
        members = [s for s in stats if s.departement_code == code]
        if not members:
            continue
        ranked = sorted((s for s in members if s.siren in regional_rank), key=lambda s: regional_rank[s.siren])
        others = _regional_order(
            (s for s in members if s.siren not in regional_rank),
            lower_is_poorer=lower_is_poorer,
            only_mostly_in_region=False,
        )
        without_value = sorted((s for s in members if s.value is None), key=lambda s: s.siren)
        rows = tuple(
            RankedEpci(
                siren=s.siren,
                name=s.name,
                departement_code=code,
                mostly_in_region=s.mostly_in_region,
                value=s.value,
                regional_rank=regional_rank.get(s.siren),
                departement_rank=(i if s.siren in regional_rank else None),
            )
            for i, s in enumerate([*ranked, *others, *without_value], start=1)
        )
        groups.append((code, rows))
    return tuple(groups)


def _value(stat: EpciStat) -> Decimal:
    if stat.value is None:  # pragma: no cover - ranked EPCI always have a value
        raise ValueError(f"L'EPCI {stat.siren} n'a pas de valeur : il ne peut pas être classé.")
    return stat.value
