"""Querysets compiled once per process and database, then run again for other values (issue 12).

Words: a *prepared query* is a queryset built by a function of one value, written with the ORM like any other; its SQL
is compiled once with a *marker* in place of the value and run through ``raw()`` with each value put back at the
marker's place. Building and compiling a queryset with a few subqueries costs milliseconds, running its SQL tens of
microseconds: a page that must read the database on every request (to know whether its cached parts still hold) reads
it at that price. The value must reach the SQL as one parameter, unchanged (an exact lookup): preparing refuses a
queryset where the marker is absent, repeated or transformed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet

MARKER = "\ufdd0valeur-preparee\ufdd0"  # a noncharacter of Unicode around it: never a real value


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    place: int  # of the value among the parameters
    model_columns: slice  # of the row: the model's fields, in the order of ``attnames``
    attnames: tuple[str, ...]
    annotations: tuple[tuple[str, int], ...]  # (name, column)
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, expression), as the ORM's


class PreparedQuery[M: Model]:
    """``build(MARKER)`` gives the queryset; ``first(value)`` runs its SQL for ``value`` and builds the first row as
    the ORM does (the model's selected fields, the others deferred, and its annotations; no related object)."""

    def __init__(self, build: Callable[[str], QuerySet[M]]) -> None:
        self._build = build
        self._model: type[M] | None = None
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        queryset = self._build(MARKER)
        if queryset.query.select_related:
            raise ValueError("Une requête préparée ne lit pas d'objet lié (select_related).")
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()  # fills compiler.select, klass_info and annotation_col_map
        places = [i for i, p in enumerate(params) if isinstance(p, str) and MARKER in p]
        if len(places) != 1 or params[places[0]] != MARKER:
            raise ValueError("La requête préparée doit recevoir sa valeur en un seul paramètre, inchangé.")
        fields = compiler.klass_info["select_fields"]
        columns = slice(fields[0], fields[-1] + 1)
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            place=places[0],
            model_columns=columns,
            attnames=tuple(col.target.attname for col, _, _ in compiler.select[columns]),
            annotations=tuple(compiler.annotation_col_map.items()),
            converters=tuple(
                (column, tuple(functions), expression)
                for column, (functions, expression) in compiler.get_converters(
                    [col for col, _, _ in compiler.select]
                ).items()
            ),
        )
        with self._lock:
            self._model = queryset.model
            self._compiled[using] = compiled
        return compiled

    def first(self, value: object, *, using: str = DEFAULT_DB_ALIAS) -> M | None:
        compiled = self._compiled.get(using) or self._compile(using)
        assert self._model is not None
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(
                compiled.sql, (*compiled.params[: compiled.place], value, *compiled.params[compiled.place + 1 :])
            )
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for column, functions, expression in compiled.converters:
            for convert in functions:
                values[column] = convert(values[column], expression, connection)
        instance = self._model.from_db(using, list(compiled.attnames), values[compiled.model_columns])
        for name, column in compiled.annotations:
            setattr(instance, name, values[column])
        return instance
