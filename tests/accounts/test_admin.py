"""Administration: only staff reach /admin/; accounts and organisations are managed there."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactes.accounts.models import Role, User
from pactes.demo.accounts import DEMO_PASSWORD
from pactes.organisations.models import Organisation
from tests.accounts.fixtures import totp_code_now


def log_in(client, email):
    """Password, then the code of the account's authenticator (every demo staff account has one)."""
    client.logout()
    assert client.post(reverse("accounts:login"), {"username": email, "password": DEMO_PASSWORD}).status_code == 302
    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    assert client.post(reverse("accounts:two_factor_verify"), {"code": totp_code_now(device)}).status_code == 302


def test_only_staff_reach_the_administration(client, demo_accounts):
    log_in(client, "dreets@demo.test")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    log_in(client, "admin@demo.test")
    assert client.get("/admin/").status_code == 200


def test_anonymous_visitor_does_not_reach_the_administration(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_user_list_shows_role_and_departement_and_filters_by_role(client, demo_accounts):
    log_in(client, "admin@demo.test")
    url = reverse("admin:accounts_user_changelist")
    content = client.get(url).content.decode()
    assert "Instructeur DDETS-PP" in content
    assert "Ariège (09)" in content
    filtered = client.get(url, {"role__exact": Role.JURY}).content.decode()
    assert "jury@demo.test" in filtered
    assert "dreets@demo.test" not in filtered


def test_admin_creates_an_instructor_with_a_password(client, demo_accounts, departements):
    log_in(client, "admin@demo.test")
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Nouvel.Instructeur@demo.test",
            "first_name": "Léa",
            "last_name": "Bosc",
            "role": Role.INSTRUCTOR,
            "departement": departements["09"].pk,
            "usable_password": "true",
            "password1": "Ariege-instruction-2024",
            "password2": "Ariege-instruction-2024",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nouvel.instructeur@demo.test")
    assert user.departement == departements["09"]
    assert user.check_password("Ariege-instruction-2024")


def test_admin_cannot_create_an_instructor_without_departement(client, demo_accounts):
    log_in(client, "admin@demo.test")
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "sans.departement@demo.test",
            "role": Role.INSTRUCTOR,
            "usable_password": "true",
            "password1": "Ariege-instruction-2024",
            "password2": "Ariege-instruction-2024",
        },
    )
    assert response.status_code == 200
    assert "Un instructeur DDETS-PP a un département, et lui seul." in response.content.decode()
    assert not User.objects.filter(email="sans.departement@demo.test").exists()


@pytest.mark.engine
def test_admin_cannot_create_a_second_account_with_the_same_email_in_another_case(client, demo_accounts):
    log_in(client, "admin@demo.test")
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "JURY@demo.test",
            "role": Role.JURY,
            "usable_password": "true",
            "password1": "Jury-comite-2024-ok",
            "password2": "Jury-comite-2024-ok",
        },
    )
    assert "Un compte existe déjà avec cette adresse électronique." in response.content.decode()


def test_organisation_page_lists_its_members_inline(client, demo_accounts):
    log_in(client, "admin@demo.test")
    organisation = Organisation.objects.get(name="Association Solidarités Couserans")
    response = client.get(reverse("admin:organisations_organisation_change", args=[organisation.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "membres" in content.lower()
    assert "Camille Roux" in content


def test_the_administration_is_in_french_with_french_section_names(client, demo_accounts):
    client.force_login(User.objects.get(email="admin@demo.test"))
    content = client.get("/admin/").content.decode()
    for section in (
        "Administration de Pactes",
        "Comptes et accès",
        "Journal des comptes agents",
        "Double authentification : applications d&#x27;authentification",
        "Double authentification : codes de secours",
        "Tentatives de connexion et verrouillages",
        "Tâches de fond",
        "Comité régional",
        "Organisations porteuses",
        "Appels",
        "Conventions",
        "Courriels envoyés",
    ):
        assert section in content, section
    for english in (
        "Accounts",
        "Otp_Totp",
        "OTP_TOTP",
        ">Axes<",
        "Tasks Database Backend",
        "TOTP device",
        "Static device",
    ):
        assert english not in content, english
