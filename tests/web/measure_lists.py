"""Not a test: measures the committee, ranking, follow-up and convention lists at 2 000 dossiers (median time of 3
requests, queries, rows, HTML size). Run explicitly: `pytest -q tests/web/measure_lists.py` (issue 12, ADR 0043)."""

import statistics
import time

import pytest

from tests.scaling import count_rows
from tests.web.test_lists_scale import LARGE, Volume, _pages

pytestmark = pytest.mark.django_db


def test_measure(client, open_session, committee_call, accounts, capsys):
    volume = Volume(committee_call, accounts)
    volume.grow(LARGE // 2)
    volume.close_session()
    volume.grow(LARGE)
    lines = []
    for name, (who, url) in _pages(open_session).items():
        client.force_login(accounts[who])
        client.get(url)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        with count_rows() as c:
            response = client.get(url)
        lines.append(
            f"{name:38} {response.status_code} {statistics.median(times) * 1000:8.0f} ms "
            f"{c.queries:5d} q {c.rows:7d} rows {len(response.content) / 1024:8.1f} KiB"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
