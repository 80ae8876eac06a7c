"""How long a filing holds the database's write lock (SQLite, ``transaction_mode=IMMEDIATE``): the transaction of
``dossier_file`` alone, timed on 20 complete drafts of the 2024 call, beside the receipt render it no longer contains.

Run: ``.venv/bin/python benchmarks/rush_transaction.py`` (a SQLite file in a temporary directory, removed after).
"""

import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
directory = Path(tempfile.mkdtemp(prefix="pactes-rush-tx-"))
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings.test",
    DATABASE_URL=f"sqlite:///{directory / 'pactes.sqlite3'}",
    PACTES_VAR_DIR=str(directory),
)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from pactes.accounts.models import Role, User  # noqa: E402
from pactes.calls.services import call_load, eligible_list_build_indicative  # noqa: E402
from pactes.dossiers import filing  # noqa: E402
from pactes.dossiers.interchange import EXAMPLE_PATH, document_to_dossier, load_document  # noqa: E402
from pactes.dossiers.receipt import receipt_render  # noqa: E402
from pactes.territories.services import shipped_indicators_import, territories_import  # noqa: E402


class TimedAtomic:
    """``transaction.atomic`` as ``dossier_file`` uses it, timing the outermost block (the write lock's hold)."""

    held: list[float] = []

    def __init__(self, inner):
        self.inner = inner

    def __enter__(self):
        self.outermost = not connection.in_atomic_block
        self.start = time.perf_counter()
        return self.inner.__enter__()

    def __exit__(self, *exc):
        result = self.inner.__exit__(*exc)
        if self.outermost:
            TimedAtomic.held.append(time.perf_counter() - self.start)
        return result


def main() -> None:
    call_command("migrate", verbosity=0)
    territories_import()
    shipped_indicators_import()
    call = call_load(path=settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    eligible_list_build_indicative(call=call)
    drafts = []
    for i in range(20):
        user = User.objects.create_user(f"porteur.{i}@rush.test", None, role=Role.APPLICANT)
        document = load_document(EXAMPLE_PATH.read_text(encoding="utf-8"))
        document.pop("submitted_at", None)
        document["call"] = call.slug
        drafts.append(document_to_dossier(document, by=user))
    atomic = transaction.atomic
    renders = []
    with override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}):
        for draft in drafts:
            filing.transaction.atomic = lambda *a, **k: TimedAtomic(atomic(*a, **k))
            try:
                version = filing.dossier_file(
                    dossier=draft, by=draft.created_by, arrived_at=call.rules.filing_closes_at - dt.timedelta(seconds=1)
                )
            finally:
                filing.transaction.atomic = atomic
            start = time.perf_counter()
            receipt_render(version=version)
            renders.append(time.perf_counter() - start)
    held = sorted(TimedAtomic.held)
    print(
        f"Transaction de dépôt (verrou d'écriture SQLite) : médiane {statistics.median(held) * 1000:.1f} ms, "
        f"maximum {held[-1] * 1000:.1f} ms sur {len(held)} dépôts ; rendu d'un accusé (après validation) : "
        f"médiane {statistics.median(renders) * 1000:.0f} ms."
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        shutil.rmtree(directory, ignore_errors=True)
