"""The report of an import: what was created, updated, unchanged, skipped (with reasons), and the champs not mapped.

``as_json`` is exactly the document of ``ds_import --json`` (and what a background run stores); ``as_text`` is the
French report of the command and of the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Report:
    dry_run: bool = False
    created: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    unmapped: dict[str, str] = field(default_factory=dict)  # descriptor id → label, in the order met

    @property
    def exit_code(self) -> int:
        """0 when every dossier was imported or unchanged, 1 when some were skipped."""
        return 1 if self.skipped else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "unmapped_champs": [{"id": i, "label": label} for i, label in self.unmapped.items()],
        }

    def as_text(self) -> str:
        return report_text(self.as_json(), dry_run=self.dry_run)


def report_text(data: dict[str, Any], *, dry_run: bool) -> str:
    """The French report of a ``--json`` document."""
    would = "qui seraient " if dry_run else ""
    lines = ["Simulation : rien n'a été enregistré." if dry_run else "Import terminé."]
    counts = {key: len(data[key]) for key in ("created", "updated", "unchanged", "skipped")}
    lines.append(
        f"Dossiers {would}créés : {counts['created']} ; mis à jour : {counts['updated']} ; "
        f"inchangés : {counts['unchanged']} ; écartés : {counts['skipped']}."
    )
    titles = (("Seraient créés", "created"), ("Seraient mis à jour", "updated")) if dry_run else None
    for title, key in titles or (("Créés", "created"), ("Mis à jour", "updated")):
        if data[key]:
            lines.append(f"{title} :")
            lines += [f"  - dossier DS n° {e['ds_number']} → {e['reference']}" for e in data[key]]
    if data["skipped"]:
        lines.append("Écartés (rien n'a été écrit pour eux) :")
        for entry in data["skipped"]:
            lines.append(f"  - dossier DS n° {entry['ds_number']} :")
            lines += [f"      · {reason}" for reason in entry["reasons"]]
    if data["unmapped_champs"]:
        lines.append("Champs de démarches simplifiées non rattachés à Pactes (non importés) :")
        lines += [f"  - « {c['label']} » ({c['id']})" for c in data["unmapped_champs"]]
    return "\n".join(lines)
