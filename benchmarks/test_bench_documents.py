"""The documents the platform generates: the procès-verbal of a committee session of many decisions (time, queries
and peak memory of ``minutes_render``), and the small documents rendered one at a time (decision letter, receipt,
convention PDF and DOCX), warm. Targets (issue 12): the PV of 4 000 decisions < 5 s and < 300 Mo; the others < 1 s.

Volume of the PV: ``PACTES_BENCH_PV_DECISIONS`` (default 4 000); the data is written with ``bulk_create`` (the
services that write are covered by the tests). The PV runs once (``rounds=1``); the figure printed is the one written
in docs/benchmarks.md. Memory: the process's peak resident memory during the rendering (Linux: reset through
/proc/self/clear_refs, read in /proc/self/status), as in test_bench_exports.py. The PV is laid out by Typst in child
processes (ADR 0053): its figures add theirs — processor time of the children (reported by each one), and the peak of
the proportional memory (PSS, shared pages counted once) of this process and all its descendants, sampled every
20 ms, beside this process's own peak plus the largest child's."""

import gc
import io
import os
import resource
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from pactes.accounts.models import User
from pactes.agreements.documents import agreement_docx, agreement_pdf
from pactes.agreements.services import agreement_generate
from pactes.calls.services import call_load, eligible_list_build_indicative
from pactes.committee.documents import letter_render, minutes_render
from pactes.core import typst_pdf
from pactes.demo.accounts import ensure_demo_accounts
from pactes.demo.dossiers import ensure_demo_dossiers
from pactes.dossiers.models import Dossier, DossierVersion
from pactes.dossiers.receipt import receipt_render
from tests.agreements.fixtures import retain
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


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                children = [int(child) for child in task.read_text().split()]
            except OSError:
                continue
            found += children
            stack += children
    return found


def _pss_kib(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)


class TreeMemory(threading.Thread):
    """The peak of the proportional memory of this process and all its descendants (fork server, its children)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib, self.cpu, self.done = 0, 0.0, threading.Event()
        self.before_kib = self.tree_kib()  # what this process held before rendering (the test's 4 000 decisions)

    @staticmethod
    def tree_kib() -> int:
        return sum(_pss_kib(pid) for pid in [os.getpid(), *_descendants(os.getpid())])

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak_kib = max(self.peak_kib, self.tree_kib())
        self.cpu = time.thread_time()  # this sampling's own processor time, left out of the rendering's

    def __enter__(self) -> "TreeMemory":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join()


def test_bench_minutes_of_many_decisions(benchmark, big_session):
    measured = {}
    with TreeMemory() as tree:
        pdf = benchmark.pedantic(lambda: measure(lambda: minutes_render(session=big_session), measured), rounds=1)
    assert pdf.startswith(b"%PDF")
    children, own_cpu = typst_pdf.last_children, measured["cpu"] - tree.cpu
    largest, wall = max(children["peaks_kib"], default=0) / 1024, children["wall"]
    print(
        f"\nProcès-verbal de {VOLUME} décisions (Typst, balisé, {len(children['peaks_kib'])} processus enfants) : "
        f"{measured['seconds']:.1f} s d'horloge ; temps processeur {own_cpu + children['cpu']:.1f} s "
        f"(ce processus {own_cpu:.1f} s, enfants {children['cpu']:.1f} s), {measured['queries']} requêtes ; "
        f"mémoire au plus haut, ce processus et ses descendants ensemble (PSS) {tree.peak_kib / 1024:.0f} Mo, "
        f"soit {(tree.peak_kib - tree.before_kib) / 1024:.0f} Mo de plus qu'avant le rendu "
        f"({tree.before_kib / 1024:.0f} Mo : le processus de pytest et les données du banc) ; "
        f"ce processus {measured['peak']:.0f} Mo (dont {measured['growth']:.0f} Mo pendant le rendu), le plus gros "
        f"enfant {largest:.0f} Mo ; {len(pdf) / 1e6:.1f} Mo, {_pages(pdf)} pages ; horloge : tranches "
        f"{wall.get('chunks', 0):.1f} s, pieds de page et assemblage {wall.get('merge', 0):.1f} s"
    )


@pytest.fixture
def small_documents(db):
    """One of each document rendered one at a time: the demo dossiers filed (their versions), retained by a closed
    session, the Ariège convention generated; a decision letter of a small closed session."""
    call = call_load(path=settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    eligible_list_build_indicative(call=call)
    ensure_demo_accounts()
    users = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.test")}
    ensure_demo_dossiers(call)
    dossier = Dossier.objects.filter(call=call, departement__code="09").exclude(submitted_at=None).first()
    version = DossierVersion.objects.filter(dossier=dossier).select_related("dossier__call", "submitted_by").first()
    retained = retain(dossier, users, Decimal("40000.00"))
    agreement = agreement_generate(dossier=retained, by=users["instructeur.09"])
    decision = closed_session_of(3, label="lettre").decisions.select_related("session__call", "dossier").first()
    return {
        "accusé de réception": lambda: receipt_render(version=version),
        "lettre de décision": lambda: letter_render(decision=decision),
        "convention (PDF)": lambda: agreement_pdf(agreement=agreement),
        "convention (DOCX)": lambda: agreement_docx(agreement=agreement),
    }


@pytest.mark.parametrize(
    "document", ["accusé de réception", "lettre de décision", "convention (PDF)", "convention (DOCX)"]
)
def test_bench_one_document_warm(benchmark, small_documents, document):
    render = small_documents[document]
    render()  # warm: WeasyPrint and the fonts loaded, templates compiled
    measured = {}
    result = benchmark.pedantic(lambda: measure(render, measured), rounds=5, iterations=1)
    assert result
    print(
        f"\n{document} : {benchmark.stats.stats.median:.2f} s (médiane de 5, à chaud ; temps processeur du dernier "
        f"rendu {measured['cpu']:.2f} s), {measured['queries']} requêtes ; "
        f"mémoire résidente au plus haut {measured['peak']:.0f} Mo"
    )
