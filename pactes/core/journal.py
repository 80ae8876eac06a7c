"""The append-only journal of the record: a hash chain over every fact that must be provable (ADR 0026).

Words: a *fact* is a row of a journaled model (a transition log row, a filed version, an attachment, a committee
decision, a payment, a legal commitment…); a model is journaled when it declares ``journal = JournalSpec(...)``.
An *entry* records one act on a fact (``create``, ``update``, ``delete``) with the canonical JSON of the fact's
fields (``payload``); each entry carries the SHA-256 of its payload and of the entry before it, so that changing,
removing or reordering any entry breaks the chain. A *digest* is a hash the fact itself stores of a content kept
beside it (the snapshot of a version, the bytes of an attachment on disk): it is checked on every verification
and before a file is served.

``journal_record`` is called by the service that writes the fact, inside the same transaction; the previous hash
is read under a row lock on the one ``JournalHead`` row, so two concurrent writers cannot fork the chain.
``docs/evidence.md`` describes the format so that an auditor can check it without Pactes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .journal_spec import Digest, JournalSpec
from .models import JournalEntry, JournalHead

__all__ = ["Digest", "JournalSpec", "journal_record"]

GENESIS = "0" * 64
CREATE, UPDATE, DELETE = "create", "update", "delete"
ACTIONS = {CREATE: "création", UPDATE: "modification", DELETE: "suppression"}
KIND_LABELS = {
    "transition": "changement d'état",
    "version": "version déposée",
    "attachment": "pièce jointe",
    "message_file": "pièce d'un échange",
    "decision": "décision du comité",
    "payment": "versement",
    "commitment": "engagement juridique (EJ)",
    "reversal": "reversement",
    "signed_agreement": "convention signée",
}


def spec_of(model: type[models.Model]) -> JournalSpec:
    spec = getattr(model, "journal", None)
    if not isinstance(spec, JournalSpec):
        raise ValueError(f"{model._meta.label} n'est pas journalisé.")
    return spec


def journaled_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if isinstance(getattr(m, "journal", None), JournalSpec)]


def canonical(document: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, non-ASCII kept (the same rule as the filed versions' snapshots)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_header(entry: JournalEntry) -> dict[str, Any]:
    """Everything an entry says, but its own hash: what ``entry_hash`` is the SHA-256 of (canonical JSON)."""
    return {
        "seq": entry.seq,
        "at": utc_stamp(entry.at),
        "kind": entry.kind,
        "model": entry.model,
        "object_pk": entry.object_pk,
        "action": entry.action,
        "actor": entry.actor,
        "dossier_id": entry.dossier_id,
        "content_hash": entry.content_hash,
        "previous_hash": entry.previous_hash,
    }


def entry_hash(entry: JournalEntry) -> str:
    return sha256_text(canonical(entry_header(entry)))


def field_value(obj: models.Model, field: models.Field[Any, Any]) -> Any:
    """A field's value as JSON: ids for relations, UTC stamps, Decimal as text at the field's scale, file names."""
    value = getattr(obj, field.attname)
    if isinstance(value, FieldFile):
        return value.name or ""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return utc_stamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        places = getattr(field, "decimal_places", None)
        return f"{value.quantize(Decimal(1).scaleb(-places)) if places is not None else value:f}"
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def fact_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    spec = spec_of(model)
    concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
    if not spec.fields:
        return concrete
    by_name = {f.name: f for f in concrete}
    return [by_name[name] for name in spec.fields]


def describe(obj: models.Model) -> dict[str, Any]:
    """The fields that make the fact, as recorded in the journal."""
    return {f.name: field_value(obj, f) for f in fact_fields(type(obj))}


def dossier_id_of(obj: models.Model) -> int | None:
    path = spec_of(type(obj)).dossier
    value: Any = obj
    for part in path.split(".") if path else []:
        value = getattr(value, part, None)
        if value is None:
            return None
    return value if path else None


def actor_label(by: Any) -> str:
    if by is None or getattr(by, "pk", None) is None:
        return ""
    return f"{by.get_username()} (n° {by.pk})"


@transaction.atomic
def journal_append(
    *, kind: str, model: str, object_pk: str, action: str, payload: str, actor: str = "", dossier_id: int | None = None
) -> JournalEntry:
    """Appends one entry at the head of the chain, under the head row's lock (one writer at a time)."""
    head = JournalHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        JournalHead.objects.get_or_create(pk=1)
        head = JournalHead.objects.select_for_update().get(pk=1)
    entry = JournalEntry(
        seq=head.seq + 1,
        at=timezone.now(),
        kind=kind,
        model=model,
        object_pk=object_pk,
        action=action,
        actor=actor,
        dossier_id=dossier_id,
        payload=payload,
        content_hash=sha256_text(payload),
        previous_hash=head.entry_hash,
    )
    entry.entry_hash = entry_hash(entry)
    entry.save(force_insert=True)
    head.seq, head.entry_hash, head.updated_at = entry.seq, entry.entry_hash, entry.at
    head.save(update_fields=["seq", "entry_hash", "updated_at"])
    return entry


