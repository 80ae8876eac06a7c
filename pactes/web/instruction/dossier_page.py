"""What the instructor's dossier page reads once per request: the dossier's records (versions, pieces, checklist,
changes of state, requests for complements, messages), each by a query compiled once per process
(``pactes.core.prepared``), and the rules panel, kept between requests under the fingerprint of everything it is
computed from.

Words: the *fingerprint* of a filed dossier's panel names every input of the rules (``dossier_verdict``): the
dossier's edition counter and modification time (every write of its content goes through ``dossier_save_step`` or
``document_update_dossier``, which both increase ``lock_version``), its texts and its organisation as loaded, its
import source, the call's YAML and date offset, the eligible list in force, the generation of the territories and
the source of the code that judges. A change of any of them names another entry: nothing is ever invalidated by
hand, and a stale panel cannot be served. A draft's panel depends on the clock (filing deadline): never kept.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import SafeString

from pactes.accounts.models import User
from pactes.calls.selectors import eligible_list_in_force
from pactes.core.prepared import PreparedQuery, PreparedVariants
from pactes.core.reference_cache import generation
from pactes.dossiers.models import Attachment, Dossier, DossierSource, DossierTransitionLog, DossierVersion
from pactes.dossiers.receipt import DocumentPresentation
from pactes.dossiers.selectors import visibility_key
from pactes.instruction.models import ChecklistCheck, ComplementRequest, Message
from pactes.instruction.selectors import messages_visible_to
from pactes.territories.selectors import TERRITORIES_REFERENCE
from pactes.web.dossiers.views.panel import rules_panel

_PACTES = Path(__file__).resolve().parent.parent.parent
DOCUMENT_TEMPLATE = "dossiers/filing/_document.html"
# What turns a presented version into HTML: the template and the filters it loads.
_DOCUMENT_CODE_DIGEST = hashlib.sha256(
    (_PACTES / "templates" / DOCUMENT_TEMPLATE).read_bytes()
    + (_PACTES / "core" / "templatetags" / "pactes_format.py").read_bytes()
).hexdigest()[:16]
# The code that computes a panel: a deployment that changes it names other entries in a shared cache.
_CODE_DIGEST = hashlib.sha256(
    b"".join(
        p.read_bytes() for folder in ("rules", "dossiers/interchange") for p in sorted((_PACTES / folder).glob("*.py"))
    )
    + (_PACTES / "web/dossiers/views/panel.py").read_bytes()
).hexdigest()[:16]


# The records of a dossier, by its number, in the order and with the people the page shows.
_VERSIONS = PreparedQuery(
    lambda pk: DossierVersion.objects.filter(dossier_id=pk).select_related("submitted_by").order_by("number"),
    kinds=(int,),
)
_PIECES = PreparedQuery(lambda pk: Attachment.objects.filter(dossier_id=pk).select_related("uploaded_by"), kinds=(int,))
_CHECKS = PreparedQuery(
    lambda pk: ChecklistCheck.objects.filter(dossier_id=pk).select_related("checked_by"), kinds=(int,)
)
_HISTORY = PreparedQuery(
    lambda pk: DossierTransitionLog.objects.filter(dossier_id=pk).select_related("by"), kinds=(int,)
)
_COMPLEMENTS = PreparedQuery(
    lambda pk: ComplementRequest.objects.filter(dossier_id=pk).select_related(
        "requested_by", "answered_by", "answer_version"
    ),
    kinds=(int,),
)
_MESSAGES: PreparedVariants[Message] = PreparedVariants(kinds=(int,))


def _of(records: list[Any], dossier: Dossier) -> list[Any]:
    """The records with their dossier attached, as its related manager attaches it."""
    for record in records:
        record.dossier = dossier
    return records


def versions_of(dossier: Dossier) -> list[DossierVersion]:
    return _of(_VERSIONS.all(dossier.pk), dossier)


def pieces_of(dossier: Dossier) -> list[Attachment]:
    return _of(_PIECES.all(dossier.pk), dossier)


def checks_of(dossier: Dossier) -> list[ChecklistCheck]:
    return _of(_CHECKS.all(dossier.pk), dossier)


def history_of(dossier: Dossier) -> list[DossierTransitionLog]:
    return _of(_HISTORY.all(dossier.pk), dossier)


def complement_requests_of(dossier: Dossier) -> list[ComplementRequest]:
    return _of(_COMPLEMENTS.all(dossier.pk), dossier)


def message_count(user: User, dossier: Dossier) -> int:
    """``messages_visible_to(user, dossier).count()``, compiled once per scope of a person."""
    query = _MESSAGES(visibility_key(user), lambda pk: messages_visible_to(user, Dossier(pk=pk)))
    return query.count(dossier.pk)


def panel_fingerprint(dossier: Dossier, source: DossierSource | None) -> str:
    """The SHA-256 of every input of the rules panel of a filed ``dossier`` (loaded with its call and organisation)."""
    call = dossier.call
    organisation = dossier.organisation
    eligible = eligible_list_in_force(call)
    parts = (
        _CODE_DIGEST,
        dossier.pk,
        dossier.lock_version,
        dossier.updated_at.isoformat(),
        dossier.state,
        dossier.submitted_at.isoformat() if dossier.submitted_at else "",
        dossier.title,
        dossier.applicant_legal_representative,
        dossier.applicant_contact,
        dossier.diagnostic,
        dossier.complementarity,
        dossier.expected_impact,
        dossier.impact_measurement,
        dossier.departement_id,
        organisation.pk,
        organisation.name,
        organisation.siret,
        organisation.kind,
        organisation.address,
        _source_parts(source),
        call.pk,
        call.slug,
        call.yaml_sha256,
        call.date_offset_days,
        (eligible.pk, eligible.arrested_at.isoformat()) if eligible is not None else None,
        generation(TERRITORIES_REFERENCE),
    )
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def imported_from(dossier: Dossier) -> DossierSource | None:
    """Where ``dossier`` was imported from, read with it (``select_related("source")``); None when filed on Pactes."""
    try:
        return dossier.source  # type: ignore[no-any-return]
    except DossierSource.DoesNotExist:
        return None


def _source_parts(source: DossierSource | None) -> tuple[object, ...]:
    if source is None:
        return ()
    moment = source.platform_submitted_at.isoformat()
    return (source.pk, source.platform, source.procedure, source.number, source.platform_state, moment)


def instruction_panel(dossier: Dossier, source: DossierSource | None) -> dict[str, Any]:
    """The rules panel of ``dossier`` (``rules_panel``), from the shared cache when its fingerprint was seen."""
    if dossier.is_draft:
        return rules_panel(dossier)
    key = f"pactes:panel:{panel_fingerprint(dossier, source)}"
    panel = cache.get(key)
    if panel is None:
        panel = rules_panel(dossier)
        cache.set(key, panel, timeout=settings.PACTES_REFERENCE_CACHE_SECONDS)
    return panel  # type: ignore[no-any-return]


def document_html(doc: DocumentPresentation) -> SafeString:
    """The HTML of a presented version (``DOCUMENT_TEMPLATE``), kept under the SHA-256 of the presentation itself: a
    filed version never changes, and any other content (a new name of a measure, a tampered snapshot) names another
    entry."""
    key = "pactes:document-html:" + hashlib.sha256(f"{_DOCUMENT_CODE_DIGEST}{doc!r}".encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = get_template(DOCUMENT_TEMPLATE).render({"doc": doc})
        cache.set(key, str(html), timeout=settings.PACTES_REFERENCE_CACHE_SECONDS)
    return SafeString(html)
