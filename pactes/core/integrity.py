"""The verification of the record: the chain of the journal, the facts it describes and their digests.

A *break* is one thing found wrong, with the number of the journal entry it concerns (``None`` for a fact with no
entry at all) and a French sentence saying what differs. The report is intact when there is no break.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from .journal import (
    ACTIONS,
    DELETE,
    GENESIS,
    KIND_LABELS,
    describe,
    digest_problems,
    entry_hash,
    fact_fields,
    journaled_models,
    sha256_text,
    spec_of,
)
from .models import IntegrityCheck, JournalEntry, JournalHead, JournalTimestamp
from .timestamping import stored_token_problems


@dataclass(frozen=True)
class Break:
    seq: int | None
    message: str


@dataclass
class Report:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    breaks: list[Break] = field(default_factory=list)
    timestamps: int = 0

    @property
    def intact(self) -> bool:
        return not self.breaks

    @property
    def first(self) -> Break | None:
        numbered = [b for b in self.breaks if b.seq is not None]
        return min(numbered, key=lambda b: b.seq or 0) if numbered else (self.breaks[0] if self.breaks else None)

    def lines(self) -> list[str]:
        """The French report printed by ``verify_integrity``."""
        out = [
            f"Journal : {self.entries} entrée(s) vérifiée(s) ; tête n° {self.head_seq}, empreinte {self.head_hash}.",
            f"Horodatages RFC 3161 vérifiés : {self.timestamps}.",
        ]
        if self.intact:
            out.append("Registre intact : la chaîne, les faits qu'elle décrit et leurs empreintes concordent.")
            return out
        first = self.first
        assert first is not None
        where = f"l'entrée n° {first.seq}" if first.seq is not None else "un fait non journalisé"
        out.append(f"REGISTRE ALTÉRÉ : {len(self.breaks)} rupture(s). Première rupture : {where}.")
        out += [f"- {b.message}" for b in sorted(self.breaks, key=lambda b: (b.seq is None, b.seq or 0))]
        return out


def _label(model_label: str, pk: str) -> str:
    try:
        model = apps.get_model(model_label)
    except LookupError:
        return f"{model_label} n° {pk}"
    return f"{model._meta.verbose_name} n° {pk}"


def _verify_chain(report: Report) -> dict[tuple[str, str], JournalEntry]:
    latest: dict[tuple[str, str], JournalEntry] = {}
    previous, expected = GENESIS, 1
    for entry in JournalEntry.objects.order_by("seq").iterator():
        report.entries += 1
        if entry.seq != expected:
            missing = f"n° {expected}" if entry.seq == expected + 1 else f"n° {expected} à {entry.seq - 1}"
            report.breaks.append(Break(expected, f"Entrée {missing} : absente du journal (supprimée)."))
        if entry.previous_hash != previous:
            report.breaks.append(
                Break(
                    entry.seq,
                    f"Entrée n° {entry.seq} : elle ne suit pas l'entrée précédente (empreinte précédente enregistrée "
                    f"{entry.previous_hash}, attendue {previous}) : entrée déplacée, insérée ou supprimée.",
                )
            )
        if sha256_text(entry.payload) != entry.content_hash:
            report.breaks.append(
                Break(entry.seq, f"Entrée n° {entry.seq} : son contenu a été modifié (empreinte du contenu fausse).")
            )
        if entry_hash(entry) != entry.entry_hash:
            report.breaks.append(
                Break(entry.seq, f"Entrée n° {entry.seq} : son en-tête a été modifié (empreinte de l'entrée fausse).")
            )
        previous, expected = entry.entry_hash, entry.seq + 1
        latest[(entry.model, entry.object_pk)] = entry
    head = JournalHead.objects.filter(pk=1).first()
    report.head_seq, report.head_hash = expected - 1, previous
    if head is not None and (head.seq, head.entry_hash) != (expected - 1, previous):
        report.breaks.append(
            Break(
                head.seq,
                f"Tête du journal : elle annonce l'entrée n° {head.seq} ({head.entry_hash}), le journal finit à "
                f"l'entrée n° {expected - 1} ({previous}) : des entrées ont été supprimées en fin de journal.",
            )
        )
    return latest


def _verify_timestamps(report: Report) -> None:
    hashes = dict(JournalEntry.objects.values_list("seq", "entry_hash"))
    for stamp in JournalTimestamp.objects.order_by("seq"):
        report.timestamps += 1
        for problem in stored_token_problems(stamp):
            report.breaks.append(Break(stamp.seq, f"Horodatage de l'entrée n° {stamp.seq} : {problem}"))
        if hashes.get(stamp.seq) != stamp.entry_hash:
            report.breaks.append(
                Break(
                    stamp.seq,
                    f"Entrée n° {stamp.seq} : elle diffère de la tête horodatée le "
                    f"{timezone.localtime(stamp.generated_at):%d/%m/%Y à %H:%M} par {stamp.tsa_url} "
                    f"(empreinte horodatée {stamp.entry_hash}) : le journal a été réécrit.",
                )
            )


def _quoted(value: Any) -> str:
    return "(vide)" if value in (None, "") else f"« {value} »"


def _differences(model: type[models.Model], recorded: dict[str, Any], current: dict[str, Any]) -> list[str]:
    names = {f.name: str(f.verbose_name) for f in fact_fields(model)}
    return [
        f"{names.get(k, k)} : journal {_quoted(recorded.get(k))}, base {_quoted(current.get(k))}"
        for k in sorted(set(recorded) | set(current))
        if recorded.get(k) != current.get(k)
    ]


def _verify_facts(report: Report, latest: dict[tuple[str, str], JournalEntry]) -> None:
    seen: set[tuple[str, str]] = set()
    for model in journaled_models():
        spec, label = spec_of(model), model._meta.label
        for obj in model._default_manager.order_by("pk").iterator():
            key = (label, str(obj.pk))
            seen.add(key)
            entry = latest.get(key)
            name = f"{model._meta.verbose_name} n° {obj.pk}"
            if entry is None:
                if not spec.applies or any(getattr(obj, name) for name in spec.applies):
                    report.breaks.append(Break(None, f"{name} : absent du journal (écrit hors de la plateforme)."))
                continue
            if entry.action == DELETE:
                report.breaks.append(
                    Break(entry.seq, f"Entrée n° {entry.seq} : {name} est journalisé supprimé mais existe encore.")
                )
                continue
            try:
                recorded = json.loads(entry.payload)["fields"]
            except (ValueError, KeyError, TypeError):
                continue  # the chain check has already named this entry
            differences = _differences(model, recorded, describe(obj))
            if differences:
                report.breaks.append(
                    Break(
                        entry.seq,
                        f"Entrée n° {entry.seq} ({KIND_LABELS.get(entry.kind, entry.kind)}) : {name} a été modifié "
                        f"hors de la plateforme — " + " ; ".join(differences) + ".",
                    )
                )
            for problem in digest_problems(obj):
                report.breaks.append(Break(entry.seq, f"Entrée n° {entry.seq} : {name} — {problem}"))
    for key, entry in latest.items():
        if key not in seen and entry.action != DELETE:
            report.breaks.append(
                Break(
                    entry.seq,
                    f"Entrée n° {entry.seq} ({KIND_LABELS.get(entry.kind, entry.kind)}, "
                    f"{ACTIONS.get(entry.action, entry.action)}) : {_label(*key)} a disparu de la base.",
                )
            )


def verify() -> Report:
    """Recomputes the whole chain, the timestamps, every journaled fact and its digests."""
    report = Report()
    latest = _verify_chain(report)
    _verify_timestamps(report)
    _verify_facts(report, latest)
    return report


def integrity_check_run(*, by: str) -> tuple[Report, IntegrityCheck]:
    """Verifies the record and keeps the outcome (shown on the « Intégrité du registre » page)."""
    report = verify()
    check = IntegrityCheck.objects.create(
        by=by,
        intact=report.intact,
        entries=report.entries,
        head_seq=report.head_seq,
        head_hash=report.head_hash,
        breaks=[{"seq": b.seq, "message": b.message} for b in report.breaks],
    )
    return report, check
