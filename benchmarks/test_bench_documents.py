"""The documents the platform generates: the procès-verbal of a committee session of many decisions (time, queries
and peak memory of ``minutes_render``), and the small documents rendered one at a time (decision letter, receipt,
convention PDF and DOCX), warm. Targets (issue 12): the PV of 4 000 decisions < 5 s and < 300 Mo; the others < 1 s.

Volume of the PV: ``PACTES_BENCH_PV_DECISIONS`` (default 4 000); the data is written with ``bulk_create`` (the
services that write are covered by the tests). The PV runs once (``rounds=1``); the figure printed is the one written
in docs/benchmarks.md. Memory: the process's peak resident memory during the rendering (Linux: reset through
/proc/self/clear_refs, read in /proc/self/status), as in test_bench_exports.py."""

import gc
import os
import resource
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pactes.committee.documents import letter_render, minutes_render
from tests.committee.bulk import closed_session_of

VOLUME = int(os.environ.get("PACTES_BENCH_PV_DECISIONS", "4000"))


def _peak_rss_reset() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _rss_kib(field: str) -> int:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    line = next((line for line in status.splitlines() if line.startswith(field + ":")), "")
    return int(line.split()[1]) if line else 0


def measure(function, measured):
    """Runs ``function`` once: wall and CPU time, queries, peak resident memory (Mo) and its growth."""
    gc.collect()
    exact = _peak_rss_reset()
    before = _rss_kib("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        result = function()
    measured["seconds"] = time.perf_counter() - started
    measured["cpu"] = time.process_time() - cpu
    measured["queries"] = len(queries)
    peak = _rss_kib("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    measured["peak"], measured["growth"] = peak / 1024, (peak - before) / 1024
    return result


@pytest.fixture
def big_session(db):
    return closed_session_of(VOLUME)


def test_bench_minutes_of_many_decisions(benchmark, big_session):
    measured = {}
    pdf = benchmark.pedantic(lambda: measure(lambda: minutes_render(session=big_session), measured), rounds=1)
    assert pdf.startswith(b"%PDF")
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
    print(
        f"\nProcès-verbal de {VOLUME} décisions : {measured['seconds']:.1f} s (temps processeur "
        f"{measured['cpu']:.1f} s), {measured['queries']} requêtes ; mémoire résidente au plus haut "
        f"{measured['peak']:.0f} Mo (dont {measured['growth']:.0f} Mo pendant le rendu) ; "
        f"{len(pdf) / 1e6:.1f} Mo, {pages} pages"
    )
