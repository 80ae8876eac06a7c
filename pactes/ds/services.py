"""Writes of the DS import: the procedure and its mapping, then the import of its dossiers, one transaction each.

Words: see ``pactes.ds.models``. The *system actor* is the inactive account « import démarches simplifiées », author of
every transition and version the import records (it cannot log in). An import first reads every page of DS, then
writes: a network or authorisation failure leaves nothing written (ADR 0038). Each dossier is created or updated in
its own transaction: a dossier that cannot be mapped is skipped with its reasons and leaves nothing behind. A dry run
does the same work inside one transaction it rolls back, so that its report is the one the import would give.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pactes.accounts.models import User
from pactes.calls.models import Call
from pactes.core.transitions import TransitionRefused, fire
from pactes.dossiers.filing import version_record
from pactes.dossiers.interchange import (
    DocumentError,
    document_sha256,
    document_to_dossier,
    document_update_dossier,
    dossier_to_document,
)
from pactes.dossiers.models import Dossier, DossierSource
from pactes.ds.client import DemarcheInfo, DsClient
from pactes.ds.models import ChampMapping, Procedure
from pactes.ds.reading import CallChoices, Mapped, read_dossier
from pactes.ds.report import Report
from pactes.ds.states import MOMENTS, plan
from pactes.ds.targets import BY_CODE, IGNORE, propose
from pactes.rules.lifecycle import DOSSIER_LIFECYCLE, DossierState
from pactes.rules.state_machine import Actor

SYSTEM_ACCOUNT = "import-ds@pactes.invalid"
SYSTEM_NAME = "import démarches simplifiées"
# States in which a change made on DS replaces the content (with a new version): the instruction has not gone on.
UPDATABLE_STATES = frozenset({DossierState.DRAFT, DossierState.SUBMITTED, DossierState.UNDER_REVIEW})


def system_actor() -> User:
    """The author of what the import records: an inactive account, named « import démarches simplifiées »."""
    user = User.objects.filter(email=SYSTEM_ACCOUNT).first()
    return user or User.objects.create_user(SYSTEM_ACCOUNT, None, is_active=False, first_name=SYSTEM_NAME)


def procedure_prepare(*, call: Call, info: DemarcheInfo, api_url: str) -> Procedure:
    """The procedure of ``call`` numbered ``info.number``, its descriptors brought up to date: a champ met for the
    first time gets the proposed target; a known one keeps the officer's target (labels may change, ids do not)."""
    with transaction.atomic():
        procedure, _created = Procedure.objects.get_or_create(
            call=call, number=info.number, defaults={"api_url": api_url, "title": info.title[:500]}
        )
        procedure.title, procedure.api_url = info.title[:500], api_url
        procedure.save(update_fields=["title", "api_url"])
        known = {m.descriptor_id: m for m in procedure.mappings.all()}
        taken = {m.target for m in known.values() if m.target and m.target != IGNORE}
        collections = {m.descriptor_id: m.target for m in known.values()}
        for position, descriptor in enumerate(info.descriptors):
            mapping = known.get(descriptor.id)
            if mapping is None:
                collection = collections.get(descriptor.parent_id, "") if descriptor.parent_id else ""
                scope = {t for t in taken if BY_CODE.get(t) and BY_CODE[t].collection == collection}
                target = propose(label=descriptor.label, champ_type=descriptor.type, collection=collection, taken=scope)
                if target and target != IGNORE and not target.startswith("perimeter."):
                    taken.add(target)
                mapping = ChampMapping(procedure=procedure, descriptor_id=descriptor.id, target=target, proposed=True)
            mapping.parent_id = descriptor.parent_id
            mapping.label = descriptor.label[:1000]
            mapping.champ_type = descriptor.type
            mapping.required = descriptor.required
            mapping.position = position
            mapping.save()
            collections[descriptor.id] = mapping.target
    return procedure


def mapping_save(*, procedure: Procedure, targets: Mapping[str, str]) -> None:
    """Saves the officer's choice for each champ (descriptor id → target); a target of the wrong kind is refused by
    the form before this."""
    with transaction.atomic():
        for mapping in procedure.mappings.select_for_update():
            if mapping.descriptor_id in targets:
                mapping.target = targets[mapping.descriptor_id]
                mapping.proposed = False
                mapping.save(update_fields=["target", "proposed"])


def mapping_of(procedure: Procedure) -> dict[str, Mapped]:
    return {
        m.descriptor_id: Mapped(target=m.target, label=m.label, required=m.required) for m in procedure.mappings.all()
    }


def call_choices(call: Call) -> CallChoices:
    rules = call.rules
    return CallChoices(slug=call.slug, publics=rules.target_publics, carrier_kinds=rules.carrier_kinds)


