"""The deadline rush (``make rush``): N applicants autosave, then file in the last seconds before a call closes.

What it does, bounded to two minutes on the loopback interface, then stops everything it started:
1. a database of its own: a SQLite file in a temporary directory, or, when ``DATABASE_URL`` names a PostgreSQL
   server, a database ``pactes_rush_<pid>`` created on it and dropped at the end (no other database is touched);
2. the minimal reference data (territories, INSEE indicators, the Pacte's measures), a call written for the
   benchmark (the 2024 call's YAML under another slug), N applicants with a complete draft each (the interchange
   example, through the same import as ``dossier_import``);
3. the platform started with the production command (``make serve``: granian, ASGI, 2 workers, and the task worker);
4. each applicant logs in, opens the « Diagnostic » step, autosaves it twice (the form is parsed as the page renders
   it; the JSON ``fields`` of each answer are applied to the form before the next post) and opens the filing page;
5. the call file is written again with ``closes_at`` a few seconds ahead (and loaded, as ``load_calls`` would); the
   filings are sent spread over the last seconds before it;
6. it prints filings accepted / refused among those sent in time, lost autosaves, duplicate versions or receipts,
   HTTP errors, and the p50/p95/p99 of autosave and filing.

Settings: ``RUSH_N`` (applicants, default 50), ``DATABASE_URL`` (a PostgreSQL server; default SQLite),
``RUSH_RECEIPT_WAIT`` (seconds left to the task worker for the receipts, default 45).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import json
import math
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.web_client import Browser, Form, forms_of, free_port  # noqa: E402

MAKE = shutil.which("make") or "/usr/bin/make"
TIME_LIMIT = 120  # seconds, everything included
WORKERS = 2
PASSWORD = "rush-mot-de-passe-42"
FILING_WINDOW = (3.0, 0.5)
# Applicants who log in through the login form (argon2: about 0.25 s of CPU each); the others were logged in long
# before the rush, their session is opened in the database (200 logins would take 50 s of the two minutes).
FORM_LOGINS = 10  # filings are sent between 3 s and 0.5 s before the deadline


class RushAborted(Exception):
    pass


# -- the run ----------------------------------------------------------------------------------------------------------
@dataclass
class Applicant:
    email: str
    reference: str
    session_key: str = ""  # a session opened in the database (applicants logged in long before the rush)
    browser: Browser | None = None
    step_form: Form | None = None
    filing_form: Form | None = None
    last_saved_marker: str = ""
    autosave_seconds: list[float] = field(default_factory=list)
    autosave_refused: int = 0
    sent_at: float = 0.0
    filing_seconds: float = 0.0
    outcome: str = ""
    errors: list[str] = field(default_factory=list)


def percentiles(values: list[float]) -> str:
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0] * 1000:.0f} / {values[0] * 1000:.0f} / {values[0] * 1000:.0f} ms"
    q = statistics.quantiles(values, n=100, method="inclusive")
    return f"{q[49] * 1000:.0f} / {q[94] * 1000:.0f} / {q[98] * 1000:.0f} ms"


def call_yaml(slug: str, closes_at: dt.datetime) -> str:
    """The 2024 call under another slug, its filing closing at ``closes_at`` (Europe/Paris, to the second)."""
    import yaml

    from pactes.calls.services import read_call_yaml

    data = read_call_yaml(ROOT / "pactes" / "calls" / "data" / "pts-occitanie-2024.yaml")
    data["slug"] = slug
    data["title"] = "Banc d'essai — dépôt à la dernière minute"
    data["short_title"] = "Banc d'essai (rush)"
    data["filing"]["closes_at"] = closes_at.strftime("%Y-%m-%dT%H:%M:%S")
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write_call(directory: Path, slug: str, closes_at: dt.datetime) -> Path:
    path = directory / f"{slug}.yaml"
    path.write_text(call_yaml(slug, closes_at), encoding="utf-8")
    return path


def prepare(n: int, directory: Path, slug: str) -> list[Applicant]:
    """Database, reference data, the benchmark's call (closing in an hour for now), N applicants and their drafts."""
    from zoneinfo import ZoneInfo

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from pactes.accounts.models import Role, User
    from pactes.calls.services import call_load, eligible_list_build_indicative
    from pactes.dossiers.interchange import EXAMPLE_PATH, document_to_dossier, load_document
    from pactes.territories.services import shipped_indicators_import, territories_import

    call_command("migrate", verbosity=0, interactive=False)
    # The production server serves hashed static files named by their manifest: collected as a deployment does.
    call_command("collectstatic", verbosity=0, interactive=False)
    territories_import()
    shipped_indicators_import()
    shutil.copy(ROOT / "pactes" / "calls" / "data" / "ami-pts-occitanie-2024.md", directory)
    later = dt.datetime.now(ZoneInfo("Europe/Paris")) + dt.timedelta(hours=1)
    call = call_load(path=write_call(directory, slug, later))
    eligible_list_build_indicative(call=call)
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(
            email=f"porteur.{i:03d}@rush.test",
            password=password,
            role=Role.APPLICANT,
            first_name="Porteur",
            last_name=f"n° {i}",
            is_active=True,
        )
        for i in range(n)
    )
    applicants = []
    for user in users:
        document = load_document(EXAMPLE_PATH.read_text(encoding="utf-8"))
        document.pop("submitted_at", None)
        document["call"] = slug
        dossier = document_to_dossier(document, by=user)
        applicants.append(Applicant(email=user.email, reference=dossier.reference))
    for applicant, user in list(zip(applicants, users, strict=True))[FORM_LOGINS:]:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "pactes.accounts.backends.EmailBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        applicant.session_key = session.session_key or ""
    return applicants


