"""Querysets compiled once per process and database, then run again for other values (issue 12).

Words: a *prepared query* is a queryset built by a function of its values, written with the ORM like any other; its SQL
is compiled once with a *marker* in place of each value and run through a cursor with each value put back at its
marker's place. Building and compiling a queryset with a few subqueries costs milliseconds, running its SQL tens of
microseconds: a page that must read the database on every request (to know whether its cached parts still hold, or
the rows it shows) reads it at that price. Each value must reach the SQL as one parameter, unchanged (an exact
lookup): preparing refuses a queryset where a marker is absent, repeated or transformed. A text's marker is a text
between two noncharacters of Unicode, a number's an integer that no constant of the query equals (ADR 0056).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

MARKER = "\ufdd0valeur-preparee\ufdd0"  # a noncharacter of Unicode around it: never a real value
# The marker of a number: in the range of every integer column, a positive small one's too (on PostgreSQL the ORM
# refuses a value out of its column's range). Only the query's constants could equal it: preparing then refuses.
NUMBER_MARKER = 2**15 - 1


def markers(kinds: tuple[type, ...]) -> tuple[str | int, ...]:
    """The markers given to ``build`` for values of these kinds (``str`` or ``int``), all different."""
    return tuple(
        (MARKER if i == 0 else f"\ufdd0valeur-preparee-{i}\ufdd0") if kind is str else NUMBER_MARKER - i
        for i, kind in enumerate(kinds)
    )


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    places: tuple[int, ...]  # of the values among the parameters, in the order of ``build``'s arguments
    model_columns: slice  # of the row: the model's fields, in the order of ``attnames``
    attnames: tuple[str, ...]
    annotations: tuple[tuple[str, int], ...]  # (name, column)
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, expression), as the ORM's
    klass_info: dict[str, Any]  # the related objects read with the row (select_related), as the compiler names them
    select: tuple[Any, ...]
    fetch_mode: Any


class PreparedQuery[M: Model]:
    """``build(*markers)`` gives the queryset (one marker by default, a text; ``kinds`` names the kind of each value:
    ``str`` or ``int``); ``first(*values)`` runs its SQL for ``values`` and builds the first row as the ORM does (the
    model's selected fields, the others deferred, its annotations and the related objects of ``select_related``),
    ``all(*values)`` every row."""

    def __init__(self, build: Callable[..., QuerySet[M]], *, kinds: tuple[type, ...] = (str,)) -> None:
        self._build = build
        self._markers = markers(kinds)
        self._model: type[M] | None = None
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        queryset = self._build(*self._markers)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()  # fills compiler.select, klass_info and annotation_col_map
        places = []
        for marker in self._markers:
            # A number may reach the parameters typed for the database (psycopg's ``Int4`` on PostgreSQL): a subclass.
            found = [i for i, p in enumerate(params) if isinstance(p, type(marker)) and p == marker]
            if len(found) != 1:
                raise ValueError("La requête préparée doit recevoir chaque valeur en un seul paramètre, inchangé.")
            places.append(found[0])
        if any(isinstance(p, str) and "\ufdd0valeur-preparee" in p and p not in self._markers for p in params):
            raise ValueError("La requête préparée doit recevoir chaque valeur en un seul paramètre, inchangé.")
        fields = compiler.klass_info["select_fields"]
        columns = slice(fields[0], fields[-1] + 1)
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            places=tuple(places),
            model_columns=columns,
            attnames=tuple(col.target.attname for col, _, _ in compiler.select[columns]),
            annotations=tuple(compiler.annotation_col_map.items()),
            converters=tuple(
                (column, tuple(functions), expression)
                for column, (functions, expression) in compiler.get_converters(
                    [col for col, _, _ in compiler.select]
                ).items()
            ),
            klass_info=compiler.klass_info,
            select=tuple(compiler.select),
            fetch_mode=queryset._fetch_mode,
        )
        with self._lock:
            self._model = queryset.model
            self._compiled[using] = compiled
        return compiled

    def _rows(self, values: tuple[object, ...], using: str, *, one: bool) -> tuple[_Compiled, list[Any]]:
        if len(values) != len(self._markers):
            raise TypeError(f"La requête préparée attend {len(self._markers)} valeur(s).")
        compiled = self._compiled.get(using) or self._compile(using)
        params = list(compiled.params)
        for place, value in zip(compiled.places, values, strict=True):
            kind = type(params[place])
            params[place] = value if kind in (str, int) or value is None else kind(value)  # typed as the ORM typed it
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            if one:
                row = cursor.fetchone()
                return compiled, [] if row is None else [row]
            return compiled, cursor.fetchall()

    def _instances(self, compiled: _Compiled, rows: list[Any], using: str) -> list[M]:
        assert self._model is not None
        connection = connections[using]
        populators = get_related_populators(compiled.klass_info, list(compiled.select), using, compiled.fetch_mode)
        instances = []
        for row in rows:
            values = list(row)
            for column, functions, expression in compiled.converters:
                for convert in functions:
                    values[column] = convert(values[column], expression, connection)
            instance = self._model.from_db(using, list(compiled.attnames), values[compiled.model_columns])
            for populator in populators:
                populator.populate(values, instance)
            for name, column in compiled.annotations:
                setattr(instance, name, values[column])
            instances.append(instance)
        return instances

    def first(self, *values: object, using: str = DEFAULT_DB_ALIAS) -> M | None:
        compiled, rows = self._rows(values, using, one=True)
        instances = self._instances(compiled, rows, using)
        return instances[0] if instances else None

    def all(self, *values: object, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        compiled, rows = self._rows(values, using, one=False)
        return self._instances(compiled, rows, using)
