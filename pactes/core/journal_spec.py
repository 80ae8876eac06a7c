"""How a model declares that its rows are facts of the journal (``pactes.core.journal``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Digest:
    """``hash_field`` holds the SHA-256 of ``source``: a text field, or a file field (its bytes on disk)."""

    source: str
    hash_field: str
    is_file: bool = False


@dataclass(frozen=True)
class JournalSpec:
    """How a model is journaled: its kind, the fields that make the fact (all concrete fields when empty), the
    digests to check, the path to its dossier's id (``agreement.dossier_id``) and the field that must be set for a
    row to be a fact at all (an agreement is a commitment only once its EJ number is entered)."""

    kind: str
    fields: tuple[str, ...] = ()
    digests: tuple[Digest, ...] = ()
    dossier: str = ""
    applies: tuple[str, ...] = ()
