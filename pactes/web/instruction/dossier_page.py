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
import html
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from pactes.accounts.models import User
from pactes.calls.models import Call
from pactes.calls.selectors import eligible_list_in_force, measures_version
from pactes.core.prepared import PreparedQuery, PreparedVariants
from pactes.core.reference_cache import generation
from pactes.core.templatetags.pactes_format import datetime_fr
from pactes.dossiers.models import Attachment, Dossier, DossierSource, DossierTransitionLog, DossierVersion
from pactes.dossiers.receipt import present_document
from pactes.dossiers.selectors import visibility_key
from pactes.instruction.models import ChecklistCheck, ComplementRequest, Message
from pactes.instruction.selectors import messages_visible_to
from pactes.rules.call_config import Choice
from pactes.territories.selectors import TERRITORIES_REFERENCE
from pactes.web.dossiers.views.panel import rules_panel

from .forms import ChecklistForm, checked_name, comment_label, comment_name

_PACTES = Path(__file__).resolve().parent.parent.parent
DOCUMENT_TEMPLATE = "dossiers/filing/_document.html"
PANEL_TEMPLATE = "dossiers/_panel.html"
_RULES_CODE = b"".join(
    p.read_bytes() for folder in ("rules", "dossiers/interchange") for p in sorted((_PACTES / folder).glob("*.py"))
)
_FILTERS_CODE = (_PACTES / "core" / "templatetags" / "pactes_format.py").read_bytes()
# What turns a filed version into HTML: its presentation (receipt.py, the budget's rules), the template, its filters.
_DOCUMENT_CODE_DIGEST = hashlib.sha256(
    _RULES_CODE
    + (_PACTES / "dossiers" / "receipt.py").read_bytes()
    + (_PACTES / "templates" / DOCUMENT_TEMPLATE).read_bytes()
    + _FILTERS_CODE
).hexdigest()[:16]
# The code that computes a panel and writes it: a deployment that changes it names other entries in a shared cache.
_CODE_DIGEST = hashlib.sha256(
    _RULES_CODE
    + (_PACTES / "web/dossiers/views/panel.py").read_bytes()
    + (_PACTES / "templates" / PANEL_TEMPLATE).read_bytes()
    + _FILTERS_CODE
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


# One point of the manual checklist; the columns are the <th> of instruction/dossier.html.
CHECKLIST_ROW = """
                <tr data-item="{code}">
                  <td>
                    <div class="fr-checkbox-group">
                      <input type="checkbox" id="{checked_id}" name="{checked_name}"{checked}{disabled}>
                      <label class="fr-label" for="{checked_id}">{label}</label>
                    </div>
                  </td>
                  <td>
                    <label class="fr-label fr-sr-only" for="{comment_id}">{comment_label}</label>
                    <textarea class="fr-input" id="{comment_id}" name="{comment_name}" rows="2"{disabled}>{comment}</textarea>
                    {errors}
                  </td>
                  <td class="fr-text--sm">{changed}</td>
                </tr>
              """  # noqa: E501 (the template's line)


def checklist_html(
    items: tuple[Choice, ...], checks: dict[str, ChecklistCheck], form: ChecklistForm | None, *, is_open: bool
) -> SafeString:
    """The rows of the manual checklist, written in Python (issue 12: the template spent ~0.1 ms per row): each point
    with its box and comment as ``form`` holds them (a form sent back with its errors), else as last recorded (the
    names and ids an unbound ``ChecklistForm`` gives), and who recorded it when. Every value is escaped."""
    written = []
    for item in items:
        check = checks.get(item.code)
        checked_key, comment_key = checked_name(item.code), comment_name(item.code)
        if form is not None:
            box, text = form[checked_key], form[comment_key]
            checked_id, checked_key, ticked = box.id_for_label, box.html_name, bool(box.value())
            comment_id, comment_key, label = text.id_for_label, text.html_name, str(text.label)
            comment, errors = text.value(), [str(error) for error in text.errors]
        else:
            checked_id, comment_id, label = f"id_{checked_key}", f"id_{comment_key}", comment_label(item)
            ticked = check.is_checked if check is not None else False
            comment, errors = (check.comment if check is not None else None), []
        cells = {
            "code": html.escape(str(item.code)),
            "checked_id": html.escape(checked_id),
            "checked_name": html.escape(checked_key),
            "checked": " checked" if ticked else "",
            "disabled": "" if is_open else " disabled",
            "label": html.escape(str(item.label)),
            "comment_id": html.escape(comment_id),
            "comment_name": html.escape(comment_key),
            "comment_label": html.escape(label),
            "comment": html.escape(str(comment)) if comment is not None else "",
            "errors": "".join(f'<p class="fr-error-text">{html.escape(error)}</p>' for error in errors),
            "changed": f"{html.escape(str(check.checked_by))}<br>{html.escape(datetime_fr(check.checked_at))}"
            if check is not None
            else "—",
        }
        written.append(CHECKLIST_ROW.format_map(cells))
    return mark_safe("".join(written))  # every value escaped above


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


def instruction_panel(dossier: Dossier, source: DossierSource | None) -> tuple[dict[str, Any], SafeString]:
    """The rules panel of ``dossier`` (``rules_panel``) and its HTML (``PANEL_TEMPLATE``, which reads the panel only),
    from the shared cache when its fingerprint was seen."""
    if dossier.is_draft:
        panel = rules_panel(dossier)
        return panel, _panel_html(panel)
    key = f"pactes:panel-html:{panel_fingerprint(dossier, source)}"
    found = cache.get(key)
    if found is None:
        panel = rules_panel(dossier)
        found = (panel, str(_panel_html(panel)))
        cache.set(key, found, timeout=settings.PACTES_REFERENCE_CACHE_SECONDS)
    return found[0], SafeString(found[1])


def _panel_html(panel: dict[str, Any]) -> SafeString:
    return SafeString(get_template(PANEL_TEMPLATE).render({"panel": panel}))


def version_html(version: DossierVersion, call: Call) -> SafeString:
    """The HTML of a filed version as the page shows it (``present_document`` then ``DOCUMENT_TEMPLATE``), kept under
    the fingerprint of all it is made from: the snapshot as stored (its SHA-256 computed here, not the one recorded at
    filing: a tampered snapshot shows as it is), the call's rules, the names of the territories (their generation) and
    of the measures (``measures_version``), and the code. A change of any of them names another entry."""
    parts = (
        _DOCUMENT_CODE_DIGEST,
        hashlib.sha256(version.snapshot.encode("utf-8")).hexdigest(),
        call.pk,
        call.yaml_sha256,
        call.date_offset_days,
        generation(TERRITORIES_REFERENCE),
        measures_version(),
    )
    key = "pactes:version-html:" + hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()
    html = cache.get(key)
    if html is None:
        doc = present_document(document=json.loads(version.snapshot), call=call)
        html = str(get_template(DOCUMENT_TEMPLATE).render({"doc": doc}))
        cache.set(key, html, timeout=settings.PACTES_REFERENCE_CACHE_SECONDS)
    return SafeString(html)