def log_in(applicant: Applicant, port: int) -> None:
    browser = applicant.browser = Browser(port)
    if applicant.session_key:
        browser.cookies["sessionid"] = applicant.session_key
        return
    page = browser.request("GET", "/compte/connexion/")
    [login] = [f for f in forms_of(page.text) if "password" in f.names]
    login.fields.update({"username": applicant.email, "password": PASSWORD})
    answer = browser.request("POST", "/compte/connexion/", login.fields)
    if answer.status != 302:
        raise RushAborted(f"connexion refusée pour {applicant.email} (HTTP {answer.status})")


def autosave_then_open_filing(applicant: Applicant, index: int) -> None:
    """Opens « Diagnostic », changes its first text twice with an autosave each, then opens the filing page."""
    browser = applicant.browser
    assert browser is not None
    step = f"/dossiers/{applicant.reference}/etapes/diagnostic/"
    page = browser.request("GET", step)
    [form] = [f for f in forms_of(page.text) if "data-autosave" in f.attrs]
    text_field = form.textareas[0]
    for round_ in (1, 2):
        marker = f"[rush {index}-{round_}]"
        form.fields[text_field] = form.fields[text_field].rstrip() + f"\n{marker}"
        answer = browser.request("POST", step, form.fields, {"X-Pactes-Autosave": "1"})
        applicant.autosave_seconds.append(answer.seconds)
        if answer.status >= 500:
            applicant.errors.append(f"autosave HTTP {answer.status}")
            continue
        reply = json.loads(answer.text)
        if reply.get("saved"):
            applicant.last_saved_marker = marker
        else:
            applicant.autosave_refused += 1
        for name, value in (reply.get("fields") or {}).items():  # the page's new version, the ids of saved rows
            form.fields[name] = str(value)
    applicant.step_form = form
    page = browser.request("GET", f"/dossiers/{applicant.reference}/depot/")
    [filing] = [f for f in forms_of(page.text) if "certify" in f.names]
    filing.fields["certify"] = "on"
    applicant.filing_form = filing


