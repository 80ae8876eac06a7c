"""Between the closing and the worker (ADR 0054), the pages say in French that the procès-verbal and the letters are
being prepared, and their download addresses answer so (never a broken link nor a 500) — to whom may read them
only: the others still get 404, anonymous visitors the login page."""

import html

import pytest
from django.urls import reverse

from pactes.committee.models import CommitteeDecision
from pactes.committee.services import session_close
from tests.web.test_committee import LOGIN_URL, decide_all, session_url

pytestmark = pytest.mark.django_db

QUEUED_ONLY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def pending_session(open_session, transmitted, accounts, settings, django_capture_on_commit_callbacks):
    """A closed session whose documents are enqueued but not rendered yet (no worker has run)."""
    settings.TASKS = QUEUED_ONLY
    decide_all(open_session, transmitted, accounts["dreets"])
    with django_capture_on_commit_callbacks(execute=True):
        closed = session_close(session=open_session, by=accounts["dreets"])
    assert not closed.minutes_pdf and not CommitteeDecision.objects.exclude(letter_pdf="").exists()
    return closed


def test_the_session_page_says_the_minutes_and_letters_are_being_prepared(client, pending_session, accounts):
    client.force_login(accounts["dreets"])
    page = text(client.get(session_url(pending_session)))
    assert "Procès-verbal en cours de préparation" in page
    assert "Lettres de décision : 0 prête sur 2" in page
    assert "Télécharger le procès-verbal" not in page
    assert "Relancer la préparation des documents" in page
    client.force_login(accounts["jury"])  # a member reads the status, without the DREETS's button
    page = text(client.get(session_url(pending_session)))
    assert "Procès-verbal en cours de préparation" in page and "Relancer la préparation" not in page


def test_the_minutes_address_answers_a_french_page_while_pending(client, pending_session, accounts):
    url = session_url(pending_session, "minutes_pdf")
    client.force_login(accounts["jury"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Procès-verbal en cours de préparation" in text(response)
    assert response["Cache-Control"] == "private, no-store"
    for who in ("jury.outsider", "instructeur.09", "porteur.ariege"):
        client.force_login(accounts[who])
        assert client.get(url).status_code == 404, who


def test_the_dossier_page_and_the_letter_address_say_the_letter_is_being_prepared(
    client, pending_session, transmitted, accounts
):
    decision = CommitteeDecision.objects.get(dossier=transmitted["09"])
    letter = reverse("committee:decision_letter", args=[decision.pk])
    for who in ("porteur.ariege", "instructeur.09", "dreets"):
        client.force_login(accounts[who])
        page = text(client.get(reverse("dossiers:detail", args=[transmitted["09"].reference])))
        assert "Lettre de décision en cours de préparation" in page, who
        assert "Télécharger la lettre de décision" not in page, who
        response = client.get(letter)
        assert response.status_code == 200 and "Lettre de décision en cours de préparation" in text(response), who
    for who in ("porteur.aude", "instructeur.11", "jury"):
        client.force_login(accounts[who])
        assert client.get(letter).status_code == 404, who
    client.logout()
    for url in (letter, session_url(pending_session, "minutes_pdf")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def test_the_dreets_relaunches_the_documents_and_the_links_appear(
    client, pending_session, transmitted, accounts, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    client.force_login(accounts["jury"])
    assert client.post(session_url(pending_session, "documents_relaunch")).status_code == 403
    client.force_login(accounts["dreets"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(session_url(pending_session, "documents_relaunch"), follow=True)
    page = text(response)
    assert "La préparation des documents manquants est relancée." in page
    assert "Télécharger le procès-verbal (PDF)" in page and "en cours de préparation" not in page
    minutes = client.get(session_url(pending_session, "minutes_pdf"))
    assert minutes["Content-Type"] == "application/pdf"
    client.force_login(accounts["porteur.ariege"])
    page = text(client.get(reverse("dossiers:detail", args=[transmitted["09"].reference])))
    assert "Télécharger la lettre de décision (PDF)" in page
