"""The whole call's export (every sheet) of many dossiers: time and peak memory of the XLSX writer (streaming,
XlsxWriter, constant memory). Volume: ``PACTES_BENCH_EXPORT_DOSSIERS`` (default 20 000, the national scale); run once
(``rounds=1``): the figure printed is the one written in docs/benchmarks.md. Target: < 30 s and < 300 Mo.

Memory: the process's peak resident memory during the export (Linux: reset through /proc/self/clear_refs, read
in /proc/self/status), no tracer that would slow the writer down."""

import datetime as dt
import gc
import os
import resource
import tempfile
import time
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.calls.models import Call
from pactes.dossiers.models import (
    Action,
    Dossier,
    ExpenseLine,
    ImpactMeasure,
    InKindLine,
    Partner,
    Priority,
    ResourceLine,
)
from pactes.exports.services import export_prepare, export_write
from pactes.organisations.models import Organisation
from pactes.territories.models import Departement, Epci

VOLUME = int(os.environ.get("PACTES_BENCH_EXPORT_DOSSIERS", "20000"))
STATES = ["depose", "en_instruction", "recevable", "evalue", "transmis"]


@pytest.fixture
def call_with_many_dossiers(db):
    call_command("load_calls", stdout=StringIO())
    call = Call.objects.get(slug="pts-occitanie-2024")
    author = User.objects.create_user("bench-export@pactes.test", "x" * 12, role=Role.APPLICANT)
    departements = list(Departement.objects.order_by("code"))
    epcis = {d.code: list(Epci.objects.filter(main_departement_code=d.code)[:5]) for d in departements}
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Association {i}", kind="association", siret="") for i in range(200)
    )
    now = timezone.now()
    dossiers = Dossier.objects.bulk_create(
        (
            Dossier(
                call=call,
                organisation=organisations[i % len(organisations)],
                reference=f"PTS-EXPORT-{i:06d}",
                title=f"Projet {i}",
                departement=departements[i % len(departements)],
                state=STATES[i % len(STATES)],
                created_by=author,
                submitted_at=now - dt.timedelta(minutes=i),
            )
            for i in range(VOLUME)
        ),
        batch_size=2000,
    )
    through = Dossier.epcis.through
    through.objects.bulk_create(
        (
            through(dossier_id=d.pk, epci_id=epcis[d.departement.code][i % len(epcis[d.departement.code])].pk)
            for i, d in enumerate(dossiers)
            if epcis[d.departement.code]
        ),
        batch_size=5000,
    )
    priorities = Priority.objects.bulk_create(
        (Priority(dossier=d, position=0, title="Lever les freins à l'emploi", publics=["familles"]) for d in dossiers),
        batch_size=5000,
    )
    actions = Action.objects.bulk_create(
        (
            Action(dossier_id=p.dossier_id, priority=p, position=0, title="Accompagnement", start=now.date())
            for p in priorities
        ),
        batch_size=5000,
    )
    ImpactMeasure.objects.bulk_create(
        (
            ImpactMeasure(action=a, indicator="Familles accompagnées", unit="familles", target=Decimal(40))
            for a in actions
        ),
        batch_size=5000,
    )
    ExpenseLine.objects.bulk_create(
        (
            ExpenseLine(dossier=d, position=k, label=f"Dépense {k}", amount=Decimal(30000))
            for d in dossiers
            for k in (0, 1)
        ),
        batch_size=5000,
    )
    ResourceLine.objects.bulk_create(
        (
            ResourceLine(dossier=d, position=k, kind=kind, amount=Decimal(amount), funder="Financeur")
            for d in dossiers
            for k, (kind, amount) in enumerate((("state_pts", 30000), ("public", 20000), ("own_funds", 10000)))
        ),
        batch_size=5000,
    )
    Partner.objects.bulk_create(
        (Partner(dossier=d, name="Commune", contribution="in_kind", amount=Decimal(5000)) for d in dossiers),
        batch_size=5000,
    )
    InKindLine.objects.bulk_create(
        (InKindLine(dossier=d, partner="Commune", label="Locaux", amount=Decimal(5000)) for d in dossiers),
        batch_size=5000,
    )
    return call


def _peak_rss_reset() -> bool:
    """Resets the process's peak resident memory (Linux: ``5`` in /proc/self/clear_refs); False elsewhere."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _rss_kib(field: str) -> int:
    """``VmHWM`` (peak) or ``VmRSS`` (now) of this process, in KiB, from /proc/self/status (0 when unknown)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    line = next((line for line in status.splitlines() if line.startswith(field + ":")), "")
    return int(line.split()[1]) if line else 0


def test_bench_export_of_the_whole_call_xlsx(benchmark, call_with_many_dossiers):
    dreets = User.objects.create_user("dreets-export@pactes.test", "x" * 12, role=Role.DREETS)
    prepared = export_prepare(user=dreets, source="appel", params={"appel": call_with_many_dossiers.slug}, fmt="xlsx")
    measured = {}
    gc.collect()

    def run():
        with tempfile.TemporaryFile() as out:
            exact = _peak_rss_reset()
            before = _rss_kib("VmRSS")
            started, cpu = time.perf_counter(), time.process_time()
            book = export_write(prepared=prepared, user=dreets, out=out)
            measured["seconds"] = time.perf_counter() - started
            measured["cpu"] = time.process_time() - cpu
            peak = _rss_kib("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            measured["peak"], measured["growth"] = peak / 1024, (peak - before) / 1024
            measured["size"] = out.tell() / 1e6
            return book

    book = benchmark.pedantic(run, rounds=1, iterations=1)
    assert len(book.dossier_ids) == VOLUME
    print(
        f"\nExport XLSX de l'appel complet, {VOLUME} dossiers, 13 feuilles : {measured['seconds']:.1f} s "
        f"(temps processeur {measured['cpu']:.1f} s) ; "
        f"mémoire résidente du processus au plus haut {measured['peak']:.0f} Mo (dont {measured['growth']:.0f} Mo "
        f"pendant l'export, la base SQLite en mémoire des tests comprise) ; fichier {measured['size']:.1f} Mo"
    )
