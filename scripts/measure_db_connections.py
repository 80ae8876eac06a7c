"""Are PostgreSQL connections reused by the production server? A measurement, not a test (docs/deployment.md).

For each way of keeping connections (none: ``PACTES_DB_POOL=0 DB_CONN_MAX_AGE=0``; Django's persistent connections:
``PACTES_DB_POOL=0 DB_CONN_MAX_AGE=600``; psycopg's pool, the production default), starts granian on
``config.asgi`` with ``config.settings.prod``, sends REQUESTS requests to a page that reads the database from
CLIENTS clients at once, and reads on PostgreSQL how many sessions were opened meanwhile
(``pg_stat_database.sessions``) and how many connections the server holds at the end (``pg_stat_activity``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pactes_x .venv/bin/python scripts/measure_db_connections.py

The database must be migrated. Prints one line per configuration.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
REQUESTS = int(os.environ.get("REQUESTS", "200"))
CLIENTS = int(os.environ.get("CLIENTS", "4"))
PAGE = os.environ.get("PAGE", "/appels/")
CONFIGURATIONS = {
    "aucune (CONN_MAX_AGE=0)": {"PACTES_DB_POOL": "0", "DB_CONN_MAX_AGE": "0"},
    "persistantes (CONN_MAX_AGE=600)": {"PACTES_DB_POOL": "0", "DB_CONN_MAX_AGE": "600"},
    "pool psycopg (production)": {},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stats(url: str, name: str) -> tuple[int, int]:
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        sessions = conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", [name]).fetchone()
        backends = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]).fetchone()
        conn.execute("SELECT pg_stat_clear_snapshot()")
    return int(sessions[0] if sessions else 0), int(backends[0] if backends else 0)


def wait_for(base: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + PAGE, timeout=5).read()  # noqa: S310 -- local server
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("le serveur ne répond pas")


def measure(label: str, extra: dict[str, str], database_url: str) -> str:
    name = urlsplit(database_url).path.lstrip("/")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "mesure-des-connexions"),
        "SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PACTES_ASGI_CONCURRENCY": str(CLIENTS),
        "PACTES_VAR_DIR": os.environ.get("PACTES_VAR_DIR", tempfile.mkdtemp(prefix="pactes-mesure-")),
        **extra,
    }
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "granian"),
            "--interface",
            "asgi",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-ws",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base)
        time.sleep(1)
        before, _ = stats(database_url, name)
        with ThreadPoolExecutor(CLIENTS) as pool:
            statuses = list(pool.map(lambda _: urllib.request.urlopen(base + PAGE, timeout=60).status, range(REQUESTS)))  # noqa: S310
        time.sleep(1)
        after, held = stats(database_url, name)
    finally:
        server.terminate()
        server.wait(30)
    ok = sum(1 for s in statuses if s == 200)
    return f"{label:34} {ok}/{REQUESTS} réponses 200, {after - before:4} connexions ouvertes, {held} tenues à la fin"


def main() -> None:
    database_url = os.environ["DATABASE_URL"]
    print(f"{REQUESTS} requêtes GET {PAGE}, {CLIENTS} clients simultanés, granian 1 processus, {CLIENTS} fils")
    for label, extra in CONFIGURATIONS.items():
        print(measure(label, extra, database_url), flush=True)


if __name__ == "__main__":
    main()
