"""The public call page keeps its body in the cache (pactes.web.calls.page): each test warms it, changes what the page
shows the way the platform does, and asserts the next request shows the change at once."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pactes.calls.models import Axis, Measure
from pactes.calls.services import call_envelope_set, call_load, eligible_list_arrest, measures_import
from pactes.rules.formatting import date_fr
from pactes.web.calls import page as call_page

PARIS = ZoneInfo("Europe/Paris")


def _page(client, call, **query):
    response = client.get(reverse("calls:detail", args=[call.slug]), query)
    assert response.status_code == 200
    return response.content.decode()


def _body(client, call):
    """The page's body (the breadcrumb around it has an identifier drawn at random for each request)."""
    return client.get(reverse("calls:detail", args=[call.slug])).context["body"]


def _at(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_warm_page_is_read_from_the_cache_with_one_query(client, indicative_call, django_assert_num_queries):
    first = _body(client, indicative_call)
    with django_assert_num_queries(1):  # the call with its version; nothing rendered again
        second = _body(client, indicative_call)
    assert second == first


def test_a_reloaded_call_is_shown_at_once(client, real_call, tmp_path, settings):
    assert "Intitulé rechargé" not in _page(client, real_call)
    text = (settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "pts-occitanie-2024.yaml"
    title_line = next(line for line in text.splitlines() if line.startswith("title:"))
    changed.write_text(text.replace(title_line, "title: Intitulé rechargé", 1), encoding="utf-8")
    call_load(path=changed)
    assert "<h1>Intitulé rechargé</h1>" in _page(client, real_call)


def test_a_new_envelope_is_shown_at_once(client, real_call, admin_user):
    _page(client, real_call)
    call_envelope_set(call=real_call, amount=Decimal("1234567"), by=admin_user)
    page = _page(client, real_call)
    assert "1\u202f234\u202f567\u00a0€" in page
    assert escape("fixée par l'administrateur le") in page


def test_a_list_arrested_after_the_page_was_cached_is_shown_at_once(client, indicative_call, admin_user):
    assert "Liste indicative" in _page(client, indicative_call)
    eligible_list_arrest(call=indicative_call, epci_sirens=["200006930"], indicator_code="Q2", year=2019, by=admin_user)
    page = _page(client, indicative_call)
    assert "Liste officielle des EPCI éligibles, arrêtée le" in page
    assert "— 1 EPCI" in page


def test_measures_imported_or_edited_after_the_page_was_cached_are_shown_at_once(client, real_call):
    assert "Les mesures du Pacte des solidarités ne sont pas encore importées." in _page(client, real_call)
    measures_import(path=settings.PACTES_CALLS_DIR / "pacte_des_solidarites.yaml")
    assert escape("Garantir l'accès à des temps de socialisation") in _page(client, real_call)
    axis = Axis.objects.order_by("position").first()
    axis.label = "Axe renommé par un administrateur"
    axis.save()
    assert "Axe renommé par un administrateur" in _page(client, real_call)
    measure = Measure.objects.order_by("code").first()
    shown = f"{measure.code} — {escape(measure.label)}"
    assert shown in _page(client, real_call)
    measure.is_active = False
    measure.save()
    assert shown not in _page(client, real_call)


def test_filing_opens_and_closes_at_the_exact_moment(client, real_call, monkeypatch):
    opens, closes = real_call.filing_opens_at, real_call.filing_closes_at
    second = dt.timedelta(seconds=1)
    _at(monkeypatch, opens - second)
    before = _page(client, real_call)
    assert "Dépôt clos" in before and "Créer un compte pour déposer un projet" not in before
    _at(monkeypatch, opens)
    opened = _page(client, real_call)
    assert "Dépôt ouvert" in opened and "Créer un compte pour déposer un projet" in opened
    _at(monkeypatch, closes)
    assert "Dépôt ouvert" in _page(client, real_call)
    _at(monkeypatch, closes + second)
    assert "Dépôt clos" in _page(client, real_call)


def test_the_timeline_follows_the_day_in_europe_paris(client, real_call, monkeypatch):
    _at(monkeypatch, dt.datetime(2024, 7, 10, 23, 30, tzinfo=PARIS))
    assert f"Aujourd'hui</span> {date_fr(dt.date(2024, 7, 10))}" in _page(client, real_call)
    _at(monkeypatch, dt.datetime(2024, 7, 11, 0, 30, tzinfo=PARIS))  # still the 10th in UTC
    assert f"Aujourd'hui</span> {date_fr(dt.date(2024, 7, 11))}" in _page(client, real_call)


def test_each_audience_has_its_own_body(client, indicative_call, admin_user, monkeypatch):
    _at(monkeypatch, indicative_call.filing_opens_at + dt.timedelta(days=1))
    anonymous = _page(client, indicative_call)
    assert "Créer un compte pour déposer un projet" in anonymous
    assert "Proposer et arrêter la liste" not in anonymous
    client.force_login(admin_user)
    administrator = _page(client, indicative_call)
    assert "Proposer et arrêter la liste des territoires éligibles" in administrator
    assert "Importer depuis démarches simplifiées" in administrator
    assert "Créer un compte pour déposer un projet" not in administrator
    client.logout()
    assert "Proposer et arrêter la liste" not in _page(client, indicative_call)


def test_the_checker_answers_with_its_own_body_and_leaves_the_cached_one_alone(client, indicative_call):
    plain = _body(client, indicative_call)
    answered = _page(client, indicative_call, q="31555")
    assert ">non éligible<" in answered
    assert 'value="31555"' in answered
    assert _body(client, indicative_call) == plain


@pytest.mark.parametrize("missing", [True, False])
def test_the_call_text_is_rendered_once_per_text(real_call, missing, monkeypatch, tmp_path):
    call_page._text_html.cache_clear()
    if missing:
        monkeypatch.setattr(settings, "PACTES_CALLS_DIR", tmp_path)
        assert call_page._call_text(real_call) == ""
        return
    first = call_page._call_text(real_call)
    assert "<h3>" in first and "<h1>" not in first
    assert call_page._call_text(real_call) is first
    assert call_page._text_html.cache_info().hits == 1
