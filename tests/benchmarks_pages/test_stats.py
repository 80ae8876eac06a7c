"""The page benchmark's arithmetic and report (benchmarks/pages/stats.py): ratios, percentiles, the Markdown block."""

import statistics

import pytest

from benchmarks.pages import stats
from benchmarks.pages.stats import PageResult, Round, Side, fr_ratio, percentile, replace_block, table, throughput


def test_percentile_interpolates_between_closest_ranks():
    values = [0.4, 0.1, 0.3, 0.2, 0.5]
    assert percentile(values, 50) == 0.3
    assert percentile(values, 0) == 0.1
    assert percentile(values, 100) == 0.5
    assert percentile(values, 95) == pytest.approx(0.48)
    data = [float(v) for v in range(1, 101)]
    assert percentile(data, 95) == pytest.approx(statistics.quantiles(data, n=100, method="inclusive")[94])
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_ratio_is_page_throughput_over_bare_throughput_of_the_same_round():
    bare = Side(requests=100, seconds=1.0)  # 100 requests per second
    page = Side(requests=20, seconds=0.5)  # 40 requests per second
    assert Round(bare=bare, page=page).ratio == pytest.approx(0.4)
    with pytest.raises(ValueError):
        throughput(0, 1.0)
    with pytest.raises(ValueError):
        throughput(10, 0.0)


def _result(ratios, key="p", label="Page"):
    rounds = [
        Round(
            bare=Side(requests=100, seconds=1.0),
            page=Side(requests=round(r * 100), seconds=1.0, latencies=[0.01, 0.03]),
        )
        for r in ratios
    ]
    return PageResult(key=key, label=label, rounds=rounds, queries=12, html_bytes=52_300, peak_rss_kib=204_800)


def test_median_and_spread_and_goal():
    result = _result([0.5, 0.9, 0.7, 0.6, 0.8])
    assert result.ratio_median == pytest.approx(0.7)
    assert min(result.ratios) == pytest.approx(0.5)
    assert result.below_goal
    assert not _result([0.8, 0.9, 0.85, 0.95, 1.0]).below_goal


def test_table_marks_pages_below_goal_and_writes_french_figures():
    text = table([_result([0.5, 0.9, 0.7, 0.6, 0.8], label="Lente"), _result([0.9] * 5, label="Rapide")])
    slow, fast = text.splitlines()[2:4]
    assert slow.startswith("| Lente | 0,70 (0,50–0,90) | 20 ms | 30 ms | 12 | 52,3 ko | 200 Mo |")
    assert "**sous l'objectif**" in slow
    assert "atteint" in fast and "sous l'objectif" not in fast
    failed = PageResult(key="x", label="Absente", status=404, note="introuvable")
    assert "HTTP 404" in table([failed])


def test_replace_block_rewrites_only_its_engine():
    doc = "# Mesures\n\n<!-- bench-pages:sqlite -->\nancien\n<!-- /bench-pages:sqlite -->\n\nfin\n"
    once = replace_block(doc, "sqlite", "nouveau")
    assert "ancien" not in once and "nouveau" in once and once.endswith("fin\n")
    assert replace_block(once, "sqlite", "nouveau") == once
    both = replace_block(once, "postgresql", "pg")
    assert both.count("<!-- bench-pages:postgresql -->") == 1 and "nouveau" in both
    assert replace_block(both, "postgresql", "pg2").count("pg2") == 1


def test_tiny_ratios_keep_two_significant_digits():
    assert fr_ratio(0.00031) == "0,00031"
    assert fr_ratio(0.0016) == "0,0016"
    assert fr_ratio(0.053) == "0,053"
    assert fr_ratio(0.8) == "0,80"


def test_profile_categories_give_builtins_to_their_callers():
    template = ("/x/django/template/base.py render", 0.004, {})
    sql = ("/x/django/db/models/query.py _fetch_all", 0.002, {"render": 0.002})
    execute = ("~ <method 'execute' of 'sqlite3.Cursor' objects>", 0.003, {"fetch": 0.003})
    # A built-in called from a template and from the view's code: shared by the time each spent in it.
    builtin = ("~ <built-in method builtins.isinstance>", 0.005, {"render": 0.004, "view": 0.001})
    view = ("/x/pactes/web/instruction/views.py queue", 0.001, {})
    helper = ("/x/django/utils/formats.py number_format", 0.002, {"render": 0.002})
    functions = {"render": template, "fetch": sql, "execute": execute, "isinstance": builtin, "view": view}
    functions["number_format"] = helper
    totals = stats.profile_categories(functions)
    assert totals == pytest.approx({"gabarits": 0.004 + 0.004 + 0.002, "SQL et ORM": 0.005, "code de Pactes": 0.002})
    assert list(totals) == ["gabarits", "SQL et ORM", "code de Pactes"]  # largest first


def test_a_page_below_goal_says_why_with_its_profile():
    result = _result([0.25], key="queue", label="File")
    result.profile = {"bare_ms": 4.2, "page_ms": 31.4, "categories": {"gabarits": 15.0, "SQL et ORM": 10.0}}
    line = stats.table([result]).splitlines()[-1]
    assert "**sous l'objectif** — profil : 31,4 ms de processeur par requête contre 4,2 ms pour la page nue" in line
    assert "gabarits 60 %, SQL et ORM 40 %" in line
