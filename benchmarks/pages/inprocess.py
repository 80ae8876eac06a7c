"""A page measured in this process (Django's test client on the bench database, Django already set up): its
processor time against the bare page's, its profile by category. Used by profiler.py (by hand) and by run.py (the
« pourquoi » of a page below the goal)."""

from __future__ import annotations

import cProfile
import pstats
import statistics
import time
from typing import Any

from benchmarks.pages import generator
from benchmarks.pages.stats import profile_categories

ROLES = {
    "porteur": f"porteur.00000@{generator.BENCH_DOMAIN}",
    "instructeur": f"instructeur.{generator.INSTRUCTOR_DEPARTEMENT}@{generator.BENCH_DOMAIN}",
    "dreets": f"dreets@{generator.BENCH_DOMAIN}",
    "jury": f"jury@{generator.BENCH_DOMAIN}",
    "admin": f"admin@{generator.BENCH_DOMAIN}",
}


def profile_page(page: Any, count: int) -> tuple[dict[str, Any], pstats.Stats, list[dict[str, str]]]:
    """The page's processor figures against the bare page (Django set up on the bench database), its cProfile, and
    the SQL of one request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pactes.accounts.models import User
    from pactes.accounts.two_factor import STRONG_LOGIN_SESSION_KEY

    client = Client(HTTP_HOST="127.0.0.1")
    if page.role:
        client.force_login(User.objects.get(email=ROLES[page.role]))
        session = client.session
        session[STRONG_LOGIN_SESSION_KEY] = True
        session.save()

    def one(path: str) -> tuple[float, int, int]:
        start = time.process_time()
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} : HTTP {response.status_code}")
        return time.process_time() - start, len(response.content), int(response.get("X-Bench-Queries", "0"))

    for _ in range(2):  # warm: templates compiled, caches filled
        one("/__bench__/bare/")
        one(page.path)
    bare = statistics.median(one("/__bench__/bare/")[0] for _ in range(count))
    with CaptureQueriesContext(connection):  # request_started empties the log: read it in the middle
        _, size, queries = one(page.path)
        statements = list(connection.queries_log)
    median = statistics.median(one(page.path)[0] for _ in range(count))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        one(page.path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    functions = {
        where: (f"{where[0]} {where[2]}", figures[2], {caller: share[2] for caller, share in figures[4].items()})
        for where, figures in stats.stats.items()  # type: ignore[attr-defined]
    }
    categories = profile_categories(functions)
    # The profiler's own overhead inflates every share alike: scaled to the page's measured processor time.
    scale = median / (sum(categories.values()) or 1.0)
    figures = {
        "bare_ms": bare * 1000,
        "page_ms": median * 1000,
        "queries": queries,
        "html_bytes": size,
        "categories": {name: seconds * scale * 1000 for name, seconds in categories.items()},
    }
    return figures, stats, statements
