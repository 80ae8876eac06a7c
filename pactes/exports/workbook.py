"""A workbook about to be written: the selection's dossiers frozen as a list of ids, who asks and when, the
« lisez-moi » sheet, and the rows of each sheet read chunk by chunk (``definition.CHUNK`` dossiers at a time)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from pactes.exports.definition import CHUNK, README, Kind, Labels, Row, Sheet, chunks
from pactes.exports.sources import Selection
from pactes.rules.formatting import datetime_fr

Progress = Callable[[int, int], None]  # (steps done, steps in all)


def _no_progress(done: int, total: int) -> None:
    return None


@dataclass
class Workbook:
    selection: Selection
    dossier_ids: list[int]
    exported_by: str
    exported_at: dt.datetime
    labels: Labels = field(default_factory=Labels)

    @classmethod
    def of(cls, selection: Selection, *, exported_by: str, at: dt.datetime | None = None) -> Workbook:
        ids = list(selection.dossiers.values_list("pk", flat=True))
        return cls(selection=selection, dossier_ids=ids, exported_by=exported_by, exported_at=at or timezone.now())

    @property
    def sheets(self) -> tuple[Sheet, ...]:
        return self.selection.sheets

    @property
    def sheet_names(self) -> list[str]:
        return [README, *(s.name for s in self.sheets)]

    @property
    def steps(self) -> int:
        return len(self.sheets) * max(1, -(-len(self.dossier_ids) // CHUNK))

    def readme(self) -> list[Row]:
        """The first sheet: what the file holds, for whom, with which filters, and where each column comes from."""
        moment = timezone.localtime(self.exported_at)
        filters = " ; ".join(f"{label} : {value}" for label, value in self.selection.filters) or "aucun"
        rows: list[Row] = [
            ("Pactes — export des dossiers", ""),
            ("Contenu", self.selection.title),
            ("Exporté par", self.exported_by),
            ("Exporté le", f"{datetime_fr(moment)} (heure de Paris)"),
            ("Périmètre", self.selection.scope),
            ("Filtres", filters),
            ("Nombre de dossiers", len(self.dossier_ids)),
            ("Feuilles", ", ".join(self.sheet_names)),
            (
                "Lecture",
                "Montants en euros (nombres au format « € »), dates au format date, heures de Paris. Seuls les "
                "dossiers visibles de l'auteur de l'export y figurent, tels qu'ils étaient à cette heure-là.",
            ),
            ("", ""),
            ("Feuille", "Colonne", "Type", "Source"),
        ]
        for sheet in self.sheets:
            rows.append((sheet.name, "", "", sheet.description))
            rows.extend((sheet.name, c.header, c.kind.value, c.source) for c in sheet.columns)
        return rows

    def rows(self, sheet: Sheet, progress: Callable[[], None] | None = None) -> Iterator[Row]:
        """The rows of ``sheet`` over every dossier, one chunk of dossiers after another."""
        for chunk in chunks(self.dossier_ids):
            yield from sheet.rows(chunk, self.labels)
            if progress is not None:
                progress()
        if not self.dossier_ids and progress is not None:
            progress()


README_KINDS = (Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT)
