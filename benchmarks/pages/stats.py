"""The page benchmark's arithmetic and its report (no Django, no server: tested in tests/benchmarks_pages/).

Words: a *round* measures the bare page then the page, each ``n`` requests at a fixed concurrency; its *ratio* is the
page's throughput divided by the bare page's throughput in that round; a page's figure is the median of its rounds'
ratios, with their spread (min–max).
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

GOAL = 0.8  # issue 12: every page at least 0.8 of the bare page's throughput

# Where a page's processor time goes (its cProfile, own time of each function by the file it lives in), first match
# wins: the categories the table's « pourquoi » column names, in French.
PROFILE_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gabarits", ("/django/template/", "/templatetags/", "/dsfr/")),
    ("formulaires", ("/django/forms/",)),
    ("SQL et ORM", ("/django/db/", "sqlite3", "psycopg", "/dj_database_url/")),
    ("règles de l'appel", ("/pactes/rules/",)),
    ("code de Pactes", ("/pactes/",)),
    ("Django (requête, intergiciels)", ("/django/",)),
)
OTHER_CATEGORY = "autre (Python, bibliothèques)"
# Helpers that work for whoever calls them (Django's utilities: formats, translation, lazy strings): their time goes
# to their callers' category, like Python's built-ins.
PASS_THROUGH = ("/django/utils/", "/asgiref/", "/functools.py", "/copy.py")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between closest ranks (NumPy's default, « inclusive »)."""
    if not values:
        raise ValueError("aucune valeur")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def throughput(requests: int, seconds: float) -> float:
    """Requests per second; a side that took no measurable time is refused rather than made infinite."""
    if requests <= 0 or seconds <= 0:
        raise ValueError("débit indéfini : aucune requête ou durée nulle")
    return requests / seconds


@dataclass
class Side:
    """One side of one round: ``requests`` requests answered in ``seconds`` (wall time), their latencies."""

    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return throughput(self.requests, self.seconds)


@dataclass
class Round:
    bare: Side
    page: Side

    @property
    def ratio(self) -> float:
        return self.page.throughput / self.bare.throughput


@dataclass
class PageResult:
    key: str
    label: str
    rounds: list[Round] = field(default_factory=list)
    queries: int | None = None
    html_bytes: int | None = None
    peak_rss_kib: int | None = None
    concurrency: int = 4
    status: int = 200
    note: str = ""
    latency_only: bool = False  # documents: latency, queries and memory, no ratio
    single_latency: float | None = None
    # The in-process profile of a page below the goal (profiler.py): processor ms per request of the bare page,
    # of the page, and of the page by category.
    profile: dict[str, Any] | None = None

    @property
    def ratios(self) -> list[float]:
        return [r.ratio for r in self.rounds]

    @property
    def ratio_median(self) -> float | None:
        return statistics.median(self.ratios) if self.rounds else None

    @property
    def latencies(self) -> list[float]:
        return [lat for r in self.rounds for lat in r.page.latencies]

    @property
    def below_goal(self) -> bool:
        return self.ratio_median is not None and self.ratio_median < GOAL


