"""The procès-verbal reads the database in a number of queries that does not grow with the session (issue 12: it
once made one query per proposal): 20 and 200 decisions, the same count. Typst is left out (its time is measured by
benchmarks/test_bench_documents.py); what it would receive is checked: every value already written out in French."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pactes.committee import documents
from pactes.committee.models import CommitteeSession
from pactes.rules.formatting import euros
from tests.committee.bulk import closed_session_of


def _minutes_input(monkeypatch, session: CommitteeSession) -> tuple[dict, list[dict], int]:
    seen: list[tuple[dict, list[dict]]] = []
    monkeypatch.setattr(documents, "_minutes_pdf", lambda values, rows: seen.append((values, rows)) or b"%PDF-")
    fresh = CommitteeSession.objects.select_related("call").get(pk=session.pk)
    with CaptureQueriesContext(connection) as queries:
        documents.minutes_render(session=fresh)
    values, rows = seen[0]
    return values, rows, len(queries)


@pytest.mark.django_db
def test_the_minutes_make_as_many_queries_for_200_decisions_as_for_20(monkeypatch):
    _values, _rows, small = _minutes_input(monkeypatch, closed_session_of(20, label="petit"))
    values, rows, large = _minutes_input(monkeypatch, closed_session_of(200, label="grand"))
    assert small == large
    assert small <= 6
    # Every decision is in the document, with its amounts and the jury's opinions, as strings written in French.
    assert len(rows) == 200 and sum(r["reference"].startswith("PTS-GRAND-") for r in rows) == 200
    assert {r["reference"] for r in rows} >= {"PTS-GRAND-000199"}
    assert any("Partenariats solides." in comment for r in rows for comment in r["comments"])
    assert {r["requested"] for r in rows} == {euros(Decimal(50000))}
    assert {r["proposed"] for r in rows} == {euros(Decimal(40000))}
    assert all(isinstance(v, str) for r in rows for k, v in r.items() if k != "comments")
    assert values["common"]["total_label"].startswith("Total (")
