"""The one definition of what an export holds: its sheets, their columns (French header, kind, source) and the rows.

Words: an *export* is a workbook (XLSX, ODS, or a zip of CSV files: ``writers``) of the dossiers a person sees,
filtered as the page it comes from; its first sheet ``lisez-moi`` says who exported what, when, with which filters
and the source of each column. A *sheet* lists one block of the dossiers (``dossiers``, ``actions``…); its rows are
read *by chunk* of dossiers (``CHUNK`` at a time), so memory stays flat whatever the number of dossiers. A
column's *kind* tells the writers how to store a value: an amount is a number with a « € » format, a date a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from django.utils import timezone

from pactes.calls.models import Call
from pactes.dossiers.models import Dossier
from pactes.rules.call_config import CallConfig

CHUNK = 500
README = "lisez-moi"


class Kind(StrEnum):
    TEXT = "texte"
    INTEGER = "entier"
    NUMBER = "nombre"
    MONEY = "montant en euros"
    RATE = "taux"
    DATE = "date"
    DATETIME = "date et heure (Paris)"


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind
    source: str  # where the value comes from, in French, for the « lisez-moi » sheet


@dataclass
class Labels:
    """What the rows need besides the database: each call's rules (publics, criteria), read once per export."""

    calls: dict[int, CallConfig] = field(default_factory=dict)

    def rules(self, call_id: int) -> CallConfig:
        if call_id not in self.calls:
            self.calls[call_id] = Call.objects.get(pk=call_id).rules
        return self.calls[call_id]

    def publics(self, call_id: int, codes: Sequence[str] | None) -> str:
        rules = self.rules(call_id)
        names = []
        for code in codes or []:
            choice = rules.target_public(code)
            names.append(choice.label if choice is not None else code)
        return " ; ".join(names)

    def payment_step(self, call_id: int, code: str) -> str:
        return next((s.label for s in self.rules(call_id).agreements.payment_schedule if s.code == code), code)

    def criterion(self, call_id: int, code: str) -> str:
        return next((c.label for c in self.rules(call_id).criteria if c.code == code), code)


Row = tuple[Any, ...]
Rows = Callable[[Sequence[int], Labels], Iterator[Row]]


@dataclass(frozen=True)
class Sheet:
    name: str
    description: str
    columns: tuple[Column, ...]
    rows: Rows = field(repr=False)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def paris(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored moment as the wall-clock time in Paris, without time zone (spreadsheets know none)."""
    return None if moment is None else timezone.localtime(moment).replace(tzinfo=None)


def joined(values: Sequence[str]) -> str:
    return " ; ".join(v for v in values if v)


class Head(NamedTuple):
    """What every row of a dossier's line repeats: its number, département code and call."""

    reference: str
    departement: str
    call_id: int


def heads(ids: Sequence[int]) -> dict[int, Head]:
    """The heads of the dossiers ``ids``, in one narrow query (never the dossier's texts nor a territory's contour)."""
    rows = Dossier.objects.filter(pk__any=ids).values_list("pk", "reference", "departement__code", "call_id")
    return {pk: Head(reference, code, call_id) for pk, reference, code, call_id in rows}


def in_dossier_order[T](ids: Sequence[int], rows: Iterable[T], dossier_of: Callable[[T], int]) -> Iterator[T]:
    """``rows`` (already in their order within a dossier) grouped by dossier, in the order of ``ids``."""
    grouped: dict[int, list[T]] = {}
    for row in rows:
        grouped.setdefault(dossier_of(row), []).append(row)
    for pk in ids:
        yield from grouped.get(pk, ())


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