def fr_number(value: float, decimals: int = 0) -> str:
    """French notation: thin no-break space between thousands, decimal comma (« 1 234,5 »)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def fr_duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{fr_number(seconds, 2 if seconds < 10 else 1)} s"
    return f"{fr_number(seconds * 1000, 1 if seconds < 0.01 else 0)} ms"


def fr_bytes(size: int) -> str:
    if size >= 1_000_000:
        return f"{fr_number(size / 1_000_000, 2)} Mo"
    return f"{fr_number(size / 1000, 1)} ko"


def fr_ratio(value: float) -> str:
    """Two significant digits below 0.1 (« 0,0003 », never « 0,000 »), two decimals above."""
    if value <= 0:
        return "0"
    if value < 0.1:
        return fr_number(value, max(2, 1 - math.floor(math.log10(value))))
    return fr_number(value, 2)


def category_of(where: str) -> str:
    """The category of a function by the file it lives in (``PROFILE_CATEGORIES``, first match), else « autre »."""
    if any(mark in where for mark in PASS_THROUGH):
        return OTHER_CATEGORY
    return next((name for name, marks in PROFILE_CATEGORIES if any(mark in where for mark in marks)), OTHER_CATEGORY)


def profile_categories(functions: dict[Any, tuple[str, float, dict[Any, float]]]) -> dict[str, float]:
    """Own time summed by category, largest first, from a profile: for each function, (its file and name, its own
    seconds, {caller: the own seconds spent when called from it}) — pstats's shape.

    Python's built-ins and its standard library (« autre ») work for whoever calls them: their time goes to the
    category of their callers, through other such functions if need be (the caller that spent the most in them)."""
    resolved: dict[Any, str] = {}

    def resolve(key: Any, seen: frozenset[Any] = frozenset()) -> str:
        if key in resolved:
            return resolved[key]
        where, _own, callers = functions.get(key, ("", 0.0, {}))
        category = category_of(where)
        if category == OTHER_CATEGORY and callers and key not in seen:
            dominant = max(callers, key=lambda caller: callers[caller])
            category = resolve(dominant, seen | {key})
        resolved[key] = category
        return category

    totals: dict[str, float] = {}
    for key, (where, own, callers) in functions.items():
        if category_of(where) != OTHER_CATEGORY or not callers:
            totals[resolve(key)] = totals.get(resolve(key), 0.0) + own
            continue
        for caller, seconds in callers.items():  # shared among the callers, each by the time spent for it
            category = resolve(caller, frozenset({key}))
            totals[category] = totals.get(category, 0.0) + seconds
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def why(profile: dict[str, Any]) -> str:
    """« pourquoi » in words: the page's processor time against the bare page's, then its three largest shares."""
    page_ms, bare_ms = profile["page_ms"], profile["bare_ms"]
    categories: dict[str, float] = profile["categories"]
    total = sum(categories.values()) or 1.0
    shares = ", ".join(f"{name} {fr_number(100 * seconds / total)} %" for name, seconds in list(categories.items())[:3])
    return (
        f"profil : {fr_number(page_ms, 1)} ms de processeur par requête contre {fr_number(bare_ms, 1)} ms "
        f"pour la page nue ; {shares}"
    )


def table(results: Sequence[PageResult]) -> str:
    """The Markdown table: page, ratio median (spread), median and p95 latency, queries, HTML, peak worker memory."""
    lines = [
        "| Page | Rapport à la page nue, médiane (min–max) | Latence médiane | Latence p95 | Requêtes SQL "
        "| HTML | Mémoire du processus au plus haut | Objectif ≥ 0,8 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r.status != 200:
            lines.append(f"| {r.label} | HTTP {r.status} | — | — | — | — | — | non mesurée : {r.note} |")
            continue
        if r.latency_only:
            latency = fr_duration(r.single_latency) if r.single_latency is not None else "—"
            ratio, p50, p95, goal = "— (document)", latency, "—", r.note or "—"
        else:
            ratios = r.ratios
            ratio = f"{fr_ratio(statistics.median(ratios))} ({fr_ratio(min(ratios))}–{fr_ratio(max(ratios))})"
            if r.concurrency != 4:
                ratio += f", {r.concurrency} à la fois"
            p50 = fr_duration(percentile(r.latencies, 50))
            p95 = fr_duration(percentile(r.latencies, 95))
            goal = "**sous l'objectif**" if r.below_goal else "atteint"
            if r.note:
                goal += f" ({r.note})"
            if r.below_goal and r.profile:
                goal += f" — {why(r.profile)}"
        queries = fr_number(r.queries) if r.queries is not None else "—"
        html = fr_bytes(r.html_bytes) if r.html_bytes is not None else "—"
        memory = f"{fr_number(r.peak_rss_kib / 1024)} Mo" if r.peak_rss_kib else "—"
        lines.append(f"| {r.label} | {ratio} | {p50} | {p95} | {queries} | {html} | {memory} | {goal} |")
    return "\n".join(lines)


def replace_block(text: str, engine: str, block: str) -> str:
    """``text`` with the block between ``<!-- bench-pages:ENGINE -->`` and ``<!-- /bench-pages:ENGINE -->``
    replaced by ``block`` (markers kept); the block is appended, with its markers, when absent."""
    start, end = f"<!-- bench-pages:{engine} -->", f"<!-- /bench-pages:{engine} -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    replacement = f"{start}\n{block.strip()}\n{end}"
    if pattern.search(text):
        return pattern.sub(lambda _: replacement, text, count=1)
    return text.rstrip("\n") + "\n\n" + replacement + "\n"
