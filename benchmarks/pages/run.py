"""``make bench-pages``: each key page's throughput against a bare page of the same server, alternated (ADR 0041).

1. The database: ``BENCH_DOSSIERS`` dossiers (20 000) written by ``benchmarks/pages/generator.py``, cached by a hash
   of the generator, the migrations and the call files: a SQLite file ``var/bench/<hash>/pactes.sqlite3``, or, when
   ``DATABASE_URL`` names a PostgreSQL server, the database ``<its name>_<hash>`` on that server (created once,
   reused afterwards; nothing else is touched). A run with the same hash reuses it.
2. The server: the production command of ``make serve`` (granian, ASGI, ``config.asgi``, 1 worker, 4 threads),
   with ``DJANGO_SETTINGS_MODULE=config.settings.bench`` (production settings + the bare page + ``X-Bench-Queries``)
   on a free port of 127.0.0.1; without the task worker (nothing is filed, no task is queued).
3. Logins through the real forms: password, then for staff the TOTP code of their authenticator, computed from the
   device's secret as the app would (the pages are measured as people reach them, second factor verified).
4. For each page, ``BENCH_ROUNDS`` rounds (5): n requests to the bare page, then n to the page, 4 at a time (1 at a
   time for a page slower than ``BENCH_SLOW_SECONDS``, both sides); n is chosen so that each side lasts about
   ``BENCH_SIDE_SECONDS`` (between the concurrency and ``BENCH_MAX_REQUESTS``). Ratio = page throughput / bare
   throughput in the round. Peak memory: VmHWM of the granian processes, reset before each page side.
5. The procès-verbal of the closed session (every decision): rendered in a child process with the bench settings
   (latency, queries, peak memory of that process).
6. For each page below the goal (ratio < 0.8), its profile measured in this process once the server has stopped
   (``benchmarks/pages/inprocess.py``, ``BENCH_PROFILE_REQUESTS`` requests, 10): processor time of the page and of the
   bare page, and the page's by category (templates, SQL and ORM, forms…) — the « pourquoi » of the table.
7. Printed (the raw rounds kept as JSON beside the database), and written between
   ``<!-- bench-pages:<engine> -->`` markers in docs/benchmarks.md.

Settings: BENCH_DOSSIERS, BENCH_ROUNDS, BENCH_SIDE_SECONDS, BENCH_MAX_REQUESTS, BENCH_SLOW_SECONDS,
BENCH_PROFILE_REQUESTS, BENCH_PAGES (keys, comma-separated, default all), BENCH_NO_WRITE=1 (print only), DATABASE_URL
(a PostgreSQL server).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pages import generator  # noqa: E402
from benchmarks.pages.inprocess import profile_page  # noqa: E402
from benchmarks.pages.stats import PageResult, Round, Side, fr_number, replace_block, table  # noqa: E402
from benchmarks.web_client import Answer, Browser, forms_of, free_port  # noqa: E402

SETTINGS = "config.settings.bench"
CONCURRENCY = 4
DOC = ROOT / "docs" / "benchmarks.md"


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, str(default)))


ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SIDE_SECONDS = env_float("BENCH_SIDE_SECONDS", 1.5)
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "300"))
SLOW_SECONDS = env_float("BENCH_SLOW_SECONDS", 1.0)
PROFILE_REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "10"))


# -- the database -------------------------------------------------------------------------------------------------
@dataclass
class Target:
    engine: str  # "sqlite" or "postgresql"
    env: dict[str, str]
    label: str
    created: bool = False


def target_database(n: int) -> Target:
    """Where the cached database of this generator lives, and the environment that points Django at it."""
    digest = generator.source_hash(n)
    var_dir = ROOT / "var" / "bench" / f"{digest}-{n}"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PACTES_VAR_DIR": str(var_dir),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PACTES_MAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "BENCH_DOSSIERS": str(n),
    }
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url:
        env.pop("DATABASE_URL", None)
        return Target("sqlite", env, f"SQLite ({var_dir.relative_to(ROOT)}/pactes.sqlite3)")
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("DATABASE_URL doit désigner un serveur PostgreSQL (postgres://…).")
    name = f"{parts.path.lstrip('/') or 'pactes_bench'}_{digest}_{n}"
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    created = False
    with psycopg.connect(admin_url, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
            created = True
    env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    env["DB_CONN_MAX_AGE"] = os.environ.get("DB_CONN_MAX_AGE", "0")
    return Target("postgresql", env, f"PostgreSQL (base {name})", created)


def prepare(target: Target, n: int) -> str:
    """Migrates and generates when the cached database is not complete; collects the static files once."""
    os.environ.clear()
    os.environ.update(target.env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    try:
        ready = generator.is_generated()
    except Exception:  # a new database has no table yet
        ready = False
    if ready:
        outcome = "base en cache, réutilisée"
    else:
        if target.engine == "sqlite":
            connections.close_all()
            for suffix in ("", "-wal", "-shm"):
                Path(target.env["PACTES_VAR_DIR"], f"pactes.sqlite3{suffix}").unlink(missing_ok=True)
        print(f"  génération de {n} dossiers ({target.label})…", flush=True)
        call_command("migrate", verbosity=0, interactive=False)
        facts = generator.generate(n)
        outcome = (
            f"base générée en {time.perf_counter() - started:.0f} s (dont données {facts.seconds:.0f} s), "
            "puis réutilisée tant que le générateur, les migrations et l'appel ne changent pas"
        )
    static = Path(target.env["PACTES_VAR_DIR"]) / "static"
    if not (static / ".collected").exists():
        call_command("collectstatic", verbosity=0, interactive=False)
        static.mkdir(parents=True, exist_ok=True)
        (static / ".collected").write_text("ok")
    connections.close_all()
    return outcome


@dataclass
class PageFacts:
    session_planned: int
    session_closed: int
    instructor_dossier: str
    draft_dossier: str
    agreement_dossier: int
    call_slug: str


def page_facts() -> PageFacts:
    from pactes.agreements.models import Agreement
    from pactes.committee.models import CommitteeSession
    from pactes.dossiers.models import Dossier

    dept = generator.INSTRUCTOR_DEPARTEMENT
    applicant = f"porteur.00000@{generator.BENCH_DOMAIN}"
    return PageFacts(
        session_planned=CommitteeSession.objects.get(state="planifiee", call__slug=generator.CALL_SLUG).pk,
        session_closed=CommitteeSession.objects.get(state="close", call__slug=generator.CALL_SLUG).pk,
        instructor_dossier=Dossier.objects.filter(departement__code=dept, state="evalue").order_by("pk")[0].reference,
        draft_dossier=Dossier.objects.filter(created_by__email=applicant, state="brouillon")
        .order_by("pk")[0]
        .reference,
        agreement_dossier=(
            Agreement.objects.filter(dossier__departement__code=dept, state="signee").order_by("pk").first()
            or Agreement.objects.filter(dossier__departement__code=dept).order_by("pk")[0]
        ).dossier_id,
        call_slug=generator.CALL_SLUG,
    )


# -- the server ------------------------------------------------------------------------------------------------------
def start_server(target: Target, port: int, log: Path) -> subprocess.Popen:
    """``make serve``'s granian command (1 worker, 4 threads), without the task worker."""
    env = {**target.env, "PACTES_ASGI_CONCURRENCY": str(CONCURRENCY)}
    static = Path(target.env["PACTES_VAR_DIR"]) / "static"
    granian = Path(sys.executable).parent / "granian"
    command = [
        str(granian),
        "--interface",
        "asgi",
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--blocking-threads",
        "1",
        "--no-ws",
        "--static-path-route",
        "/static",
        "--static-path-mount",
        str(static),
    ]
    server = subprocess.Popen(  # noqa: S603 — the production command, fixed arguments
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.time() + 60
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return server
        if server.poll() is not None or time.time() > deadline:
            raise SystemExit(f"le serveur n'a pas démarré (voir {log})")
        time.sleep(0.2)


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peaks(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_kib(pids: list[int]) -> int:
    return max((status_kib(pid, "VmHWM") for pid in pids), default=0)


# -- the client ----------------------------------------------------------------------------------------------------
def totp_code(email: str) -> str:
    """The code the authenticator app of ``email`` shows now (a step not used yet: a code serves once)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    while True:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        if totp.t() > device.last_t:
            return f"{totp.token():0{device.digits}d}"
        if totp.t() + 1 > device.last_t:  # the device accepts the next step (tolerance 1)
            totp.time = time.time() + device.step
            return f"{totp.token():0{device.digits}d}"
        time.sleep(1)


def log_in(port: int, email: str) -> dict[str, str]:
    """The login form, then the second factor for staff; the session's cookies."""
    client = Browser(port, timeout=600)
    page = client.request("GET", "/compte/connexion/")
    [form] = [f for f in forms_of(page.text) if "password" in f.names]
    form.fields.update({"username": email, "password": generator.PASSWORD})
    answer = client.request("POST", "/compte/connexion/", form.fields)
    if answer.status != 302:
        raise SystemExit(f"connexion refusée pour {email} (HTTP {answer.status})")
    target = answer.headers.get("Location", "/")
    for _ in range(3):  # « Mon espace », then the second factor's page for staff
        page = client.request("GET", target)
        if page.status != 302:
            break
        target = page.headers.get("Location", "/")
    codes = [f for f in forms_of(page.text) if "code" in f.names]
    if codes:
        form = codes[0]
        form.fields["code"] = totp_code(email)
        answer = client.request("POST", target, form.fields)
        if answer.status != 302:
            raise SystemExit(f"second facteur refusé pour {email} (HTTP {answer.status})")
    client.close()
    return client.cookies


# -- the measurement -------------------------------------------------------------------------------------------------
def measure_side(port: int, cookies: dict[str, str], path: str, n: int, concurrency: int) -> tuple[Side, Answer]:
    """n GETs of ``path``, ``concurrency`` at a time (one keep-alive connection each); wall time and latencies."""
    clients = [Browser(port, cookies, timeout=600) for _ in range(concurrency)]
    lock = threading.Lock()
    left = [n]
    latencies: list[float] = []
    last: list[Answer] = []

    def work(client: Browser) -> None:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            answer = client.request("GET", path)
            if answer.status != 200:
                raise RuntimeError(f"{path} : HTTP {answer.status}")
            with lock:
                latencies.append(answer.seconds)
                last[:] = [answer]

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(work, clients))
    seconds = time.perf_counter() - started
    for client in clients:
        client.close()
    return Side(requests=n, seconds=seconds, latencies=latencies), last[0]


def requests_for(latency: float, concurrency: int) -> int:
    return max(concurrency, min(MAX_REQUESTS, math.ceil(SIDE_SECONDS / max(latency, 1e-4) * concurrency)))


@dataclass
class Page:
    key: str
    label: str
    role: str  # a key of the sessions, "" for anonymous
    path: str


def measure_page(port: int, sessions: dict[str, dict[str, str]], page: Page, server_pids: list[int]) -> PageResult:
    cookies = sessions.get(page.role, {})
    result = PageResult(key=page.key, label=page.label)
    probe = Browser(port, cookies, timeout=600)
    warm = [probe.request("GET", page.path)]
    if warm[0].status == 200 and warm[0].seconds < SLOW_SECONDS:  # a slow page is not warmed twice
        warm.append(probe.request("GET", page.path))
    bare_probe = [probe.request("GET", "/__bench__/bare/") for _ in range(3)]
    probe.close()
    if warm[-1].status != 200:
        result.status = warm[-1].status
        result.note = f"{page.path} répond {warm[-1].status} à ce rôle"
        return result
    page_latency = min(a.seconds for a in warm)
    bare_latency = min(a.seconds for a in bare_probe)
    concurrency = 1 if page_latency > SLOW_SECONDS else CONCURRENCY
    result.concurrency = concurrency
    n_page, n_bare = requests_for(page_latency, concurrency), requests_for(bare_latency, concurrency)
    peak = 0
    for _ in range(ROUNDS):
        bare, _answer = measure_side(port, cookies, "/__bench__/bare/", n_bare, concurrency)
        reset_peaks(server_pids)
        side, answer = measure_side(port, cookies, page.path, n_page, concurrency)
        peak = max(peak, peak_kib(server_pids))
        result.rounds.append(Round(bare=bare, page=side))
        result.queries = int(answer.headers.get("X-Bench-Queries", "0")) or None
        result.html_bytes = len(answer.body)
    result.peak_rss_kib = peak
    print(
        f"  {page.label} : rapport {result.ratio_median:.3f} "
        f"({min(result.ratios):.3f}–{max(result.ratios):.3f}), {n_page} requêtes × {ROUNDS} tours, "
        f"{concurrency} à la fois",
        flush=True,
    )
    return result


PV_SCRIPT = """
import json, os, sys, threading, time
from pathlib import Path
import django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pactes.committee.models import CommitteeSession
from pactes.committee.documents import minutes_render
from pactes.core import typst_pdf

def tree_pss_kib():
    # this process and all its descendants (the fork server and the children that lay out the PV), shared pages once
    pids, stack = [os.getpid()], [os.getpid()]
    while stack:
        for task in Path(f"/proc/{stack.pop()}/task").glob("*/children"):
            try:
                found = [int(pid) for pid in task.read_text().split()]
            except OSError:
                continue
            pids += found
            stack += found
    total = 0
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next((int(l.split()[1]) for l in rollup.splitlines() if l.startswith("Pss:")), 0)
    return total

peak, done = [0], threading.Event()
def sample():
    while not done.wait(0.02):
        peak[0] = max(peak[0], tree_pss_kib())
    peak.append(time.thread_time())

session = CommitteeSession.objects.get(pk=int(sys.argv[1]))
decisions = session.decisions.count()
Path("/proc/self/clear_refs").write_text("5")
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
start, cpu = time.perf_counter(), time.process_time()
with CaptureQueriesContext(connection) as queries:
    pdf = minutes_render(session=session)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
done.set()
sampler.join()
size = len(pdf) if isinstance(pdf, (bytes, bytearray)) else 0
own = next(int(l.split()[1]) for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:"))
children = typst_pdf.last_children if decisions > typst_pdf.CHUNK_ROWS else {"cpu": 0.0, "peaks_kib": []}
figures = {
    "seconds": seconds, "cpu": cpu - peak[1] + children["cpu"], "children_cpu": children["cpu"],
    "queries": len(queries), "peak_kib": max(peak[0], own), "own_peak_kib": own,
    "children": len(children["peaks_kib"]), "size": size,
}
print(json.dumps({**figures, "decisions": decisions}))
"""


def measure_minutes(target: Target, session_pk: int) -> PageResult:
    """The procès-verbal of the closed session, rendered in a child process: latency, queries, peak memory."""
    result = PageResult(key="pv", label="Procès-verbal PDF de la séance close", latency_only=True)
    done = subprocess.run(  # noqa: S603 — this interpreter, a fixed script
        [sys.executable, "-c", PV_SCRIPT, str(session_pk)],
        cwd=ROOT,
        env={**target.env, "DEBUG_QUERIES": "1"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        result.status = 500
        result.note = (done.stderr.strip().splitlines() or ["échec"])[-1][:200]
        return result
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    result.label = f"Procès-verbal PDF de {figures['decisions']:,} décisions".replace(",", "\u202f")
    result.single_latency = figures["seconds"]
    result.queries = figures["queries"]
    result.html_bytes = figures["size"] or None
    result.peak_rss_kib = figures["peak_kib"]
    result.note = (
        f"rendu hors serveur, processus à part, temps processeur {fr_number(figures['cpu'], 1)} s dont "
        f"{fr_number(figures.get('children_cpu', 0), 1)} s dans {figures.get('children', 0)} processus enfants ; "
        "mémoire : ce processus et ses descendants ensemble (PSS) (PDF : taille en colonne HTML)"
    )
    print(f"  {result.label} : {figures['seconds']:.1f} s, {figures['queries']} requêtes", flush=True)
    return result


def pages_for(facts: PageFacts) -> list[Page]:
    dept = generator.INSTRUCTOR_DEPARTEMENT
    return [
        Page("queue_dept", f"File d'instruction, un département ({dept})", "instructeur", "/instruction/"),
        Page("queue_region", "File d'instruction, région (DREETS)", "dreets", "/instruction/"),
        Page(
            "dossier_instructor",
            "Page d'un dossier, instructeur",
            "instructeur",
            f"/instruction/dossiers/{facts.instructor_dossier}/",
        ),
        Page("my_space", "« Mon espace », porteur", "porteur", "/espace/"),
        Page("ranking", f"Classement d'un département ({dept})", "instructeur", "/instruction/classement/"),
        Page(
            "committee",
            "Séance du comité, ordre du jour complet (DREETS)",
            "dreets",
            f"/comite/{facts.session_planned}/",
        ),
        Page("committee_jury", "Séance du comité, membre du jury", "jury", f"/comite/{facts.session_planned}/"),
        Page("call", "Page publique de l'appel", "", f"/appels/{facts.call_slug}/"),
        Page("consolidated", "Suivi consolidé (DREETS)", "dreets", "/suivi/consolide/"),
        Page(
            "budget_step",
            "Éditeur du dossier, étape « Budget » (porteur)",
            "porteur",
            f"/dossiers/{facts.draft_dossier}/etapes/budget/",
        ),
        Page(
            "agreement",
            "Page d'une convention, instructeur",
            "instructeur",
            f"/conventions/dossier/{facts.agreement_dossier}/",
        ),
        Page("admin_space", "« Mon espace », administrateur", "admin", "/espace/"),
    ]


def explain_below_goal(results: list[PageResult], pages: list[Page]) -> None:
    """For each page below the goal, its profile in this process (server stopped): the table's « pourquoi »."""
    by_key = {page.key: page for page in pages}
    for result in results:
        if result.below_goal and result.status == 200:
            result.profile, _stats, _sql = profile_page(by_key[result.key], PROFILE_REQUESTS)
            print(f"  profil de « {result.label} » : {result.profile['page_ms']:.1f} ms", flush=True)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def run() -> int:
    started = time.perf_counter()
    n = generator.dossier_count()
    target = target_database(n)
    print(f"Banc des pages : {n} dossiers, {target.label}", flush=True)
    load_before = load_average()
    outcome = prepare(target, n)
    print(f"  base : {outcome} ({time.perf_counter() - started:.0f} s)", flush=True)
    facts = page_facts()
    emails = {
        "porteur": f"porteur.00000@{generator.BENCH_DOMAIN}",
        "instructeur": f"instructeur.{generator.INSTRUCTOR_DEPARTEMENT}@{generator.BENCH_DOMAIN}",
        "dreets": f"dreets@{generator.BENCH_DOMAIN}",
        "jury": f"jury@{generator.BENCH_DOMAIN}",
        "admin": f"admin@{generator.BENCH_DOMAIN}",
    }
    from django.db import connections

    wanted = [k for k in os.environ.get("BENCH_PAGES", "").split(",") if k]
    pages = [p for p in pages_for(facts) if not wanted or p.key in wanted]
    port = free_port()
    log = Path(target.env["PACTES_VAR_DIR"]) / "serveur.log"
    server = start_server(target, port, log)
    results: list[PageResult] = []
    try:
        sessions = {role: log_in(port, email) for role, email in emails.items()}
        connections.close_all()
        server_pids = process_tree(server.pid)
        print(f"  serveur prêt sur le port {port} (processus {server_pids}), connexions faites", flush=True)
        for page in pages:
            try:
                results.append(measure_page(port, sessions, page, server_pids))
            except RuntimeError as exc:
                failed = PageResult(key=page.key, label=page.label, status=500, note=str(exc))
                results.append(failed)
                print(f"  {page.label} : {exc}", flush=True)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, 15)
        server.wait(timeout=30)
    explain_below_goal(results, pages)
    if not wanted or "pv" in wanted:
        results.append(measure_minutes(target, facts.session_closed))
    elapsed = time.perf_counter() - started
    command = ("" if target.engine == "sqlite" else "DATABASE_URL=postgres://… ") + "make bench-pages"
    if wanted:
        command = f"BENCH_PAGES={','.join(wanted)} {command}"
    settings_text = (
        f"BENCH_DOSSIERS={n} BENCH_ROUNDS={ROUNDS} BENCH_SIDE_SECONDS={SIDE_SECONDS:g} "
        f"BENCH_MAX_REQUESTS={MAX_REQUESTS} BENCH_SLOW_SECONDS={SLOW_SECONDS:g}"
    )
    block = "\n".join(
        [
            f"### {'SQLite' if target.engine == 'sqlite' else 'PostgreSQL'} — {n:,} dossiers".replace(",", "\u202f"),
            "",
            f"Mesuré le {dt.datetime.now(dt.UTC):%d/%m/%Y à %H:%M} UTC, machine : {os.cpu_count()} cœurs "
            f"(`nproc`), charge moyenne {load_before} avant, {load_average()} après ; commande : `{command}` "
            f"({settings_text}) ; {target.label} : {outcome} ; durée totale {elapsed:.0f} s.",
            "",
            table(results),
        ]
    )
    raw = Path(target.env["PACTES_VAR_DIR"]) / f"resultats-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.json"
    raw.write_text(json.dumps([dataclasses.asdict(r) for r in results], ensure_ascii=False, indent=1))
    print()
    print(block)
    if os.environ.get("BENCH_NO_WRITE") != "1" and not wanted:
        DOC.write_text(replace_block(DOC.read_text(encoding="utf-8"), target.engine, block), encoding="utf-8")
        print(f"\n(écrit dans {DOC.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(run())
