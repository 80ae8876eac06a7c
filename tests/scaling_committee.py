"""Counting what a request reads: ``with count_rows() as c: client.get(url)`` then ``c.queries`` (SQL statements) and
``c.rows`` (rows fetched from the database by every cursor). The lists' scaling tests compare both at 200 and 2 000
dossiers: a list that reads the world grows, a paginated one with its totals computed by the database does not.

Same API as tests/scaling.py (the instruction lists' helper); the two are to be unified."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from unittest.mock import patch

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext


@dataclass
class Counts:
    queries: int = 0
    rows: int = 0


def _counting(name: str, counts: Counts) -> Any:
    def method(self: CursorWrapper, *args: Any, **kwargs: Any) -> Any:
        with self.db.wrap_database_errors:
            result = getattr(self.cursor, name)(*args, **kwargs)
        if name == "fetchone":
            counts.rows += result is not None
        else:
            counts.rows += len(result)
        return result

    return method


@contextmanager
def count_rows() -> Iterator[Counts]:
    counts = Counts()
    with ExitStack() as stack:
        for name in ("fetchone", "fetchmany", "fetchall"):
            stack.enter_context(patch.object(CursorWrapper, name, _counting(name, counts), create=True))
        captured = stack.enter_context(CaptureQueriesContext(connection))
        try:
            yield counts
        finally:
            counts.queries = len(captured)
