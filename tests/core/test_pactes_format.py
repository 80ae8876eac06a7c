"""The template filters write amounts and rates exactly as the rules do (one owner: ``pactes.rules.money``)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from pactes.rules import money


def render(text: str, **context: object) -> str:
    return Template("{% load pactes_format %}" + text).render(Context(context))


@pytest.mark.parametrize("rate", [Decimal("0.4999"), Decimal("0.49999"), Decimal("0.5"), Decimal("0.125")])
def test_rate_filter_shows_the_rate_the_rule_writes(rate: Decimal) -> None:
    assert render("{{ r|rate }}", r=rate) == money.percent(rate)


def test_rate_filter_never_shows_a_refused_rate_as_the_minimum() -> None:
    assert render("{{ r|rate }}", r=Decimal("0.499919")) == "49,99\u00a0%"


@pytest.mark.parametrize("amount", [Decimal("62000"), Decimal("61999.99"), 1234, Decimal("-10000.00")])
def test_euros_filter_is_the_rules_euros(amount: Decimal | int) -> None:
    assert render("{{ a|euros }}", a=amount) == money.euros(Decimal(amount))


def test_number_filter_groups_thousands() -> None:
    assert render("{{ n|number }}", n=Decimal("12345.5")) == "12\u202f345,50"


@pytest.mark.parametrize("name", ["euros", "rate", "number"])
def test_filters_show_a_dash_for_an_absent_value(name: str) -> None:
    assert render(f"{{{{ v|{name} }}}}", v=None) == "—"


def test_date_filters_write_the_formatting_modules_dates_on_the_paris_clock() -> None:
    import datetime as dt

    late = dt.datetime(2024, 11, 30, 23, 30, tzinfo=dt.UTC)  # 1 December 2024, 0:30 in Paris
    assert render("{{ d|date_fr }}", d=late) == "1er décembre 2024"
    assert render("{{ d|date_fr }}", d=dt.date(2026, 12, 4)) == "4 décembre 2026"
    assert render("{{ d|datetime_fr }}", d=late) == "1er décembre 2024 à 0 h 30"
    assert render("{{ d|date_short }}", d=dt.date(2026, 12, 4)) == "04/12/2026"
    assert render("{{ d|time_fr }}", d=dt.datetime(2026, 12, 4, 3, 12, tzinfo=dt.UTC)) == "4 h 12"
    assert render("{{ y|year }}", y=2026) == "2026"


@pytest.mark.parametrize("name", ["date_fr", "date_short", "datetime_fr", "time_fr", "year"])
def test_date_filters_show_nothing_for_an_absent_value_so_that_default_applies(name: str) -> None:
    assert render(f'{{{{ v|{name}|default:"—" }}}}', v=None) == "—"