def file_at(applicant: Applicant, when: float, closes_at: float) -> None:
    time.sleep(max(0.0, when - time.time()))
    assert applicant.browser and applicant.filing_form
    applicant.sent_at = time.time()
    answer = applicant.browser.request("POST", f"/dossiers/{applicant.reference}/depot/", applicant.filing_form.fields)
    applicant.filing_seconds = answer.seconds
    if answer.status == 302:
        applicant.outcome = "accepted"
    elif answer.status == 200 and 'data-code="' in answer.text:
        codes = sorted({part.split('"', 1)[0] for part in answer.text.split('data-code="')[1:]})
        applicant.outcome = "refused:" + ",".join(codes)
    else:
        applicant.outcome = f"http {answer.status}"
        if answer.status >= 400:
            applicant.errors.append(f"dépôt HTTP {answer.status}")


def verify(applicants: list[Applicant], media: Path, wait: float, deadline: float) -> dict[str, Any]:
    from django.db.models import Count

    from pactes.dossiers.interchange import dossier_to_document
    from pactes.dossiers.models import Dossier, DossierVersion

    references = [a.reference for a in applicants]
    limit = min(time.time() + wait, deadline - 5)
    while time.time() < limit:
        if not DossierVersion.objects.filter(dossier__reference__in=references, receipt_pdf="").exists():
            break
        time.sleep(1)
    versions = DossierVersion.objects.filter(dossier__reference__in=references)
    duplicates = versions.values("dossier").annotate(n=Count("id")).filter(n__gt=1).count()
    receipts_on_disk: dict[str, int] = {}
    for pdf in media.rglob("accuse-reception-*.pdf"):
        key = pdf.name.split("-v", 1)[0]
        receipts_on_disk[key] = receipts_on_disk.get(key, 0) + 1
    lost = 0
    by_reference = {d.reference: d for d in Dossier.objects.filter(reference__in=references)}
    snapshots = dict(versions.values_list("dossier__reference", "snapshot"))
    for a in applicants:
        if not a.last_saved_marker:
            continue
        current = json.dumps(dossier_to_document(by_reference[a.reference]), ensure_ascii=False)
        filed = snapshots.get(a.reference, current)
        if a.last_saved_marker not in current or a.last_saved_marker not in filed:
            lost += 1
    return {
        "versions": versions.count(),
        "duplicate_versions": duplicates,
        "duplicate_receipts": sum(1 for n in receipts_on_disk.values() if n > 1),
        "receipts_rendered": versions.exclude(receipt_pdf="").count(),
        "lost_autosaves": lost,
    }


