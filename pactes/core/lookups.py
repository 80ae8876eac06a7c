"""``__any``: membership in a long list of ids, sent to PostgreSQL as ONE array parameter (``= ANY(%s)``) instead
of one placeholder per id. An export reads its dossiers 500 at a time, a dozen sheets each: with ``__in``, every
query carried 500 parameters that Django prepared one by one and psycopg parsed again on every query (a query that
long is never in its cache), a quarter of the export's time on PostgreSQL. Other engines get ``IN (…)``, as
``__in`` would write it. Registered on integer fields and foreign keys (``CoreConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]
