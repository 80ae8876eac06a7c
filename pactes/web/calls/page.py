"""The body of a call's public page, rendered once per version of what it shows and kept in the shared cache.

Words: the *audience* of a request is what the body shows differently to people: logged in or not, porteur or not,
allowed to propose the eligible list, allowed to import from démarches simplifiées. The *version* of the body names
everything else it shows: the call's fields (its YAML by hash, ``loaded_at``, the envelope), its base call for a
demonstration, the list in force (a list is never edited: a change is a new list), the axes' and measures' counts and
latest changes, the call text file, the territories' generation (names of the EPCI and départements, see
``pactes.core.reference_cache``), whether filing is open now and today's date in Europe/Paris (the timeline). A body is
cached under a hash of its version and audience: any change gives a new key at once, nothing is ever invalidated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
import time
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

import markdown
from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe

from pactes.calls.models import Axis, Call, EligibleList
from pactes.calls.selectors import current_eligible_list, region_departement_names
from pactes.calls.timeline import timeline
from pactes.core.reference_cache import generation
from pactes.rules.formatting import date_fr
from pactes.territories.selectors import TERRITORIES_REFERENCE

from .forms import EligibilityQueryForm

BODY_TEMPLATE = "calls/_detail_body.html"
BREADCRUMB_TEMPLATE = "calls/_breadcrumb.html"
_KEY_PREFIX = "pactes:call-page"
_RECENT_MAX = 32  # bodies kept in this process's memory (a few calls, each for a few audiences)
_recent: OrderedDict[str, tuple[float, tuple[SafeString, SafeString]]] = OrderedDict()
_recent_lock = threading.Lock()


def _text_path(call: Call) -> str:
    return os.path.join(settings.PACTES_CALLS_DIR, call.rules.text_file)


@lru_cache(maxsize=8)
def _text_html(text: str) -> SafeString:
    """The call text in HTML, once per text. The text is a versioned file of the platform, not user input. Its headings
    sit under the page's « Texte de l'appel » (h2): they start at h3, so the page keeps a single h1."""
    html = markdown.markdown(text, extensions=["sane_lists"])
    for level in range(4, 0, -1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return mark_safe(html)


def _call_text(call: Call) -> SafeString:
    try:
        text = Path(_text_path(call)).read_text(encoding="utf-8")
    except OSError:
        return mark_safe("")
    return _text_html(text)


def _text_stamp(call: Call) -> tuple[int, int] | None:
    try:
        stat = os.stat(_text_path(call))
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=1)
def _templates_stamp() -> str:
    """The body's template sources (a deployment that changes them must not read bodies an older release cached)."""
    names = (BODY_TEMPLATE, BREADCRUMB_TEMPLATE, "calls/_timeline.html", "calls/_eligibility_results.html")
    sources = "\0".join(get_template(name).template.source for name in names)  # type: ignore[attr-defined]
    return hashlib.sha256(sources.encode()).hexdigest()[:16]


def _envelope_source(call: Call) -> str:
    """Where the regional envelope comes from: the administrator who set it (with the day), else the call's text."""
    if call.regional_envelope_set_at is not None:
        return f"fixée par l'administrateur le {date_fr(call.regional_envelope_set_at)}"
    return call.rules.section("funding.regional_envelope") or "non publiée par l'appel"


def _key_figures(call: Call) -> list[dict[str, Any]]:
    r = call.rules
    return [
        {"label": "Subvention maximale par projet", "amount": r.grant_cap, "section": r.section("funding.grant_cap")},
        {
            "label": "Montant cumulé maximal par territoire",
            "amount": r.territory_cap,
            "section": r.section("funding.territory_cap"),
        },
        {
            "label": "Cofinancement minimal"
            + (" (hors valorisation des apports en nature)" if r.cofinancing_excludes_in_kind else ""),
            "rate": r.min_cofinancing_rate,
            "section": r.section("funding.min_cofinancing"),
        },
        {
            "label": "Nombre de priorités",
            "text": f"de {r.priorities_min} à {r.priorities_max}",
            "section": r.section("priorities"),
        },
        {
            "label": "Durée maximale du plan d'actions",
            "text": f"{r.max_duration_months} mois",
            "section": r.section("action_plan.max_duration"),
        },
        {
            "label": "Démarrage au plus tard le",
            "date": r.latest_start,
            "section": r.section("action_plan.latest_start"),
        },
        {"label": "Fin au plus tard le", "date": r.latest_end, "section": r.section("action_plan.latest_end")},
        {"label": "Ouverture du dépôt", "datetime": r.filing_opens_at, "section": r.section("filing")},
        {"label": "Clôture du dépôt", "datetime": r.filing_closes_at, "section": r.section("filing")},
        {"label": "Financement", "text": r.funding_label, "section": r.section("funding.grant_cap").split(" (")[0]},
        {
            "label": "Enveloppe régionale",
            "amount": call.regional_envelope,
            "missing": "non publiée par l'appel",
            "section": _envelope_source(call),
        },
    ]