def dossier_url(api_url: str, procedure: int, number: int) -> str:
    """The dossier on DS, for an instructor of the procedure (same host as the API)."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}/procedures/{procedure}/dossiers/{number}"


class _RolledBack(Exception):
    """Ends the transaction of a dry run."""


def procedure_import(
    *,
    call: Call,
    number: int,
    client: DsClient,
    since: dt.datetime | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Procedure, Report]:
    """Imports the dossiers of procedure ``number`` into ``call`` (only those updated since ``since`` if given).

    DS is read first, every page of it: ``DsUnavailable`` (network, authorisation, schema) is raised before anything
    is written. Then the procedure's descriptors are brought up to date, and each dossier is imported in its own
    transaction (a dry run rolls them all back at the end). ``progress(done, total)`` follows the pages read, then
    each dossier."""
    asked_at = timezone.now()
    info = client.demarche(number)
    nodes = client.dossiers(
        number, updated_since=since, on_page=(lambda read: progress(0, read)) if progress is not None else None
    )
    return procedure_import_answer(
        call=call, info=info, nodes=nodes, api_url=client.url, asked_at=asked_at, dry_run=dry_run, progress=progress
    )


def procedure_import_answer(
    *,
    call: Call,
    info: DemarcheInfo,
    nodes: list[dict[str, Any]],
    api_url: str,
    asked_at: dt.datetime,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Procedure, Report]:
    """Imports the dossiers DS answered (``nodes``, read at ``asked_at``): ``procedure_import`` once every page is
    read, or the demonstration from a recorded answer."""
    procedure = procedure_prepare(call=call, info=info, api_url=api_url)
    report = Report(dry_run=dry_run)
    nodes.sort(key=lambda n: int(n.get("number") or 0))
    if not dry_run:
        _import_nodes(nodes, procedure=procedure, report=report, progress=progress)
        if not report.skipped:
            # The next incremental import asks for what changed since this one; a skipped dossier keeps it where it
            # was, so that it is read again once its mapping is fixed.
            Procedure.objects.filter(pk=procedure.pk).update(last_imported_at=asked_at)
            procedure.last_imported_at = asked_at
        return procedure, report
    # A dry run does the whole import in one transaction it rolls back: the numbers it shows follow each other as
    # the import's would (its progress, written inside, would vanish with it: it is given once, at the end).
    try:
        with transaction.atomic():
            _import_nodes(nodes, procedure=procedure, report=report, progress=None)
            raise _RolledBack()
    except _RolledBack:
        pass
    if progress is not None:
        progress(len(nodes), len(nodes))
    return procedure, report


def _import_nodes(
    nodes: list[dict[str, Any]],
    *,
    procedure: Procedure,
    report: Report,
    progress: Callable[[int, int], None] | None,
) -> None:
    mapping = mapping_of(procedure)
    choices = call_choices(procedure.call)
    actor = system_actor()
    if progress is not None:
        progress(0, len(nodes))
    for done, node in enumerate(nodes, start=1):
        kind, entry = _import_node(node, procedure=procedure, mapping=mapping, choices=choices, actor=actor,
                                   report=report)  # fmt: skip
        getattr(report, kind).append(entry)
        if progress is not None:
            progress(done, len(nodes))


def _import_node(
    node: Mapping[str, Any],
    *,
    procedure: Procedure,
    mapping: Mapping[str, Mapped],
    choices: CallChoices,
    actor: User,
    report: Report,
) -> tuple[str, dict[str, Any]]:
    number = int(node.get("number") or 0)
    try:
        reading = read_dossier(node, mapping=mapping, call=choices)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        # A shape DS's schema allows but the reading did not expect: this dossier only is set aside, with why.
        reason = f"les données de ce dossier sur démarches simplifiées sont inattendues ({type(exc).__name__})."
        return "skipped", {"ds_number": number, "reasons": [reason]}
    for descriptor, label in reading.unmapped.items():
        report.unmapped.setdefault(descriptor, label)
    if reading.reasons:
        return "skipped", {"ds_number": number, "reasons": reading.reasons}
    try:
        with transaction.atomic():
            source = (
                DossierSource.objects.select_related("dossier")
                .filter(call=procedure.call, platform=DossierSource.DEMARCHES_SIMPLIFIEES, number=number)
                .first()
            )
            if source is None:
                outcome = _create(node, reading.document, procedure=procedure, actor=actor)
            else:
                outcome = _update(node, reading.document, source=source, actor=actor)
    except DocumentError as exc:
        return "skipped", {"ds_number": number, "reasons": [str(exc)]}
    except TransitionRefused as exc:
        return "skipped", {"ds_number": number, "reasons": [r.message for r in exc.reasons]}
    except ValidationError as exc:
        return "skipped", {"ds_number": number, "reasons": exc.messages}
    except IntegrityError:
        return "skipped", {
            "ds_number": number,
            "reasons": ["le dossier a été importé au même moment par un autre import : relancez l'import."],
        }
    return outcome


def _moment(node: Mapping[str, Any], *keys: str) -> dt.datetime:
    """The first DS date of ``keys`` present, aware (DS writes an offset), never in the future."""
    for key in keys:
        value = node.get(key)
        if value:
            moment = dt.datetime.fromisoformat(str(value))
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return min(moment, timezone.now())
    raise DocumentError(f"la date « {keys[0]} » manque au dossier de démarches simplifiées.")


def _create(node: Mapping[str, Any], document: dict[str, Any], *, procedure: Procedure, actor: User) -> tuple:
    dossier = document_to_dossier(document, by=actor)
    number = int(node["number"])
    DossierSource.objects.create(
        dossier=dossier,
        call=procedure.call,
        procedure=procedure.number,
        number=number,
        platform_state=str(node.get("state")),
        platform_submitted_at=_moment(node, "dateDepot"),
        platform_updated_at=_moment(node, "dateDerniereModification", "dateDepot"),
        url=dossier_url(procedure.api_url, procedure.number, number),
        content_sha256=document_sha256(document),
        imported_at=timezone.now(),
    )
    state_plan = plan(current=dossier.state, ds_state=str(node.get("state")), previous_ds_state=None)
    if state_plan.problem:
        raise DocumentError(state_plan.problem)
    _fire_all(dossier, state_plan.transitions, node=node, actor=actor)
    return "created", {"ds_number": number, "reference": dossier.reference}


def _update(node: Mapping[str, Any], document: dict[str, Any], *, source: DossierSource, actor: User) -> tuple:
    dossier = Dossier.objects.select_for_update().get(pk=source.dossier_id)
    number, ds_state = source.number, str(node.get("state"))
    entry = {"ds_number": number, "reference": dossier.reference}
    state_plan = plan(current=dossier.state, ds_state=ds_state, previous_ds_state=source.platform_state)
    if state_plan.problem:
        raise DocumentError(state_plan.problem)
    content_sha256 = document_sha256(document)
    changed = content_sha256 != source.content_sha256
    if changed and dossier.state not in UPDATABLE_STATES:
        raise DocumentError(
            f"le dossier a été modifié sur démarches simplifiées alors que son instruction a avancé sur Pactes (état "
            f"« {DossierState(dossier.state).label} ») : la nouvelle version n'est pas reprise, pour ne pas changer "
            "ce qui a été instruit ; à régler à la main."
        )
    source.platform_state = ds_state
    source.platform_updated_at = _moment(node, "dateDerniereModification", "dateDepot")
    source.content_sha256 = content_sha256
    source.imported_at = timezone.now()
    source.save()
    if changed:
        document_update_dossier(dossier, document)
        if dossier.state != DossierState.DRAFT:
            # A filed dossier changed on DS: its content is replaced and frozen as a new version; annotations,
            # assessments and the state are the instruction's and stay as they are.
            _freeze(dossier, moment=source.platform_updated_at, actor=actor)
    _fire_all(dossier, state_plan.transitions, node=node, actor=actor)
    return ("updated" if changed or state_plan.transitions else "unchanged"), entry


def _fire_all(dossier: Dossier, codes: tuple[str, ...], *, node: Mapping[str, Any], actor: User) -> None:
    """Fires the import transitions through the one engine, each at its DS moment, then freezes the first filing."""
    for code in codes:
        moment = _moment(node, *MOMENTS[code])
        reason = str(node.get("motivation") or "") if code in {"import_refuse", "import_close"} else ""
        fire(
            obj=dossier,
            lifecycle=DOSSIER_LIFECYCLE,
            code=code,
            by=actor,
            actor=Actor.DS_IMPORT,
            reason=reason,
            at=moment,
        )
        if code == "import_submit":
            _freeze(dossier, moment=moment, actor=actor)


def _freeze(dossier: Dossier, *, moment: dt.datetime, actor: User) -> None:
    document = dossier_to_document(dossier)
    document["submitted_at"] = timezone.localtime(moment).isoformat()
    version_record(dossier=dossier, document=document, moment=moment, by=actor)


def procedure_connect(*, call: Call, number: int, client: DsClient) -> Procedure:
    """Reads the procedure's descriptors on DS and saves it for ``call`` with its proposed mapping (the page's first
    step). Raises ``DsUnavailable``; nothing is written then."""
    return procedure_prepare(call=call, info=client.demarche(number), api_url=client.url)
