"""Querysets compiled once per process and database, then run again for other values (issue 12).

Words: a *prepared query* is a queryset built by a function of its values, written with the ORM like any other; its
SQL is compiled once with a *marker* in place of each value and run through the cursor with the values put back at
the markers' places. Building and compiling a queryset with a few joins or subqueries costs 0.5 to 2 ms, running its
SQL tens of microseconds: a page that must read the database on every request reads it at that price. Each value must
reach the SQL as one parameter, unchanged (an exact lookup): preparing refuses a queryset where a marker is absent,
repeated or transformed. A text value has a text marker, a whole number an integer marker (``kinds``).

What is not a value is compiled into the SQL: a function that builds its queryset from anything else (the person's
territory, a call) gives one prepared query per such thing (``PreparedVariants``), never one for all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

MARKER = "\ufdd0valeur-preparee\ufdd0"  # a noncharacter of Unicode around it: never a real value
# Within the range of every integer field (Django finds no row for a value outside a field's range, before any SQL).
_INT_MARKER = 32_767


def markers(kinds: tuple[type, ...]) -> tuple[object, ...]:
    """The markers given to the build function, one per value: ``MARKER`` for the first text, then numbered ones."""
    return tuple(
        (MARKER if i == 0 else f"\ufdd0valeur-preparee-{i}\ufdd0") if kind is str else _INT_MARKER - i
        for i, kind in enumerate(kinds)
    )


def _is_marker(param: object, marker: object) -> bool:
    if isinstance(marker, str):
        return isinstance(param, str) and marker in param
    # psycopg's backend gives an int4 field's value as Int4, a subclass of int.
    return isinstance(param, int) and not isinstance(param, bool) and int(param) == marker


# The range of psycopg's integer wrappers: a value outside can be in no row (Django's lookups say so before any SQL).
_WRAPPER_BITS = {"Int2": 16, "Int4": 32, "Int8": 64}


def _fits(value: object, wrapper: type | None) -> bool:
    bits = _WRAPPER_BITS.get(wrapper.__name__, 64) if wrapper is not None else 64
    return isinstance(value, int) and -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    places: tuple[int, ...]  # of each value among the parameters
    wrappers: tuple[type | None, ...]  # of each value, as the backend wraps it (psycopg's Int4), or None
    model: type[Model] | None  # None: rows of values (``values_list``)
    klass_info: dict[str, Any] | None
    select: tuple[Any, ...]
    model_columns: slice  # of the row: the model's fields, in the order of ``attnames``
    attnames: tuple[str, ...]
    annotations: tuple[tuple[str, int], ...]  # (name, column)
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, expression), as the ORM's
    fetch_mode: Any


_EMPTY = _Compiled(
    sql="",
    params=(),
    places=(),
    wrappers=(),
    model=None,
    klass_info=None,
    select=(),
    model_columns=slice(0, 0),
    attnames=(),
    annotations=(),
    converters=(),
    fetch_mode=None,
)


class PreparedQuery[M: Model]:
    """``build(*markers(kinds))`` gives the queryset; ``first(*values)``, ``all(*values)``, ``rows(*values)`` and
    ``count(*values)`` run its SQL for ``values`` and give what the ORM gives: the model's selected fields (the others
    deferred), its annotations and the objects of ``select_related`` (``first``, ``all``); the tuples of a
    ``values_list`` (``rows``); the number of rows (``count``). Not prepared: ``prefetch_related``, the objects a
    related manager would attach (read them through their foreign key), an empty queryset (``none()``, refused)."""

    def __init__(self, build: Callable[..., QuerySet[M]], *, kinds: tuple[type, ...] = (str,)) -> None:
        if any(kind not in (str, int) for kind in kinds) or len(kinds) > 100:
            raise ValueError("Une requête préparée reçoit au plus 100 valeurs, du texte ou des nombres entiers.")
        self._build = build
        self._kinds = kinds
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str, mode: str) -> _Compiled:
        places_of = markers(self._kinds)
        queryset = self._build(*places_of)
        if queryset._prefetch_related_lookups:
            raise ValueError("Une requête préparée ne lit pas d'objets par prefetch_related.")
        if mode == "count":
            queryset = queryset.order_by().values("pk")
        iterable = queryset._iterable_class
        if mode == "objects" and iterable is not ModelIterable:
            raise ValueError("Une requête préparée qui donne des objets est une requête de modèles.")
        if mode == "rows" and iterable is not ValuesListIterable:
            raise ValueError("Une requête préparée qui donne des lignes est un values_list().")
        compiler = queryset.query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()  # fills compiler.select, klass_info and annotation_col_map
        except EmptyResultSet:  # none(), an empty IN: no row for any value, as the ORM answers without a query
            with self._lock:
                self._compiled[(using, mode)] = _EMPTY
            return _EMPTY
        if mode == "count":
            sql = f"SELECT COUNT(*) FROM ({sql}) prepared_count"  # noqa: S608 (the ORM's own SQL)
        places = []
        for marker in places_of:
            found = [i for i, p in enumerate(params) if _is_marker(p, marker)]
            if len(found) != 1 or params[found[0]] != marker:
                raise ValueError("La requête préparée doit recevoir chaque valeur en un seul paramètre, inchangé.")
            places.append(found[0])
        klass_info = compiler.klass_info if mode == "objects" else None
        select = tuple(compiler.select)
        columns = slice(0, 0)
        if klass_info is not None:
            fields = klass_info["select_fields"]
            columns = slice(fields[0], fields[-1] + 1)
        count_columns = mode == "count"
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            places=tuple(places),
            wrappers=tuple(type(params[p]) if type(params[p]) not in (int, str) else None for p in places),
            model=queryset.model if klass_info is not None else None,
            klass_info=klass_info,
            select=select,
            model_columns=columns,
            attnames=tuple(col.target.attname for col, _, _ in select[columns]),
            annotations=tuple(compiler.annotation_col_map.items()) if klass_info is not None else (),
            converters=()
            if count_columns
            else tuple(
                (column, tuple(functions), expression)
                for column, (functions, expression) in compiler.get_converters(
                    [col for col, _, _ in select[: compiler.col_count]]
                ).items()
            ),
            fetch_mode=queryset._fetch_mode,
        )
        with self._lock:
            self._compiled[(using, mode)] = compiled
        return compiled

    def _run(
        self, mode: str, values: tuple[object, ...], using: str, *, one: bool = False
    ) -> tuple[_Compiled, list[list[Any]]]:
        if len(values) != len(self._kinds):
            raise TypeError(f"La requête préparée attend {len(self._kinds)} valeur(s).")
        compiled = self._compiled.get((using, mode)) or self._compile(using, mode)
        out_of_range = compiled is not _EMPTY and any(
            kind is int and not _fits(value, wrapper)
            for kind, value, wrapper in zip(self._kinds, values, compiled.wrappers, strict=True)
        )
        if compiled is _EMPTY or out_of_range:  # no row can hold a number beyond its column, as the ORM answers
            return _EMPTY, [[0]] if mode == "count" else []
        params = list(compiled.params)
        for place, value, wrapper in zip(compiled.places, values, compiled.wrappers, strict=True):
            params[place] = wrapper(value) if wrapper is not None else value
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            found = cursor.fetchmany(1) if one else cursor.fetchall()
        rows = [list(row) for row in found]
        for row in rows:
            for column, functions, expression in compiled.converters:
                for convert in functions:
                    row[column] = convert(row[column], expression, connection)
        return compiled, rows

    def _objects(self, compiled: _Compiled, rows: list[list[Any]], using: str) -> list[M]:
        if not rows:
            return []
        model = compiled.model
        assert model is not None and compiled.klass_info is not None
        populators = get_related_populators(compiled.klass_info, list(compiled.select), using, compiled.fetch_mode)
        attnames = list(compiled.attnames)
        objects = []
        for row in rows:
            instance = model.from_db(using, attnames, row[compiled.model_columns], fetch_mode=compiled.fetch_mode)
            for populator in populators:
                populator.populate(row, instance)
            for name, column in compiled.annotations:
                setattr(instance, name, row[column])
            objects.append(instance)
        return objects  # type: ignore[return-value]

    def first(self, *values: object, using: str = DEFAULT_DB_ALIAS) -> M | None:
        """The first object of the queryset for ``values`` (in its order), or None."""
        compiled, rows = self._run("objects", values, using, one=True)
        objects = self._objects(compiled, rows, using)
        return objects[0] if objects else None

    def all(self, *values: object, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        """The objects of the queryset for ``values``, in its order."""
        compiled, rows = self._run("objects", values, using)
        return self._objects(compiled, rows, using)

    def rows(self, *values: object, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        """The tuples of the ``values_list`` queryset for ``values``."""
        return [tuple(row) for row in self._run("rows", values, using)[1]]

    def count(self, *values: object, using: str = DEFAULT_DB_ALIAS) -> int:
        """The number of rows of the queryset for ``values``."""
        return int(self._run("count", values, using)[1][0][0])


class PreparedVariants[M: Model]:
    """One prepared query per *variant*: what its queryset is built from besides its values (the person's scope, a
    call), named by a hashable key that must name all of it. The latest ``size`` variants are kept."""

    def __init__(self, *, kinds: tuple[type, ...] = (str,), size: int = 512) -> None:
        self._kinds = kinds
        self._size = size
        self._queries: OrderedDict[Hashable, PreparedQuery[M]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, key: Hashable, build: Callable[..., QuerySet[M]]) -> PreparedQuery[M]:
        """The prepared query of the variant ``key``, made from ``build`` the first time (``build`` must then give,
        for any key equal to ``key``, the same queryset)."""
        with self._lock:
            query = self._queries.get(key)
            if query is None:
                query = self._queries[key] = PreparedQuery(build, kinds=self._kinds)
                while len(self._queries) > self._size:
                    self._queries.popitem(last=False)
            else:
                self._queries.move_to_end(key)
            return query
