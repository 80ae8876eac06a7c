"""Session expiry: staff after 30 minutes without a request and 12 hours after login, applicants after 2 hours without
a request; pages give session.js what it needs to warn (aria-live) and to ask the editor to save. The clock is the
session's own record, moved back by the tests (no waiting)."""

import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from pactes.accounts.models import User
from pactes.web.accounts.sessions import ACTIVITY_AT_KEY, LOGIN_AT_KEY

# CI runs the whole suite on PostgreSQL and the `engine` tests on SQLite: throttling and expiry must hold on both.
pytestmark = pytest.mark.engine

DASHBOARD_URL = reverse("core:dashboard")
LOGIN_URL = reverse("accounts:login")
KEEPALIVE_URL = reverse("accounts:session_keepalive")
MINUTE = 60


def age_session(client, *, idle=0, since_login=0):
    """The last request was ``idle`` seconds ago and the login ``since_login`` seconds ago."""
    session = client.session
    now = time.time()
    session[ACTIVITY_AT_KEY] = now - idle
    session[LOGIN_AT_KEY] = now - max(since_login, idle)
    session.save()


def log_in(client, email):
    client.force_login(User.objects.get(email=email))
    assert client.get(DASHBOARD_URL).status_code == 200


@pytest.mark.parametrize("email", ["instructeur.09@demo.test", "dreets@demo.test", "jury@demo.test"])
def test_a_staff_session_ends_after_thirty_minutes_without_a_request(client, demo_accounts, email):
    log_in(client, email)
    age_session(client, idle=31 * MINUTE)
    response = client.get(DASHBOARD_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=%2Fespace%2F"
    assert any("Votre session a expiré" in str(m) for m in get_messages(response.wsgi_request))
    assert client.get(DASHBOARD_URL)["Location"].startswith(LOGIN_URL)  # logged out, not only redirected


def test_a_staff_session_stays_within_thirty_minutes(client, demo_accounts):
    log_in(client, "dreets@demo.test")
    age_session(client, idle=29 * MINUTE)
    assert client.get(DASHBOARD_URL).status_code == 200


def test_a_staff_session_ends_twelve_hours_after_login_even_when_active(client, demo_accounts):
    log_in(client, "instructeur.11@demo.test")
    age_session(client, idle=MINUTE, since_login=12 * 3600 + MINUTE)
    assert client.get(DASHBOARD_URL)["Location"].startswith(LOGIN_URL)


def test_a_staff_session_active_for_eleven_hours_goes_on(client, demo_accounts):
    log_in(client, "instructeur.11@demo.test")
    age_session(client, idle=MINUTE, since_login=11 * 3600)
    assert client.get(DASHBOARD_URL).status_code == 200


def test_an_applicant_session_ends_after_two_hours_without_a_request(client, demo_accounts):
    log_in(client, "porteur.ariege@demo.test")
    age_session(client, idle=119 * MINUTE)
    assert client.get(DASHBOARD_URL).status_code == 200
    age_session(client, idle=121 * MINUTE)
    assert client.get(DASHBOARD_URL)["Location"].startswith(LOGIN_URL)


def test_an_applicant_session_has_no_absolute_limit(client, demo_accounts):
    log_in(client, "porteur.aude@demo.test")
    age_session(client, idle=MINUTE, since_login=30 * 3600)
    assert client.get(DASHBOARD_URL).status_code == 200


def test_a_request_is_activity(client, demo_accounts):
    log_in(client, "dreets@demo.test")
    age_session(client, idle=20 * MINUTE)
    client.get(DASHBOARD_URL)
    assert time.time() - client.session[ACTIVITY_AT_KEY] < MINUTE


def test_stay_logged_in_answers_the_seconds_left(client, demo_accounts):
    log_in(client, "jury@demo.test")
    age_session(client, idle=27 * MINUTE)
    answer = client.post(KEEPALIVE_URL, HTTP_X_PACTES_SESSION="1").json()
    assert 29 * MINUTE <= answer["seconds_left"] <= 30 * MINUTE
    assert client.get(KEEPALIVE_URL).status_code == 405


def test_stay_logged_in_after_the_end_says_it_is_over(client, demo_accounts):
    log_in(client, "jury@demo.test")
    age_session(client, idle=31 * MINUTE)
    response = client.post(KEEPALIVE_URL, HTTP_X_PACTES_SESSION="1")
    assert response.status_code == 401
    assert response.json()["expired"] is True


def test_the_editor_background_save_after_the_end_answers_json(client, demo_accounts):
    log_in(client, "porteur.ariege@demo.test")
    age_session(client, idle=3 * 3600)
    response = client.post(DASHBOARD_URL, HTTP_X_PACTES_AUTOSAVE="1")
    assert response.status_code == 401
    assert response.json() == {
        "saved": False,
        "expired": True,
        "message": response.json()["message"],
    }
    assert "Votre session a expiré" in response.json()["message"]


def test_every_page_of_a_logged_in_person_carries_the_warning_region_and_its_script(client, demo_accounts):
    log_in(client, "instructeur.09@demo.test")
    content = client.get(DASHBOARD_URL).content.decode()
    assert 'id="session-expiry"' in content
    assert 'aria-live="assertive"' in content
    assert 'data-warning-seconds="300"' in content
    assert 'data-idle-seconds="1800"' in content
    assert 'data-keepalive-url="/compte/session/prolonger/"' in content
    assert '<script src="/static/pactes/session.js" defer></script>' in content
    assert "Votre session va bientôt expirer" in content  # in a <template>, written into the region when due


def test_an_applicant_page_has_no_absolute_limit_for_the_script(client, demo_accounts):
    log_in(client, "porteur.ariege@demo.test")
    content = client.get(DASHBOARD_URL).content.decode()
    assert 'data-idle-seconds="7200"' in content
    assert 'data-absolute-seconds-left=""' in content


@pytest.mark.django_db
def test_anonymous_pages_have_no_session_warning(client):
    content = client.get(reverse("core:home")).content.decode()
    assert "session-expiry" not in content
    assert "session.js" not in content


def test_the_limits_are_settings(client, demo_accounts, settings):
    settings.PACTES_SESSION_STAFF_IDLE_SECONDS = 5 * MINUTE
    log_in(client, "dreets@demo.test")
    age_session(client, idle=6 * MINUTE)
    assert client.get(DASHBOARD_URL)["Location"].startswith(LOGIN_URL)


def test_the_editor_saves_when_the_session_is_about_to_end(settings):
    """session.js announces the end; dossier.js saves on that event (static files, no inline script)."""
    static = settings.BASE_DIR / "pactes" / "static" / "pactes"
    session_js = (static / "session.js").read_text()
    dossier_js = (static / "dossier.js").read_text()
    assert 'new CustomEvent("pactes:session-expiring")' in session_js
    assert 'addEventListener("pactes:session-expiring", save)' in dossier_js