def run() -> int:
    started = time.time()
    deadline = started + TIME_LIMIT
    n = int(os.environ.get("RUSH_N", "50"))
    receipt_wait = float(os.environ.get("RUSH_RECEIPT_WAIT", "45"))
    server_url = os.environ.get("DATABASE_URL", "")
    directory = Path(tempfile.mkdtemp(prefix="pactes-rush-"))
    port = free_port()
    db_name = f"pactes_rush_{os.getpid()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(32),
        "SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PACTES_VAR_DIR": str(directory),
        "PACTES_MAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    backend = "SQLite (fichier)"
    if server_url:
        import psycopg

        parts = urllib.parse.urlsplit(server_url)
        if not parts.scheme.startswith("postgres"):
            print("DATABASE_URL doit désigner un serveur PostgreSQL.", file=sys.stderr)
            return 2
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{db_name}"))
        backend = "PostgreSQL"
    else:
        env.pop("DATABASE_URL", None)
    os.environ.update(env)
    if not server_url:
        os.environ.pop("DATABASE_URL", None)
    server: subprocess.Popen | None = None
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(RushAborted("plus de deux minutes : arrêt")))
    signal.alarm(TIME_LIMIT)
    try:
        import django

        django.setup()
        from zoneinfo import ZoneInfo

        from django.db import connections

        from pactes.calls.services import call_load

        slug = "pts-rush"
        print(f"Banc « rush » : {n} porteurs, {backend}, port {port}, dossier temporaire {directory}")
        applicants = prepare(n, directory, slug)
        print(f"  préparation : {time.time() - started:.1f} s")
        connections.close_all()
        log = (directory / "serveur.log").open("w")
        server = subprocess.Popen(  # noqa: S603 — our own Makefile's production command, fixed arguments
            [MAKE, "--no-print-directory", "serve", f"PORT={port}", "HOST=127.0.0.1", f"WORKERS={WORKERS}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if server.poll() is not None or time.time() > deadline:
                raise RushAborted(f"le serveur n'a pas démarré (voir {directory / 'serveur.log'})")
            time.sleep(0.2)
        print(f"  serveur prêt : {time.time() - started:.1f} s")

        with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
            list(pool.map(lambda a: log_in(a, port), applicants))
        print(f"  connexions : {time.time() - started:.1f} s")
        with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
            list(pool.map(lambda pair: autosave_then_open_filing(pair[1], pair[0]), enumerate(applicants)))
        print(f"  enregistrements automatiques : {time.time() - started:.1f} s")

        paris = ZoneInfo("Europe/Paris")
        closes_at = math.ceil(time.time()) + 4
        call_load(path=write_call(directory, slug, dt.datetime.fromtimestamp(closes_at, paris)))
        connections.close_all()
        first, last = FILING_WINDOW
        step = (first - last) / max(n - 1, 1)
        with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
            list(
                pool.map(
                    lambda pair: file_at(pair[1], closes_at - first + pair[0] * step, closes_at), enumerate(applicants)
                )
            )
        print(f"  dépôts : {time.time() - started:.1f} s")

        result = verify(applicants, directory / "uploads", receipt_wait, deadline)
        connections.close_all()
        in_time = [a for a in applicants if a.sent_at <= closes_at]
        accepted = sum(1 for a in in_time if a.outcome == "accepted")
        refused = [a.outcome for a in in_time if a.outcome != "accepted"]
        errors = [e for a in applicants for e in a.errors]
        autosaves = [s for a in applicants for s in a.autosave_seconds]
        filings = [a.filing_seconds for a in applicants]
        processed_after = sum(1 for a in in_time if a.sent_at + a.filing_seconds > closes_at)
        print()
        print(
            "| base | N | acceptés / refusés (arrivés à temps) | traités après la clôture | enregistrements "
            "perdus | versions ou accusés en double | erreurs HTTP | enregistrement auto p50/p95/p99 | "
            "dépôt p50/p95/p99 | accusés rendus |"
        )
        print(
            f"| {backend} | {n} | {accepted} / {len(refused)} (sur {len(in_time)}) | {processed_after} | "
            f"{result['lost_autosaves']} | {result['duplicate_versions']} / {result['duplicate_receipts']} | "
            f"{len(errors)} | {percentiles(autosaves)} | {percentiles(filings)} | "
            f"{result['receipts_rendered']} / {result['versions']} |"
        )
        if refused:
            print("Refus :", sorted(set(refused)))
        if errors:
            print("Erreurs :", sorted(set(errors))[:10])
        refused_autosaves = sum(a.autosave_refused for a in applicants)
        if refused_autosaves:
            print(f"Enregistrements automatiques refusés : {refused_autosaves}")
        ok = (
            accepted == len(in_time) == n
            and not errors
            and result["lost_autosaves"] == 0
            and result["duplicate_versions"] == 0
            and result["duplicate_receipts"] == 0
        )
        print(f"Durée totale : {time.time() - started:.1f} s — {'réussi' if ok else 'ÉCHEC'}")
        return 0 if ok else 1
    except (RushAborted, KeyboardInterrupt) as exc:
        print(f"Banc interrompu : {str(exc) or 'Ctrl-C'}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
        if server is not None and server.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if server_url:
            import psycopg

            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        if os.environ.get("RUSH_KEEP") != "1":
            shutil.rmtree(directory, ignore_errors=True)
        else:
            print(f"Dossier conservé : {directory}")


if __name__ == "__main__":
    sys.exit(run())
