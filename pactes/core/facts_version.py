"""The version of the facts the consolidated figures and the committee session's page are computed from, and what is
kept for it (ADR 0051, 0055): a mechanism of the core, which every layer may tell that a fact changed.

Words: the *facts* of the consolidation are the rows its queries read (``WATCHED``: the dossiers, their priorities and
measures of the Pacte, actions, indicators and measured values, decisions and sessions of the committee, conventions,
payments, reversals, calls, départements), and those of the committee session's figures (ADR 0055: the proposals, the
dossiers' resource lines, the EPCI that name the territories, the organisations, the jury's opinions). The *facts token*
is a random value kept in one row of the database (``FactsVersion``): every write to a fact through the ORM (save,
delete, the measures of a priority) replaces it once its transaction commits, and so does ``migrate`` (data migrations,
restores). The consolidated figures of a scope are kept in the cache under the token read *before* computing them: every
server, whatever its cache (per process or Redis), reads the new token at its first request after the commit and
computes again; figures computed while a write commits are kept under the former token, never read again. A write that
bypasses the ORM's signals (``QuerySet.update``, ``bulk_create``, ``bulk_update``) on a fact calls ``facts_changed()``;
the kept figures also expire after ``KEPT_SECONDS``, a safety net only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction

# The tables the consolidation and the committee session's page read, by model label (tests/followup/
# test_facts_version.py and tests/committee/test_kept_figures.py check them against the SQL).
WATCHED = frozenset(
    {
        "agreements.agreement",
        "agreements.payment",
        "assessment.proposal",
        "calls.call",
        "calls.measure",
        "committee.committeedecision",
        "committee.committeesession",
        "committee.juryopinion",
        "dossiers.action",
        "dossiers.dossier",
        "dossiers.impactmeasure",
        "dossiers.priority",
        "dossiers.priority_measures",
        "dossiers.resourceline",
        "followup.indicatormeasurement",
        "followup.reversal",
        "organisations.organisation",
        "territories.departement",
        "territories.epci",
    }
)
KEPT_SECONDS = 3600
_PREFIX = "pactes:consolidated:v1"
_ROW = 1


def _model() -> Any:
    return apps.get_model("core", "FactsVersion")


def _replace_token() -> None:
    token = uuid.uuid4().hex
    model = _model()
    if not model.objects.filter(pk=_ROW).update(token=token):
        model.objects.bulk_create([model(pk=_ROW, token=token)], ignore_conflicts=True)
        model.objects.filter(pk=_ROW).update(token=token)


def facts_changed() -> None:
    """Replaces the facts token once the current transaction commits (at once outside a transaction); once per
    transaction however many facts it writes."""
    if connection.in_atomic_block and any(func is _replace_token for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_replace_token)


def _read_token() -> str | None:
    # Read on every request of the pages that keep figures: one statement on one row, written out (the ORM would
    # spend more time compiling it than the database reading it).
    table = connection.ops.quote_name(_model()._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = %s", [_ROW])  # noqa: S608 (the model's own table)
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def current_token() -> str:
    """The facts token (created on first use)."""
    token = _read_token()
    if token is None:
        _replace_token()
        token = _read_token()
    return str(token)


def kept_for_facts[T](scope: str, compute: Callable[[], T], *, token: str | None = None) -> T:
    """The value of ``scope`` computed from the current facts: kept in the cache under the facts token read before
    computing it (``token``: the one the caller just read). ``scope`` names everything else the value depends on (the
    viewer's territory, the filter)."""
    key = f"{_PREFIX}:{token or current_token()}:{scope}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=KEPT_SECONDS)
    return value  # type: ignore[no-any-return]


def on_write(sender: Any, **kwargs: Any) -> None:
    """``post_save``, ``post_delete`` and ``m2m_changed`` receiver: a write to a fact replaces the token."""
    if kwargs.get("action", "post_").startswith("post_") and sender._meta.label_lower in WATCHED:
        facts_changed()


def on_migrate(sender: Any, **kwargs: Any) -> None:
    """``post_migrate`` receiver: a migration may have rewritten facts (a restore runs it too)."""
    if sender.label == "core" and _model()._meta.db_table in connection.introspection.table_names():
        _replace_token()