def _eligible_by_departement(eligible_list: EligibleList | None) -> list[tuple[str, list[Any]]]:
    if eligible_list is None:
        return []
    groups: dict[str, list[Any]] = {}
    entries = eligible_list.entries.select_related("epci").order_by("epci__main_departement_code", "epci__name")
    for entry in entries:
        groups.setdefault(entry.epci.main_departement_code, []).append(entry)
    return sorted(groups.items())


def body_context(call: Call, *, is_open: bool, today: dt.date) -> dict[str, Any]:
    """What the body shows of the call (the request adds its audience, the form and the checker's results)."""
    eligible_list = current_eligible_list(call)
    departement_names = region_departement_names(call)
    return {
        "call": call,
        "rules": call.rules,
        "is_open": is_open,
        "call_text": _call_text(call),
        "key_figures": _key_figures(call),
        "timeline": timeline(call.rules.calendar, today),
        "today": today,
        "axes": Axis.objects.prefetch_related("measures").all(),
        "eligible_list": eligible_list,
        "eligible_groups": [
            (code, departement_names.get(code, ""), entries)
            for code, entries in _eligible_by_departement(eligible_list)
        ],
    }


def _version(call: Any, *, is_open: bool, today: dt.date) -> tuple[object, ...]:
    return (
        call.pk,
        call.slug,
        call.title,
        call.short_title,
        call.is_demo,
        call.date_offset_days,
        call.yaml_sha256,
        call.loaded_at,
        call.regional_envelope,
        call.regional_envelope_set_at,
        call.derived_from_id,
        call.base_slug,  # annotations of pactes.calls.selectors.call_for_page
        call.base_short_title,
        call.list_in_force,
        call.axes_count,
        call.axes_changed,
        call.measures_count,
        call.measures_changed,
        _text_stamp(call),
        generation(TERRITORIES_REFERENCE),
        is_open,
        today,
        get_script_prefix(),
        _templates_stamp(),
    )


def _breadcrumb(call: Call) -> SafeString:
    data = {"links": [{"url": reverse("calls:index"), "title": "Appels"}], "current": call.short_title}
    return SafeString(render_to_string(BREADCRUMB_TEMPLATE, {"breadcrumb_data": data}))


def page_parts(call: Call, context: dict[str, Any]) -> tuple[SafeString, SafeString]:
    """The breadcrumb and the body, rendered for this request (the checker's answer)."""
    return _breadcrumb(call), SafeString(render_to_string(BODY_TEMPLATE, context))


def cached_page_parts(
    call: Call, *, audience: dict[str, bool], is_open: bool, today: dt.date
) -> tuple[SafeString, SafeString]:
    """The breadcrumb and the body of the page without a checker query, for this audience: from this process's
    memory or the cache, else rendered and kept."""
    version = (_version(call, is_open=is_open, today=today), tuple(sorted(audience.items())))
    key = f"{_KEY_PREFIX}:{hashlib.sha256(repr(version).encode()).hexdigest()}"
    parts = _recall(key)
    if parts is None:
        parts = cache.get(key)
        if parts is None:
            context = body_context(call, is_open=is_open, today=today) | audience
            context["form"] = EligibilityQueryForm()
            parts = page_parts(call, context)
            cache.set(key, parts, timeout=settings.PACTES_REFERENCE_CACHE_SECONDS)
        _remember(key, parts)
    return parts


def _recall(key: str) -> tuple[SafeString, SafeString] | None:
    with _recent_lock:
        found = _recent.get(key)
    if found is None or found[0] < time.monotonic():
        return None
    return found[1]


def _remember(key: str, parts: tuple[SafeString, SafeString]) -> None:
    """This process keeps the latest bodies as long as the shared cache does (a territories reload made by another
    process without a shared cache is seen after that time, as for pactes.core.reference_cache)."""
    with _recent_lock:
        _recent[key] = (time.monotonic() + settings.PACTES_REFERENCE_CACHE_SECONDS, parts)
        _recent.move_to_end(key)
        while len(_recent) > _RECENT_MAX:
            _recent.popitem(last=False)
