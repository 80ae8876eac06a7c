"""Counting what a page reads from the database: the statements it sends and the rows it fetches.

The scaling tests (issue 12: « lists never load the world ») render a page at two volumes (say 200 and 2 000
dossiers) and assert that neither count grows with N::

    with count_rows() as c:
        client.get(url)
    c.queries  # statements executed (savepoints included: they are constant)
    c.rows  # rows fetched by the code (fetchone, fetchmany, fetchall, iteration)
    c.statements  # [(sql, rows fetched), ...] in order, to say which query grew when the assertion fails

Rows are counted where Django reads them: ``connection.execute_wrapper`` puts a counting proxy between Django's cursor
wrapper and the driver's cursor for the duration of each statement's life, so whatever reads the results (the ORM's
``fetchmany`` chunks, ``fetchone`` of ``count()``/``exists()``, a raw ``fetchall``) is counted, on SQLite and
PostgreSQL alike. Rows are counted when fetched, not when the database scans them: an ``EXISTS`` or a ``COUNT(*)``
over 2 000 rows fetches one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connections


@dataclass
class RowCount:
    """What a block read: statements and fetched rows (see the module's docstring)."""

    statements: list[list[Any]] = field(default_factory=list)  # [sql, rows fetched]

    @property
    def queries(self) -> int:
        return len(self.statements)

    @property
    def rows(self) -> int:
        return sum(rows for _, rows in self.statements)

    def report(self) -> str:
        """One line per statement, rows first: for an assertion message."""
        return "\n".join(f"{rows:>6} rows  {sql[:300]}" for sql, rows in self.statements)


class _CountingCursor:
    """The driver's cursor, counting the rows read through it into ``entry[1]``."""

    def __init__(self, cursor: Any, entry: list[Any]) -> None:
        self._cursor = cursor
        self._entry = entry

    def fetchone(self) -> Any:
        row = self._cursor.fetchone()
        if row is not None:
            self._entry[1] += 1
        return row

    def fetchmany(self, *args: Any, **kwargs: Any) -> Any:
        rows = self._cursor.fetchmany(*args, **kwargs)
        self._entry[1] += len(rows)
        return rows

    def fetchall(self) -> Any:
        rows = self._cursor.fetchall()
        self._entry[1] += len(rows)
        return rows

    def __iter__(self) -> Iterator[Any]:
        for row in self._cursor:
            self._entry[1] += 1
            yield row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


@contextmanager
def count_rows(using: str = "default") -> Iterator[RowCount]:
    """Count the statements and fetched rows of the block on the connection ``using`` (see the module's docstring)."""
    counted = RowCount()

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        entry: list[Any] = [sql, 0]
        counted.statements.append(entry)
        django_cursor = context["cursor"]
        raw = django_cursor.cursor
        if isinstance(raw, _CountingCursor):  # the same Django cursor runs a second statement: count into the new one
            raw = raw._cursor
        django_cursor.cursor = _CountingCursor(raw, entry)
        return execute(sql, params, many, context)

    with connections[using].execute_wrapper(wrapper):
        yield counted
