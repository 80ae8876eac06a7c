"""Who changed what and when: the field history of a dossier (and of a call) read from the historical tables.

A *change* is one field of one object that took a new value in one save (or the values it was created with, or
the deletion of the object), with its author and moment, oldest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from pactes.agreements.models import Agreement, AgreementTemplate, Payment
from pactes.assessment.models import CriterionScore, Proposal, ScoreSheet
from pactes.calls.models import Call
from pactes.committee.models import CommitteeDecision
from pactes.dossiers.models import Dossier
from pactes.followup.models import Reversal
from pactes.instruction.models import ChecklistCheck
from pactes.rules.money import euros, number

KINDS = {"+": "création", "~": "modification", "-": "suppression"}


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    author: str
    subject: str
    kind: str
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Source:
    """One historical table: its rows of interest, what makes one object, how it is named, the fields shown."""

    records: Any
    key: Callable[[Any], Any]
    subject: Callable[[Any], str]
    fields: tuple[str, ...]
    replaced: bool = False  # rows deleted and created anew on each save (a sheet's scores): deletions are not acts
    # The labels of the call's codes held in a field (a payment's step « avance » → « Avance à la signature… »).
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # Fields holding a document's source (a convention template's body, with its ``{{ placeholders }}``): the change
    # is stated by its size, the text itself is read in its version, not in a table cell.
    sources: frozenset[str] = frozenset()


def shown(model: type[models.Model], name: str, value: Any, labels: dict[str, str] | None = None) -> str:
    """A value as a person reads it: euros for amounts, labels for choices and the call's codes, « — » when empty."""
    if value is None or value == "":
        return "—"
    if labels and value in labels:
        return labels[value]
    field = model._meta.get_field(name)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal) and ("amount" in name or name == "regional_envelope"):
        return euros(Decimal(value))
    if isinstance(value, Decimal):
        return number(value)
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _source_size(value: Any) -> str:
    return f"texte de {len(value)} caractères" if value else "—"


def changes(source: Source) -> list[Change]:
    model = source.records.model.instance_type
    previous: dict[Any, Any] = {}
    found: list[Change] = []
    for record in source.records.select_related("history_user").order_by("history_date", "history_id"):
        key = source.key(record)
        if source.replaced and record.history_type == "-":
            continue
        before = previous.get(key)
        author = str(record.history_user) if record.history_user else "—"
        subject = source.subject(record)
        kind = "suppression" if record.history_type == "-" else ("modification" if before else "création")
        if record.history_type == "-":
            found.append(Change(record.history_date, author, subject, kind, "—", "", ""))
        for name in source.fields:
            old = getattr(before, name) if before is not None else None
            new = getattr(record, name)
            if record.history_type != "-" and old != new and not (before is None and new in (None, "")):
                label = str(model._meta.get_field(name).verbose_name)
                found.append(
                    Change(
                        record.history_date,
                        author,
                        subject,
                        kind,
                        label,
                        _source_size(old)
                        if name in source.sources
                        else shown(model, name, old, source.labels.get(name)),
                        _source_size(new)
                        if name in source.sources
                        else shown(model, name, new, source.labels.get(name)),
                    )
                )
        previous[key] = None if record.history_type == "-" else record
    return found


def _all(sources: Iterable[Source]) -> list[Change]:
    return sorted((c for s in sources for c in changes(s)), key=lambda c: c.at)


def dossier_history(dossier: Dossier) -> list[Change]:
    """Every recorded change of the money and decisions of ``dossier``: scores, proposal, checklist, decision,
    convention, payments and reversal."""
    sheets = ScoreSheet.history.filter(dossier_id=dossier.pk)
    sheet_authors = {r.id: str(r.instructor) for r in sheets.select_related("instructor")}
    agreements = list(Agreement.history.filter(dossier_id=dossier.pk).values_list("id", flat=True).distinct())
    rules = dossier.call.rules
    criteria = {c.code: c.label for c in rules.criteria}
    checklist = {c.code: c.label for c in rules.admissibility_checklist}
    steps = {s.code: s.label for s in rules.agreements.payment_schedule}
    return _all(
        [
            Source(
                sheets,
                lambda r: r.id,
                lambda r: f"Grille de notation de {r.instructor}",
                ("weighted_total", "proposed_amount", "opinion", "comment"),
            ),
            Source(
                CriterionScore.history.filter(sheet_id__in=list(sheet_authors)),
                lambda r: (r.sheet_id, r.criterion),
                lambda r: (
                    f"Critère « {criteria.get(r.criterion, r.criterion)} » ({sheet_authors.get(r.sheet_id, '—')})"
                ),
                ("score", "justification"),
                replaced=True,
            ),
            Source(
                Proposal.history.filter(dossier_id=dossier.pk),
                lambda r: r.id,
                lambda r: "Proposition de la DDETS-PP",
                ("proposed_amount", "opinion", "rank"),
            ),
            Source(
                ChecklistCheck.history.filter(dossier_id=dossier.pk),
                lambda r: r.item,
                lambda r: f"Recevabilité : « {checklist.get(r.item, r.item)} »",
                ("is_checked", "comment"),
            ),
            Source(
                CommitteeDecision.history.filter(dossier_id=dossier.pk),
                lambda r: r.id,
                lambda r: "Décision du comité",
                ("decision", "awarded_amount", "motivation"),
            ),
            Source(
                Agreement.history.filter(dossier_id=dossier.pk),
                lambda r: r.id,
                lambda r: "Convention",
                ("awarded_amount", "commitment_number", "commitment_date"),
            ),
            Source(
                Payment.history.filter(agreement_id__in=agreements),
                lambda r: r.id,
                lambda r: f"Versement n° {r.id}",
                ("amount", "paid_on", "reference", "step_code"),
                labels={"step_code": steps},
            ),
            Source(
                Reversal.history.filter(dossier_id=dossier.pk),
                lambda r: r.id,
                lambda r: "Reversement",
                ("amount", "reference", "recorded_on"),
            ),
        ]
    )


def call_history(call: Call) -> list[Change]:
    """The changes of the call's regional envelope and of its convention templates."""
    return _all(
        [
            Source(
                Call.history.filter(id=call.pk),
                lambda r: r.id,
                lambda r: f"Appel {r.short_title}",
                ("regional_envelope",),
            ),
            Source(
                AgreementTemplate.history.filter(call_id=call.pk),
                lambda r: r.id,
                lambda r: f"Modèle de convention, version {r.version}",
                ("body", "note", "is_current"),
                sources=frozenset({"body"}),
            ),
        ]
    )
