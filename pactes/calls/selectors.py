"""Reads of calls and of their eligible lists, and the eligibility of a commune or an EPCI."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, Func, OuterRef, Q, QuerySet, Subquery, Value, When

from pactes.calls.models import Axis, Call, EligibleList, EligibleListKind, Measure
from pactes.core.prepared import PreparedQuery
from pactes.core.reference_cache import immutable_reference
from pactes.rules.annex import EpciStat, rank_by_departement
from pactes.rules.formatting import date_fr
from pactes.rules.verdict import Reason, Verdict
from pactes.territories.models import Commune, Departement, Epci, Indicator, IndicatorValue, TerritoryLevel
from pactes.territories.selectors import departement_directory, search_territories


def calls_public() -> QuerySet[Call]:
    return Call.objects.all().order_by("is_demo", "-filing_opens_at")


# The list in force comes first: the latest arrested official or proposed list, else the latest indicative one.
_IN_FORCE_ORDER = (
    Case(When(kind=EligibleListKind.INDICATIVE, then=Value(1)), default=Value(0)),
    "-arrested_at",
    "-pk",
)


def current_eligible_list(call: Call) -> EligibleList | None:
    """The list in force: the latest arrested official or proposed list, else the indicative one."""
    return call.eligible_lists.order_by(*_IN_FORCE_ORDER).first()


def _count_and_latest_change(model: type[Axis] | type[Measure]) -> tuple[Subquery, Subquery]:
    """Two scalar subqueries over a whole small table: its rows and its latest ``updated_at`` (no GROUP BY)."""
    rows = model.objects.order_by()
    return (
        Subquery(rows.annotate(n=Func("pk", function="COUNT")).values("n")),
        Subquery(rows.annotate(last=Func("updated_at", function="MAX")).values("last")),
    )


_MEASURES_VERSION = PreparedQuery(
    lambda: (
        Measure.objects.order_by()
        .annotate(n=Func("pk", function="COUNT"), last=Func("updated_at", function="MAX"))
        .values_list("n", "last")
    ),
    kinds=(),
)


_MEASURE_LABELS = PreparedQuery(lambda: Measure.objects.values_list("code", "label"), kinds=())


def measure_labels() -> list[tuple[str, str]]:
    """(code, label) of every measure of the Pacte, in their order (axis, code). One query compiled once."""
    return _MEASURE_LABELS.rows()  # type: ignore[return-value]


def measures_version() -> tuple[object, ...]:
    """What names the measures' labels as they are now: their count and latest change (a label edited, a measure
    added or removed gives another version). One query compiled once."""
    [version] = _MEASURES_VERSION.rows()
    return version


def _call_page_queryset(slug: str) -> QuerySet[Call]:
    axes_count, axes_changed = _count_and_latest_change(Axis)
    measures_count, measures_changed = _count_and_latest_change(Measure)
    in_force = EligibleList.objects.filter(call=OuterRef("pk")).order_by(*_IN_FORCE_ORDER).values("pk")[:1]
    return (
        Call.objects.filter(slug=slug)
        .defer("yaml_text")
        .annotate(
            base_slug=F("derived_from__slug"),
            base_short_title=F("derived_from__short_title"),
            list_in_force=Subquery(in_force),
            axes_count=axes_count,
            axes_changed=axes_changed,
            measures_count=measures_count,
            measures_changed=measures_changed,
        )
    )


_CALL_PAGE_QUERY = PreparedQuery(_call_page_queryset)


def call_for_page(slug: str) -> Call | None:
    """The call of its public page (its YAML deferred: the parsed rules are kept by their hash) with what names the
    version of the page's content in the database: its base call's slug and short title, the list in force, and the
    axes' and measures' counts and latest changes (``Call.loaded_at`` and the call's own fields name the rest). Read at
    every request by one query compiled once (pactes.core.prepared)."""
    return _CALL_PAGE_QUERY.first(slug)


def call_by_slug(slug: str) -> Call | None:
    return Call.objects.filter(slug=slug).first()


def call_slugs() -> list[str]:
    """The slugs of the loaded calls, in alphabetical order."""
    return list(Call.objects.order_by("slug").values_list("slug", flat=True))


def _lists_in_force_order(
    call_id: int, derived_of_id: int, own_id: int, base_id: int | None = None, base_own_id: int | None = None
) -> QuerySet[EligibleList]:
    """The lists of a call (``call_id``, ``own_id``: its id), of its derived calls (``derived_of_id``) and of its base
    call (``base_id``, ``base_own_id``), in the order of ``eligible_list_in_force``; each id named once for a prepared
    query (pactes.core.prepared)."""
    related = Q(call_id=call_id) | Q(call__derived_from_id=derived_of_id)
    whens = [When(call_id=own_id, then=Value(0))]
    if base_id is not None:
        related |= Q(call_id=base_id)
        whens.append(When(call_id=base_own_id, then=Value(1)))
    relation = Case(*whens, default=Value(2))
    return EligibleList.objects.filter(related).order_by(relation, "call__is_demo", "call__slug", *_IN_FORCE_ORDER)


# Compiled once per process (building the query cost 1 ms, running it 0.1 ms; ADR 0056).
_IN_FORCE = PreparedQuery(_lists_in_force_order, kinds=(int, int, int))
_IN_FORCE_OF_DERIVED = PreparedQuery(_lists_in_force_order, kinds=(int, int, int, int, int))


def eligible_list_in_force(call: Call) -> EligibleList | None:
    """The list in force for the call: its own, else its base call's, else a derived call's (a demonstration call and
    its base call share their list; the real call before a demonstration one, then by slug), each call's list chosen
    by ``_IN_FORCE_ORDER``. One query."""
    if call.derived_from_id:
        base = call.derived_from_id
        return _IN_FORCE_OF_DERIVED.first(call.pk, call.pk, call.pk, base, base)
    return _IN_FORCE.first(call.pk, call.pk, call.pk)


def eligible_sirens(call: Call) -> frozenset[str]:
    """The SIREN of the list in force for the call (``eligible_list_in_force``)."""
    eligible_list = eligible_list_in_force(call)
    return list_sirens(eligible_list) if eligible_list is not None else frozenset()


def list_sirens(eligible_list: EligibleList) -> frozenset[str]:
    """The SIREN of ``eligible_list``, kept between requests: a list is never edited (a change is a new list), so its
    number and the moment it was arrested name its content for good."""
    key = f"eligible-sirens:{eligible_list.pk}:{eligible_list.arrested_at.isoformat()}"
    return immutable_reference(key, lambda: frozenset(eligible_list.entries.values_list("epci__siren", flat=True)))


def measures_are_loaded() -> bool:
    return Measure.objects.exists()


def measures_by_code(codes: Iterable[str]) -> dict[str, Measure]:
    """The known measures of the Pacte among ``codes``, by code (an unknown code is absent)."""
    return {m.code: m for m in Measure.objects.filter(code__in=list(codes))}


def epci_stats(*, indicator_code: str, year: int) -> list[EpciStat]:
    """Every EPCI with its value of the indicator (None when not published or not imported)."""
    values = dict(
        IndicatorValue.objects.filter(indicator__code=indicator_code, year=year, level=TerritoryLevel.EPCI).values_list(
            "territory_code", "value"
        )
    )
    return [
        EpciStat(
            siren=e.siren,
            name=e.name,
            departement_code=e.main_departement_code,
            mostly_in_region=e.is_mostly_in_region,
            value=values.get(e.siren),
        )
        for e in Epci.objects.order_by("siren")
    ]


def region_departements(call: Call) -> list[Departement]:
    return list(Departement.objects.filter(region_code=call.rules.region_code).order_by("code"))


def region_departement_names(call: Call) -> dict[str, str]:
    """The names of the départements of the call's region by code, from the cached referential."""
    region_code = call.rules.region_code
    return {code: name for code, (name, region) in departement_directory().items() if region == region_code}


# -- the administrator's proposal of the eligible list (annex 1) -----------------------------------------------------
def indicator_choices() -> list[tuple[str, str]]:
    """Every (indicator, year) published for the EPCI, as « code-year » → « label — year » (INSEE's variable code
    stays in the value: people read the label)."""
    labels = dict(Indicator.objects.values_list("code", "label"))
    pairs = (
        IndicatorValue.objects.filter(level=TerritoryLevel.EPCI, value__isnull=False)
        .values_list("indicator__code", "year")
        .distinct()
        .order_by("indicator__code", "-year")
    )
    return [(f"{code}-{year}", f"{labels.get(code, code)} — {year}") for code, year in pairs]


@dataclass(frozen=True)
class ListProposal:
    """The EPCI of the region ranked by département on one indicator (``chosen``, « code-year »), the list in force,
    the EPCI of the indicative list, and every list arrested before."""

    choices: list[tuple[str, str]]
    chosen: str
    indicator: Indicator | None
    sirens: list[str]
    groups: list[tuple[str, str, Any]]
    current: EligibleList | None
    indicative_sirens: frozenset[str]
    history: QuerySet[EligibleList]


def eligible_list_proposal(call: Call, *, asked: str) -> ListProposal:
    """The proposal screen on the indicator ``asked`` (« code-year »), else the call's indicative one, else the first
    published."""
    choices = indicator_choices()
    spec = call.rules.indicative_list
    default = f"{spec.indicator}-{spec.year}"
    chosen = asked or default
    if chosen not in dict(choices):
        chosen = default if default in dict(choices) else (choices[0][0] if choices else "")
    groups: tuple[Any, ...] = ()
    indicator = None
    sirens: list[str] = []
    departements = region_departements(call)
    if chosen:
        code, year = chosen.rsplit("-", 1)
        indicator = Indicator.objects.filter(code=code).first()
        stats = epci_stats(indicator_code=code, year=int(year))
        sirens = [s.siren for s in stats]
        groups = rank_by_departement(
            stats,
            [d.code for d in departements],
            lower_is_poorer=indicator is None or indicator.lower_is_poorer is not False,
        )
    indicative = call.eligible_lists.filter(kind="indicative").order_by("-arrested_at").first()
    names = {d.code: d.name for d in departements}
    return ListProposal(
        choices=choices,
        chosen=chosen,
        indicator=indicator,
        sirens=sirens,
        groups=[(code, names.get(code, ""), rows) for code, rows in groups],
        current=current_eligible_list(call),
        indicative_sirens=frozenset(indicative.entries.values_list("epci__siren", flat=True))
        if indicative
        else frozenset(),
        history=call.eligible_lists.select_related("arrested_by")
        .annotate(entry_count=Count("entries"))
        .order_by("-arrested_at", "-pk"),
    )


# -- eligibility of a territory (« 1.3.2 Le périmètre géographique », annexe 1) ---------------------------------------
@dataclass(frozen=True)
class TerritoryEligibility:
    """The answer for one commune or EPCI: eligible iff ``verdict.ok``; the reasons say why."""

    level: str  # "commune" or "epci"
    code: str
    name: str
    epci_name: str
    verdict: Verdict

    @property
    def is_eligible(self) -> bool:
        return self.verdict.ok

    def as_json(self) -> dict[str, object]:
        return {
            "niveau": self.level,
            "code": self.code,
            "nom": self.name,
            "epci": self.epci_name or None,
            "eligible": self.is_eligible,
            "motifs": [{"code": r.code, "message": r.message, "section": r.section} for r in self.verdict.reasons],
        }


SECTION = "1.3.2 Le périmètre géographique (annexe 1)"


def list_label(eligible_list: EligibleList) -> str:
    """« la liste indicative … » or « la liste officielle arrêtée le 3 juillet 2024 »."""
    if eligible_list.is_indicative:
        return "la liste indicative (calculée à partir des indicateurs de l'Insee, non officielle)"
    when = date_fr(eligible_list.arrested_at)
    return f"la liste officielle arrêtée le {when}"


def _epci_verdict(call: Call, eligible_list: EligibleList | None, epci: Epci, *, subject: str) -> Verdict:
    if eligible_list is None:
        return Verdict.of(
            Reason(
                "eligibility.no_list",
                "Aucune liste des territoires éligibles n'est encore établie pour cet appel.",
                section=SECTION,
            )
        )
    on_list = eligible_list.entries.filter(epci=epci).exists()
    label = list_label(eligible_list)
    if on_list:
        return Verdict.of(
            Reason("eligibility.on_list", f"{subject} figure sur {label}.", blocking=False, section=SECTION)
        )
    reasons = [Reason("eligibility.not_on_list", f"{subject} ne figure pas sur {label}.", section=SECTION)]
    if not epci.is_mostly_in_region:
        reasons.append(
            Reason(
                "eligibility.mostly_outside_region",
                f"La population de l'EPCI {epci.name} vit majoritairement hors de la région {call.rules.region_name}.",
                section=SECTION,
            )
        )
    return Verdict(tuple(reasons))


def eligibility_of(call: Call, *, commune: Commune | None = None, epci: Epci | None = None) -> TerritoryEligibility:
    """An EPCI is eligible iff it is on the list in force; a commune iff its EPCI is."""
    if (commune is None) == (epci is None):
        raise ValueError("Indiquez une commune ou un EPCI, et un seul.")
    eligible_list = current_eligible_list(call)
    if epci is not None:
        return TerritoryEligibility(
            level="epci",
            code=epci.siren,
            name=epci.name,
            epci_name=epci.name,
            verdict=_epci_verdict(call, eligible_list, epci, subject=f"L'EPCI {epci.name} (SIREN {epci.siren})"),
        )
    assert commune is not None
    if commune.epci is None:
        verdict = Verdict.of(
            Reason(
                "eligibility.commune_without_epci",
                f"La commune {commune.name} n'est rattachée à aucun EPCI connu de la plateforme.",
                section=SECTION,
            )
        )
        return TerritoryEligibility("commune", commune.code_insee, commune.name, "", verdict)
    belongs = Reason(
        "eligibility.commune_epci",
        f"La commune {commune.name} ({commune.code_insee}) appartient à l'EPCI {commune.epci.name}.",
        blocking=False,
        section=SECTION,
    )
    verdict = Verdict.of(belongs) + _epci_verdict(
        call, eligible_list, commune.epci, subject=f"L'EPCI {commune.epci.name}"
    )
    if not commune.in_region:
        verdict = verdict + Verdict.of(
            Reason(
                "eligibility.commune_outside_region",
                f"La commune {commune.name} est située hors de la région {call.rules.region_name}.",
                blocking=False,
                section=SECTION,
            )
        )
    return TerritoryEligibility("commune", commune.code_insee, commune.name, commune.epci.name, verdict)


def territories_matching(query: str, *, limit: int = 20) -> tuple[list[Commune], list[Epci]]:
    """Communes and EPCI matching ``query`` (name, INSEE or postal code, SIREN), via the territories search."""
    matches = search_territories(query, limit=limit)
    commune_codes = [m.code for m in matches if m.kind == "commune"]
    epci_codes = [m.code for m in matches if m.kind == "epci"]
    communes = {c.code_insee: c for c in Commune.objects.select_related("epci").filter(code_insee__in=commune_codes)}
    epcis = {e.siren: e for e in Epci.objects.filter(siren__in=epci_codes)}
    return [communes[c] for c in commune_codes if c in communes], [epcis[e] for e in epci_codes if e in epcis]
