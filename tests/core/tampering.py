"""Acts behind the platform's back, as a database administrator could do them: on PostgreSQL the journal's trigger
refuses UPDATE and DELETE, so the tampering of the journal itself first disables it (as its owner could)."""

from __future__ import annotations

from django.db import connection

from pactes.core.models import JournalEntry


def bypass_journal_trigger() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_journalentry DISABLE TRIGGER core_journalentry_append_only")


def swap_entries(first: int, second: int) -> None:
    """Reorders two journal entries: each takes the other's place (number) in the chain."""
    bypass_journal_trigger()
    JournalEntry.objects.filter(seq=first).update(seq=0)
    JournalEntry.objects.filter(seq=second).update(seq=first)
    JournalEntry.objects.filter(seq=0).update(seq=second)
