"""Two-factor authentication through the real login forms: staff must give a second factor on every page that needs
a login; applicants may turn it on. Codes are computed from the device's secret as an authenticator app would."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactes.accounts.models import Role, StaffChange, User
from pactes.accounts.two_factor import recovery_codes_left, secret_base32
from pactes.demo.accounts import DEMO_PASSWORD
from tests.accounts.fixtures import totp_code_now
from tests.factories import PASSWORD, UserFactory

LOGIN_URL = reverse("accounts:login")
VERIFY_URL = reverse("accounts:two_factor_verify")
ENROL_URL = reverse("accounts:two_factor_enrol")
DASHBOARD_URL = reverse("core:dashboard")
STAFF_EMAILS = ["instructeur.09@demo.test", "dreets@demo.test", "jury@demo.test", "admin@demo.test"]


def password_only(client, email, password=DEMO_PASSWORD):
    response = client.post(LOGIN_URL, {"username": email, "password": password})
    assert response.status_code == 302, "the password is right"
    return response


# -- every page that needs a login refuses a session without a second factor ---------------------------------------
SAMPLE_VALUES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.uuid4())}


def _login_required_paths():
    """Every address of the site made from a ``path()`` route (sample values for its parameters), with its view."""

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if not isinstance(entry.pattern, RoutePattern):
                    continue
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
                route = prefix + str(entry.pattern)
                path = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES[m.group(1) or "str"], route)
                yield namespace, entry.name, path, entry.callback

    for namespace, name, path, view in walk(get_resolver().url_patterns, "", None):
        public = not getattr(view, "login_required", True) and namespace != "admin"
        if public or path.startswith("/oidc/"):
            continue
        if f"{namespace}:{name}" in {
            "accounts:two_factor_verify",
            "accounts:two_factor_enrol",
            "accounts:two_factor_recovery_codes",
            "accounts:logout",
            "accounts:session_keepalive",
        }:
            continue
        yield path


STAFF_PATHS = sorted(set(_login_required_paths()))


def test_the_walk_covers_the_staff_areas():
    prefixes = {
        "/instruction/",
        "/comite/",
        "/conventions/",
        "/suivi/",
        "/agents/",
        "/admin/",
        "/espace/",
        "/dossiers/",
    }
    assert all(any(path.startswith(prefix) for path in STAFF_PATHS) for prefix in prefixes)
    assert len(STAFF_PATHS) > 60


@pytest.mark.parametrize("email", STAFF_EMAILS)
def test_every_page_that_needs_a_login_refuses_a_staff_session_without_second_factor(client, demo_accounts, email):
    password_only(client, email)
    for path in STAFF_PATHS:
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, f"{method.__name__.upper()} {path}: {response.status_code}"
            assert response["Location"].startswith(VERIFY_URL), f"{path} → {response['Location']}"


def test_a_staff_member_without_an_app_is_sent_to_enrol_from_every_staff_page(client, db, departements):
    instructor = UserFactory(instructor=True)
    password_only(client, instructor.email, PASSWORD)
    for path in STAFF_PATHS:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(ENROL_URL), path


def test_a_password_only_session_keeps_the_public_pages(client, demo_accounts):
    password_only(client, "dreets@demo.test")
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(reverse("core:accessibility")).status_code == 200


def test_the_editor_background_save_of_an_unverified_session_answers_json(client, demo_accounts):
    password_only(client, "instructeur.09@demo.test")
    response = client.post(DASHBOARD_URL, HTTP_X_PACTES_AUTOSAVE="1")
    assert response.status_code == 403
    assert response.json()["saved"] is False
    assert "double authentification" in response.json()["message"]


# -- login with a code ------------------------------------------------------------------------------------------------
def test_staff_login_asks_for_the_code_then_reaches_the_page_asked(client, demo_accounts):
    password_only(client, "instructeur.09@demo.test")
    asked = client.get(reverse("instruction:queue"))
    assert asked["Location"] == f"{VERIFY_URL}?next=%2Finstruction%2F"
    page = client.get(asked["Location"])
    content = page.content.decode()
    assert "Vérification en deux étapes" in content
    assert 'autocomplete="one-time-code"' in content
    device = TOTPDevice.objects.get(user__email="instructeur.09@demo.test")
    response = client.post(VERIFY_URL, {"code": totp_code_now(device), "next": "/instruction/"})
    assert response["Location"] == "/instruction/"
    assert client.get("/instruction/").status_code == 200


def test_a_wrong_code_is_refused_in_french_and_the_session_stays_unverified(client, demo_accounts):
    password_only(client, "dreets@demo.test")
    response = client.post(VERIFY_URL, {"code": "000000"})
    assert response.status_code == 200
    assert "Code incorrect ou expiré" in response.content.decode()
    assert client.get(DASHBOARD_URL)["Location"].startswith(VERIFY_URL)


def test_a_code_serves_once(client, demo_accounts):
    device = TOTPDevice.objects.get(user__email="jury@demo.test")
    code = totp_code_now(device)
    password_only(client, "jury@demo.test")
    assert client.post(VERIFY_URL, {"code": code})["Location"] == DASHBOARD_URL
    other = Client()
    password_only(other, "jury@demo.test")
    assert other.post(VERIFY_URL, {"code": code}).status_code == 200
    assert other.get(DASHBOARD_URL).status_code == 302


def test_wrong_codes_are_throttled_by_the_device(client, demo_accounts):
    password_only(client, "admin@demo.test")
    client.post(VERIFY_URL, {"code": "111111"})
    device = TOTPDevice.objects.get(user__email="admin@demo.test")
    # django-otp refuses any code for a growing delay after a failure, even the right one.
    response = client.post(VERIFY_URL, {"code": totp_code_now(device)})
    assert response.status_code == 200
    assert "Trop de codes erronés" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
    assert client.get(DASHBOARD_URL).status_code == 302


def test_a_recovery_code_works_once_and_says_how_many_are_left(client, demo_accounts):
    user = User.objects.get(email="dreets@demo.test")
    client.force_login(user)
    client.post(reverse("accounts:two_factor_recovery_codes_new"))
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(codes) == 10
    client.post(reverse("accounts:logout"))

    password_only(client, "dreets@demo.test")
    response = client.post(VERIFY_URL, {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[-1][0] == DASHBOARD_URL
    assert "Il vous en reste 9" in response.content.decode()
    client.post(reverse("accounts:logout"))

    password_only(client, "dreets@demo.test")
    assert "Code incorrect" in client.post(VERIFY_URL, {"code": codes[0]}).content.decode()
    assert recovery_codes_left(user) == 9


def test_verify_refuses_an_outside_next(client, demo_accounts):
    password_only(client, "jury@demo.test")
    device = TOTPDevice.objects.get(user__email="jury@demo.test")
    response = client.post(VERIFY_URL, {"code": totp_code_now(device), "next": "https://ailleurs.example/"})
    assert response["Location"] == DASHBOARD_URL


# -- enrolment --------------------------------------------------------------------------------------------------------
def test_staff_enrol_with_the_qr_code_or_the_secret_and_get_ten_recovery_codes(client, db, departements):
    instructor = UserFactory(instructor=True)
    password_only(client, instructor.email, PASSWORD)
    assert client.get(DASHBOARD_URL)["Location"] == f"{ENROL_URL}?next=%2Fespace%2F"
    page = client.get(ENROL_URL, {"next": "/espace/"})
    content = page.content.decode()
    assert "obligatoire pour les agents" in content
    assert '<svg role="img" aria-label="QR code' in content
    device = TOTPDevice.objects.get(user=instructor, confirmed=False)
    shown = content.split('id="totp-secret"', 1)[1].split("</code>", 1)[0]
    assert re.sub(r"<[^>]+>", "", shown.split(">", 1)[1]) == secret_base32(device)  # in groups of four, one word
    assert "<script" not in content.split("<main", 1)[-1].split("</main>")[0]

    wrong = client.post(ENROL_URL, {"code": "12345", "next": "/espace/"})
    assert "Code incorrect" in wrong.content.decode()
    response = client.post(ENROL_URL, {"code": totp_code_now(device), "next": "/espace/"})
    assert response["Location"] == f"{reverse('accounts:two_factor_recovery_codes')}?next=%2Fespace%2F"
    codes_page = client.get(response["Location"]).content.decode()
    codes = list(StaticToken.objects.filter(device__user=instructor).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in codes_page for code in codes)
    assert "ils ne seront plus affichés" in codes_page
    assert not any(code in client.get(reverse("accounts:two_factor_recovery_codes")).content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(DASHBOARD_URL).status_code == 200


def test_re_enrolment_replaces_the_old_app(client, demo_accounts):
    user = User.objects.get(email="instructeur.11@demo.test")
    old = TOTPDevice.objects.get(user=user)
    client.force_login(user)
    client.get(ENROL_URL, {"nouveau": "1"})
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(ENROL_URL, {"code": totp_code_now(new)})
    assert list(TOTPDevice.objects.filter(user=user)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_an_unverified_staff_member_with_an_app_cannot_enrol_another_one(client, demo_accounts):
    password_only(client, "dreets@demo.test")
    response = client.get(ENROL_URL)
    assert response["Location"].startswith(VERIFY_URL)
    assert not TOTPDevice.objects.filter(user__email="dreets@demo.test", confirmed=False).exists()


# -- applicants: optional -------------------------------------------------------------------------------------------
def test_an_applicant_logs_in_with_a_password_alone_by_default(client, demo_accounts):
    password_only(client, "porteur.ariege@demo.test")
    assert client.get(DASHBOARD_URL).status_code == 200
    assert "Non activée" in client.get(reverse("accounts:two_factor")).content.decode()


def test_an_applicant_may_turn_two_factor_on_then_must_give_a_code_then_may_turn_it_off(client, demo_accounts):
    password_only(client, "porteur.aude@demo.test")
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user__email="porteur.aude@demo.test", confirmed=False)
    client.post(ENROL_URL, {"code": totp_code_now(device)})
    assert client.get(DASHBOARD_URL).status_code == 200  # this session gave the code at enrolment
    client.post(reverse("accounts:logout"))

    password_only(client, "porteur.aude@demo.test")
    assert client.get(DASHBOARD_URL)["Location"].startswith(VERIFY_URL)
    client.post(VERIFY_URL, {"code": totp_code_now(device)})
    assert "Activée" in client.get(reverse("accounts:two_factor")).content.decode()
    client.post(reverse("accounts:two_factor_disable"))
    assert not TOTPDevice.objects.filter(user__email="porteur.aude@demo.test").exists()
    client.post(reverse("accounts:logout"))
    password_only(client, "porteur.aude@demo.test")
    assert client.get(DASHBOARD_URL).status_code == 200


def test_staff_cannot_turn_two_factor_off(client, demo_accounts):
    user = User.objects.get(email="jury@demo.test")
    client.force_login(user)
    response = client.post(reverse("accounts:two_factor_disable"), follow=True)
    assert "obligatoire pour les agents" in response.content.decode()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_force_login_of_staff_in_tests_is_a_verified_session(client, demo_accounts):
    """The test mechanism of tests/conftest.py, checked: force_login means « fully logged in »."""
    client.force_login(User.objects.get(email="dreets@demo.test"))
    assert client.get(reverse("committee:index")).status_code == 200


def test_log_in_without_second_factor_fixture_leaves_the_session_unverified(
    client, demo_accounts, log_in_without_second_factor
):
    log_in_without_second_factor(client, User.objects.get(email="dreets@demo.test"))
    assert client.get(reverse("committee:index"))["Location"].startswith(VERIFY_URL)


# -- re-enrolment by the DREETS or an administrator ------------------------------------------------------------------
def test_the_dreets_resets_a_lost_second_factor_and_it_is_logged(client, demo_accounts):
    dreets = User.objects.get(email="dreets@demo.test")
    instructor = User.objects.get(email="instructeur.09@demo.test")
    client.force_login(dreets)
    response = client.post(reverse("staff:reset_second_factor", args=[instructor.pk]))
    assert response["Location"] == reverse("staff:index")
    assert not TOTPDevice.objects.filter(user=instructor).exists()
    change = StaffChange.objects.get(user=instructor)
    assert (change.by, change.action) == (dreets, StaffChange.Action.SECOND_FACTOR_RESET)

    other = Client()
    password_only(other, "instructeur.09@demo.test")
    assert other.get(DASHBOARD_URL)["Location"].startswith(ENROL_URL)


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.JURY])
def test_only_the_dreets_and_administrators_reset_a_second_factor(client, demo_accounts, role):
    actor = User.objects.filter(role=role).first()
    target = User.objects.get(email="instructeur.11@demo.test")
    client.force_login(actor)
    assert client.post(reverse("staff:reset_second_factor", args=[target.pk])).status_code == 404
    assert TOTPDevice.objects.filter(user=target).exists()


def test_an_administrator_resets_a_second_factor_from_the_django_admin(client, demo_accounts):
    admin = User.objects.get(email="admin@demo.test")
    dreets = User.objects.get(email="dreets@demo.test")
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [dreets.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=dreets).exists()
    assert StaffChange.objects.filter(user=dreets, by=admin, action=StaffChange.Action.SECOND_FACTOR_RESET).exists()
