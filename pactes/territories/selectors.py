"""Reads of the territories app: public reference data, so no scoping by user.

Words: a *match* is a commune or an EPCI found by :func:`search_territories`; ``matched_on`` says which of its names
or codes the query hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from pactes.core.reference_cache import versioned_reference

from .models import (
    Commune,
    Departement,
    DepartementOutline,
    Epci,
    EpciOutline,
    Indicator,
    IndicatorValue,
    TerritoryLevel,
    ValueStatus,
)
from .names import normalize_name

# The territories' generation in the reference cache (bumped by ``territories_import``).
TERRITORIES_REFERENCE = "territories"
_SIREN = re.compile(r"^\d{9}$")
_INSEE_OR_POSTAL = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_PARTIAL_CODE = re.compile(r"^(\d{2,4}|2[AB]\d{0,2})$")


# --- territories ---------------------------------------------------------------------------------------------------


def departements_with_epcis() -> QuerySet[Departement]:
    return Departement.objects.order_by("code").prefetch_related(
        Prefetch("epcis", queryset=Epci.objects.order_by("name"))
    )


def outlines_of(territories: Iterable[Departement | Epci]) -> dict[tuple[type, int], dict[str, object]]:
    """The outlines (GeoJSON) of ``territories``, by (model, pk), in one query per kind: the maps' only read of the
    outline tables (ADR 0042). A territory without an outline is absent."""
    departement_ids = [t.pk for t in territories if isinstance(t, Departement)]
    epci_ids = [t.pk for t in territories if isinstance(t, Epci)]
    found: dict[tuple[type, int], dict[str, object]] = {}
    if departement_ids:
        for pk, geometry in DepartementOutline.objects.filter(pk__in=departement_ids).values_list("pk", "geometry"):
            found[(Departement, pk)] = geometry
    if epci_ids:
        for pk, geometry in EpciOutline.objects.filter(pk__in=epci_ids).values_list("pk", "geometry"):
            found[(Epci, pk)] = geometry
    return found


def departements_public() -> QuerySet[Departement]:
    return Departement.objects.all()


def epcis_public() -> QuerySet[Epci]:
    return Epci.objects.prefetch_related(Prefetch("departements", queryset=Departement.objects.order_by("code")))


def communes_public() -> QuerySet[Commune]:
    return Commune.objects.select_related("epci", "departement")


def epci_members(epci: Epci) -> QuerySet[Commune]:
    return epci.communes.select_related("departement").order_by("name")


def departement_epcis(departement: Departement) -> QuerySet[Epci]:
    return departement.epcis.order_by("name")


def departement_directory() -> dict[str, tuple[str, str]]:
    """Every département's (name, region code) by code, in code order, kept in the shared cache (the referential
    changes only through ``territories_import``, which starts a new generation)."""
    return versioned_reference(TERRITORIES_REFERENCE, "departements", _departement_directory)


def _departement_directory() -> dict[str, tuple[str, str]]:
    rows = Departement.objects.order_by("code").values_list("code", "name", "region_code")
    return {code: (name, region) for code, name, region in rows}


def departement_by_code(code: str) -> Departement | None:
    return Departement.objects.filter(code=code).first()


def epcis_by_siren(sirens: Iterable[str]) -> dict[str, Epci]:
    """The known EPCI among ``sirens``, by SIREN (an unknown SIREN is absent)."""
    return {e.siren: e for e in Epci.objects.filter(siren__in=list(sirens))}


def communes_by_code(codes: Iterable[str]) -> dict[str, Commune]:
    """The known communes among ``codes``, with their département, by INSEE code (an unknown code is absent)."""
    communes = Commune.objects.select_related("departement")
    return {c.code_insee: c for c in communes.filter(code_insee__in=list(codes))}


def territory_code_of_siren(siren: str, *, kind: str) -> str:
    """The INSEE code of the commune (``kind`` « commune ») or the SIREN of the EPCI (« epci ») that has this SIREN;
    empty when none is known or for any other kind."""
    match kind:
        case "commune":
            return Commune.objects.filter(siren=siren).values_list("code_insee", flat=True).first() or ""
        case "epci":
            return siren if Epci.objects.filter(siren=siren).exists() else ""
    return ""


def communes_epci_and_name(codes: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """For the known communes among ``codes``: INSEE code → SIREN of its EPCI (empty when it has none), and INSEE
    code → name."""
    epcis: dict[str, str] = {}
    names: dict[str, str] = {}
    rows = Commune.objects.filter(code_insee__in=list(codes)).values_list("code_insee", "name", "epci__siren")
    for code, name, siren in rows:
        epcis[code] = siren or ""
        names[code] = name
    return epcis, names


def epci_names(sirens: Iterable[str]) -> dict[str, str]:
    """SIREN → name of the known EPCI among ``sirens``."""
    return dict(Epci.objects.filter(siren__in=list(sirens)).values_list("siren", "name"))


# --- indicators ----------------------------------------------------------------------------------------------------


def indicators_for(level: str, code: str) -> list[IndicatorValue]:
    """Every indicator value of one territory, with its indicator (label, unit), in dictionary order, newest first."""
    return list(
        IndicatorValue.objects.filter(level=level, territory_code=code)
        .select_related("indicator")
        .order_by("indicator__position", "indicator__code", "-year")
    )


def latest_values(indicator_code: str, level: str, codes: list[str]) -> dict[str, IndicatorValue]:
    """For each territory code, the value of the newest millésime of one indicator."""
    result: dict[str, IndicatorValue] = {}
    for value in (
        IndicatorValue.objects.filter(indicator__code=indicator_code, level=level, territory_code__in=codes)
        .select_related("indicator")
        .order_by("territory_code", "-year")
    ):
        result.setdefault(value.territory_code, value)
    return result


@dataclass(frozen=True)
class RankedEpci:
    rank: int | None  # None when INSEE does not publish the value
    epci: Epci
    value: Decimal | None


def epci_ranking(indicator_code: str, year: int | None = None, departement_code: str | None = None) -> list[RankedEpci]:
    """EPCI from the poorest to the richest by one indicator (reading direction from the dictionary); secrets last."""
    indicator = Indicator.objects.filter(code=indicator_code).first()
    if indicator is None:
        return []
    values = IndicatorValue.objects.filter(indicator=indicator, level=TerritoryLevel.EPCI)
    if year is None:
        year = values.order_by("-year").values_list("year", flat=True).first()
        if year is None:
            return []
    by_siren = {v.territory_code: v for v in values.filter(year=year)}
    epcis = Epci.objects.filter(siren__in=by_siren)
    if departement_code:
        epcis = epcis.filter(departements__code=departement_code)
    highest_first = indicator.lower_is_poorer is False
    available = [(e, by_siren[e.siren].value) for e in epcis if by_siren[e.siren].status == ValueStatus.AVAILABLE]
    available.sort(key=lambda pair: (pair[1], pair[0].name), reverse=highest_first)
    ranked = [RankedEpci(rank, epci, value) for rank, (epci, value) in enumerate(available, start=1)]
    secret = sorted((e for e in epcis if by_siren[e.siren].status != ValueStatus.AVAILABLE), key=lambda e: e.name)
    return ranked + [RankedEpci(None, epci, None) for epci in secret]


# --- search --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerritoryMatch:
    kind: str  # "commune" or "epci"
    code: str  # INSEE code of a commune, SIREN of an EPCI
    name: str
    departement_code: str
    population: int
    in_region: bool
    epci_siren: str
    epci_name: str
    matched_on: str  # French: « nom », « code INSEE », « code postal », « SIREN », « ancien code INSEE »

    @property
    def url(self) -> str:
        if self.kind == "epci":
            return reverse("territories:epci", args=[self.code])
        return reverse("territories:commune", args=[self.code])

    @property
    def kind_label(self) -> str:
        return "EPCI" if self.kind == "epci" else "Commune"


def _commune_match(commune: Commune, matched_on: str) -> TerritoryMatch:
    return TerritoryMatch(
        kind="commune",
        code=commune.code_insee,
        name=commune.name,
        departement_code=commune.departement_code,
        population=commune.population_municipale,
        in_region=commune.in_region,
        epci_siren=commune.epci.siren if commune.epci else "",
        epci_name=commune.epci.name if commune.epci else "",
        matched_on=matched_on,
    )


def _epci_match(epci: Epci, matched_on: str) -> TerritoryMatch:
    return TerritoryMatch(
        kind="epci",
        code=epci.siren,
        name=epci.name,
        departement_code=epci.main_departement_code,
        population=epci.population_municipale,
        in_region=epci.is_mostly_in_region,
        epci_siren=epci.siren,
        epci_name=epci.name,
        matched_on=matched_on,
    )


def _communes() -> QuerySet[Commune]:
    return Commune.objects.select_related("epci").only(
        "code_insee",
        "name",
        "departement_code",
        "population_municipale",
        "in_region",
        "postal_codes",
        "former_codes",
        "search_name",
        "epci__siren",
        "epci__name",
    )


def _epcis() -> QuerySet[Epci]:
    return Epci.objects


def search_territories(query: str, limit: int = 20) -> list[TerritoryMatch]:
    """Communes and EPCI matching a name (accents, case, hyphens and « St » ignored) or a code (INSEE code,
    postal code, SIREN, former INSEE code); best matches first, then the most populated."""
    compact = re.sub(r"\s+", "", query).upper()
    if not compact:
        return []
    if _SIREN.match(compact):
        matches = [_epci_match(e, "SIREN") for e in _epcis().filter(siren=compact)]
        matches += [_commune_match(c, "SIREN") for c in _communes().filter(siren=compact)]
        return matches[:limit]
    if _INSEE_OR_POSTAL.match(compact):
        return _search_code(compact)[:limit]
    if _PARTIAL_CODE.match(compact):
        communes = _communes().filter(code_insee__startswith=compact).order_by("code_insee")[:limit]
        return [_commune_match(c, "code INSEE") for c in communes]
    return _search_name(query, limit)


def _search_code(code: str) -> list[TerritoryMatch]:
    matches: list[TerritoryMatch] = []
    seen: set[str] = set()
    candidates = _communes().filter(
        Q(code_insee=code) | Q(postal_codes__contains=code) | Q(former_codes__contains=code)
    )
    for commune in sorted(candidates, key=lambda c: -c.population_municipale):
        if commune.code_insee == code:
            matched_on = "code INSEE"
        elif code in commune.postal_codes.split(";"):
            matched_on = "code postal"
        elif code in commune.former_codes.split(";"):
            matched_on = "ancien code INSEE"
        else:
            continue
        if commune.code_insee not in seen:
            seen.add(commune.code_insee)
            matches.append(_commune_match(commune, matched_on))
    order = {"code INSEE": 0, "ancien code INSEE": 1, "code postal": 2}
    return sorted(matches, key=lambda m: order[m.matched_on])


def _name_score(search_name: str, normalized: str) -> int:
    if search_name == normalized:
        return 0
    if search_name.startswith(normalized):
        return 1
    if f" {normalized}" in f" {search_name}":
        return 2
    return 3


def _search_name(query: str, limit: int) -> list[TerritoryMatch]:
    normalized = normalize_name(query)
    if not normalized:
        return []
    condition = Q()
    for word in normalized.split():
        condition &= Q(search_name__contains=word)
    scored: list[tuple[int, int, TerritoryMatch]] = []
    for epci in _epcis().filter(condition):
        scored.append(
            (_name_score(epci.search_name, normalized), -epci.population_municipale, _epci_match(epci, "nom"))
        )
    for commune in _communes().filter(condition):
        match = _commune_match(commune, "nom")
        scored.append((_name_score(commune.search_name, normalized), -commune.population_municipale, match))
    scored.sort(key=lambda item: (item[0], item[1], item[2].name))
    return [match for _, _, match in scored[:limit]]
