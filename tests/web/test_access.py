"""Scoped access: each role sees only its scope; hidden dossiers answer 404, anonymous visitors go to the login page."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactes.accounts.models import Role, User
from pactes.demo.accounts import DEMO_PASSWORD
from pactes.dossiers.models import Dossier
from pactes.organisations.models import Organisation
from tests.accounts.fixtures import totp_code_now

LOGIN_URL = reverse("accounts:login")
DASHBOARD_URL = reverse("core:dashboard")


def detail_url(dossier):
    return reverse("dossiers:detail", kwargs={"reference": dossier.reference})


def log_in(client, email):
    """The login form, then, for an account with an authenticator (every demo staff account), its current code."""
    client.logout()
    response = client.post(LOGIN_URL, {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{email} n'a pas pu se connecter"
    device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
    if device is not None:
        verified = client.post(
            reverse("accounts:two_factor_verify"), {"code": totp_code_now(device), "next": response["Location"]}
        )
        assert verified.status_code == 302, f"{email} : code refusé"
    return response


@pytest.mark.parametrize(
    ("email", "sees"),
    [
        ("instructeur.09@demo.test", {"09"}),
        ("instructeur.11@demo.test", {"11"}),
        ("porteur.ariege@demo.test", {"09"}),
        ("porteur.aude@demo.test", {"11"}),
        ("dreets@demo.test", {"09", "11"}),
        ("admin@demo.test", {"09", "11"}),
        ("jury@demo.test", set()),
    ],
)
def test_each_role_reaches_only_the_filed_dossiers_of_its_scope(client, demo_dossiers, email, sees):
    log_in(client, email)
    for code, dossier in demo_dossiers.items():
        expected = 200 if code in sees else 404
        assert client.get(detail_url(dossier)).status_code == expected, (email, dossier.reference)


def test_instructor_09_gets_404_on_the_aude_dossier_and_200_on_the_ariege_one(client, demo_dossiers):
    log_in(client, "instructeur.09@demo.test")
    assert client.get(detail_url(demo_dossiers["11"])).status_code == 404
    ariege = client.get(detail_url(demo_dossiers["09"]))
    assert ariege.status_code == 200
    assert "PTS-2024-09-0001" in ariege.content.decode()


def test_hidden_dossier_does_not_leak_into_the_dashboard(client, demo_dossiers):
    log_in(client, "porteur.ariege@demo.test")
    content = client.get(DASHBOARD_URL).content.decode()
    assert demo_dossiers["09"].reference in content
    assert demo_dossiers["11"].reference not in content


def test_jury_sees_nothing_before_any_transmission_to_the_committee(client, demo_dossiers):
    log_in(client, "jury@demo.test")
    content = client.get(DASHBOARD_URL).content.decode()
    assert "Aucun dossier dans votre périmètre" in content


def test_a_draft_is_invisible_to_instructors_and_dreets_but_visible_to_its_applicant(client, demo_dossiers, call):
    ariege = Organisation.objects.get(siret=demo_dossiers["09"].organisation.siret)
    draft = Dossier.objects.create(
        call=call,
        organisation=ariege,
        reference="PTS-2024-09-0002",
        title="Projet en préparation",
        departement=demo_dossiers["09"].departement,
        created_by=User.objects.get(email="porteur.ariege@demo.test"),
    )
    for email in ("instructeur.09@demo.test", "dreets@demo.test", "porteur.aude@demo.test"):
        log_in(client, email)
        assert client.get(detail_url(draft)).status_code == 404, email
    log_in(client, "porteur.ariege@demo.test")
    assert client.get(detail_url(draft)).status_code == 200


@pytest.mark.parametrize("path", ["/espace/", "/dossiers/PTS-2024-09-0001/"])
def test_anonymous_visitor_is_sent_to_the_login_page_and_never_sees_the_content(client, demo_dossiers, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={path}"
    assert b"PTS-2024-09-0001" not in response.content


def test_inactive_account_loses_access_at_once(client, demo_dossiers):
    log_in(client, "dreets@demo.test")
    User.objects.filter(email="dreets@demo.test").update(is_active=False)
    assert client.get(detail_url(demo_dossiers["09"])).status_code == 302


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("porteur.ariege@demo.test", Role.APPLICANT),
        ("porteur.aude@demo.test", Role.APPLICANT),
        ("instructeur.09@demo.test", Role.INSTRUCTOR),
        ("instructeur.11@demo.test", Role.INSTRUCTOR),
        ("dreets@demo.test", Role.DREETS),
        ("jury@demo.test", Role.JURY),
        ("admin@demo.test", Role.ADMIN),
    ],
)
def test_each_demo_account_logs_in_with_the_demo_password_and_lands_on_its_space(client, demo_accounts, email, role):
    response = log_in(client, email)
    assert response["Location"] == DASHBOARD_URL
    page = client.get(DASHBOARD_URL)
    assert page.status_code == 200
    content = page.content.decode()
    assert email in content
    assert role.label in content
