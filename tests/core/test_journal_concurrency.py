"""Two writers appending to the journal at the same moment, in two real transactions: the previous hash is read
under the lock of the head row (``select_for_update``), so the second waits for the first and chains after it;
the chain never forks (two entries claiming the same predecessor). PostgreSQL only: SQLite has no row locks and
takes one writer at a time (``transaction_mode`` IMMEDIATE)."""

import threading

import pytest
from django.db import connection, transaction

from pactes.core.integrity import verify
from pactes.core.journal import GENESIS, journal_append
from pactes.core.models import JournalEntry, JournalHead

pytestmark = [
    pytest.mark.engine,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="verrous de ligne : PostgreSQL seulement"),
]

WRITERS = 4


def test_concurrent_writers_never_fork_the_chain():
    JournalHead.objects.get_or_create(pk=1)
    barrier = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                journal_append(
                    kind="essai", model="core.JournalEntry", object_pk=str(number), action="create", payload="{}"
                )
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    entries = list(JournalEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, WRITERS + 1))
    assert [e.previous_hash for e in entries] == [GENESIS] + [e.entry_hash for e in entries[:-1]]
    assert len({e.previous_hash for e in entries}) == WRITERS
    chain = verify()
    assert not [b for b in chain.breaks if "ne suit pas" in b.message or "absente" in b.message]
