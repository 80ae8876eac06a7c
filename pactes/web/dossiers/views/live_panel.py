"""The rules panel of the editor's pages as HTML, kept between requests under the fingerprint of its inputs (ADR 0056).

Words: the *editor fingerprint* is the filed dossier's (``pactes.web.instruction.dossier_page.panel_fingerprint``:
the edition counter and modification time, which every write of a dossier's content changes, its texts, organisation,
import source, call, eligible list in force, territories, code) plus the one way the clock enters a draft's verdict:
whether the filing deadline has passed (``rules.calendar.deadline_problems``), and the code that writes the panel's
HTML. A change of any of them names another entry: nothing is invalidated by hand, no stale panel can be served.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from pactes.dossiers.models import Dossier
from pactes.web.instruction.dossier_page import imported_from, panel_fingerprint

from .panel import rules_panel

PANEL_TEMPLATE = "dossiers/_panel.html"
_PACTES = Path(__file__).resolve().parent.parent.parent.parent
# What turns a panel into HTML: its template and the filters it loads.
_HTML_CODE_DIGEST = hashlib.sha256(
    (_PACTES / "templates" / PANEL_TEMPLATE).read_bytes()
    + (_PACTES / "core" / "templatetags" / "pactes_format.py").read_bytes()
).hexdigest()[:16]


def panel_key(dossier: Dossier, now: dt.datetime) -> str:
    """The cache key of the panel's HTML of ``dossier`` (loaded with its call, organisation and ``source``) at
    ``now``: a draft's verdict judges the filing deadline, a filed dossier's does not."""
    deadline_passed = dossier.is_draft and now > dossier.call.rules.filing_closes_at
    fingerprint = panel_fingerprint(dossier, imported_from(dossier))
    return f"pactes:editor-panel:{_HTML_CODE_DIGEST}:{deadline_passed:d}:{fingerprint}"


def panel_html(dossier: Dossier) -> SafeString:
    """The HTML of ``PANEL_TEMPLATE`` for the rules panel of ``dossier`` (``rules_panel``), computed once per content
    of the dossier and side of the deadline."""
    now = timezone.now()
    key = panel_key(dossier, now)
    html = cache.get(key)
    if html is None:
        html = render_to_string(PANEL_TEMPLATE, {"panel": rules_panel(dossier, now=now)})
        cache.set(key, str(html), timeout=settings.PACTES_REFERENCE_CACHE_SECONDS)
    return SafeString(html)
