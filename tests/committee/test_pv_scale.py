"""The procès-verbal reads the database in a number of queries that does not grow with the session (issue 12: it
once made one query per proposal): 20 and 200 decisions, the same count. WeasyPrint is left out (its time is
measured by benchmarks/test_bench_documents.py); what it would receive is checked."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from pactes.committee import documents
from pactes.committee.models import CommitteeSession
from pactes.core.templatetags.pactes_format import euros
from tests.committee.bulk import closed_session_of


def _minutes_html(monkeypatch, session: CommitteeSession) -> tuple[str, int]:
    seen: list[str] = []
    monkeypatch.setattr(documents, "_pdf", lambda html: seen.append(html) or b"%PDF-")
    fresh = CommitteeSession.objects.select_related("call").get(pk=session.pk)
    with CaptureQueriesContext(connection) as queries:
        documents.minutes_render(session=fresh)
    return seen[0], len(queries)


@pytest.mark.django_db
def test_the_minutes_make_as_many_queries_for_200_decisions_as_for_20(monkeypatch):
    _small_html, small = _minutes_html(monkeypatch, closed_session_of(20, label="petit"))
    large_html, large = _minutes_html(monkeypatch, closed_session_of(200, label="grand"))
    assert small == large
    assert small <= 6
    # Every decision is in the document, with its amounts and the jury's opinions.
    assert large_html.count("PTS-GRAND-") == 200
    assert "PTS-GRAND-000199" in large_html and "Partenariats solides." in large_html
    assert escape(euros(Decimal(40000))) in large_html and escape(euros(Decimal(50000))) in large_html