def journal_record(obj: models.Model, *, by: Any = None, action: str = "", actor: str = "") -> JournalEntry:
    """Journals the act ``action`` on the fact ``obj``, as the database holds it now (in the caller's transaction):
    by default a creation the first time the fact is journaled, a modification afterwards.

    A deletion is recorded from ``obj`` as it was, before the row disappears."""
    model = type(obj)
    spec = spec_of(model)
    if not action:
        known = JournalEntry.objects.filter(model=model._meta.label, object_pk=str(obj.pk)).exists()
        action = UPDATE if known else CREATE
    fact = obj if action == DELETE else model._default_manager.get(pk=obj.pk)
    payload = canonical({"fields": describe(fact)})
    return journal_append(
        kind=spec.kind,
        model=model._meta.label,
        object_pk=str(obj.pk),
        action=action,
        payload=payload,
        actor=actor_label(by) or actor,
        dossier_id=dossier_id_of(fact),
    )


def file_sha256(file: FieldFile) -> str:
    """The SHA-256 of a stored file's bytes; ``FileNotFoundError`` when it is gone."""
    digest = hashlib.sha256()
    with file.storage.open(file.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def digest_problems(obj: models.Model) -> list[str]:
    """Why a content kept beside the fact no longer matches the hash the fact stores (French), empty when intact."""
    spec = getattr(type(obj), "journal", None)
    if not isinstance(spec, JournalSpec):
        return []
    problems: list[str] = []
    for digest in spec.digests:
        expected = getattr(obj, digest.hash_field)
        if not expected:
            continue
        source = getattr(obj, digest.source)
        label = type(obj)._meta.get_field(digest.source).verbose_name
        if digest.is_file:
            if not source:
                problems.append(f"{label} : absent de la base (empreinte attendue {expected}).")
                continue
            try:
                actual = file_sha256(source)
            except FileNotFoundError:
                problems.append(f"{label} « {source.name} » : introuvable sur le disque.")
                continue
        else:
            actual = sha256_text(source or "")
        if actual != expected:
            problems.append(f"empreinte non conforme ({label}) : enregistrée {expected}, recalculée {actual}.")
    return problems


def entries_for(model: type[models.Model], pk: Any) -> Iterator[JournalEntry]:
    return JournalEntry.objects.filter(model=model._meta.label, object_pk=str(pk)).order_by("seq").iterator()


SEAL_ACTOR = "scellement initial (journal_seal_existing)"


@transaction.atomic
def journal_seal_existing() -> dict[str, int]:
    """Journals, as they are now, the facts written before the journal existed (a database older than it): once,
    at installation; what the facts were before that day is not proven. Returns the count sealed per table."""
    sealed: dict[str, int] = {}
    for model in journaled_models():
        spec = spec_of(model)
        label = model._meta.label
        known = set(JournalEntry.objects.filter(model=label).values_list("object_pk", flat=True))
        for obj in model._default_manager.order_by("pk").iterator():
            if str(obj.pk) in known or (spec.applies and not any(getattr(obj, name) for name in spec.applies)):
                continue
            journal_record(obj, action=CREATE, actor=SEAL_ACTOR)
            sealed[label] = sealed.get(label, 0) + 1
    return sealed
