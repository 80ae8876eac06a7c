"""Authentication pages: login with throttling, logout, password reset by e-mail, password change."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from pactes.accounts.models import User
from pactes.accounts.throttling import lockout_username
from pactes.demo.accounts import DEMO_PASSWORD
from pactes.outbox.models import OutgoingEmail

LOGIN_URL = reverse("accounts:login")
DASHBOARD_URL = reverse("core:dashboard")


def post_login(client, email, password):
    return client.post(LOGIN_URL, {"username": email, "password": password})


@pytest.mark.django_db
def test_login_page_is_public_french_and_offers_password_reset(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Connexion à Pactes" in content
    assert "Adresse électronique" in content
    assert reverse("accounts:password_reset") in content


def test_login_with_the_right_password_lands_on_the_dashboard(client, demo_accounts):
    response = post_login(client, "porteur.ariege@demo.test", DEMO_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD_URL


@pytest.mark.engine
def test_login_ignores_the_case_of_the_email(client, demo_accounts):
    response = post_login(client, "Porteur.Ariege@Demo.TEST", DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.get(DASHBOARD_URL).context["user"].email == "porteur.ariege@demo.test"


def test_login_with_a_wrong_password_answers_in_french(client, demo_accounts):
    response = post_login(client, "porteur.ariege@demo.test", "mauvais-mot-de-passe")
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()


def test_login_of_an_inactive_account_is_refused(client, demo_accounts):
    User.objects.filter(email="jury@demo.test").update(is_active=False)
    response = post_login(client, "jury@demo.test", DEMO_PASSWORD)
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


def test_login_is_locked_after_five_failures_for_an_address(client, demo_accounts, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "instructeur.09@demo.test", "mauvais-mot-de-passe").status_code == 200
    locked = post_login(client, "instructeur.09@demo.test", "mauvais-mot-de-passe")
    assert locked.status_code == 429
    assert "accounts/lockout.html" in [t.name for t in locked.templates]
    assert "Connexion suspendue" in locked.content.decode()

    # Even the right password is refused while the address is locked.
    again = post_login(client, "instructeur.09@demo.test", DEMO_PASSWORD)
    assert again.status_code == 429
    assert not client.get(LOGIN_URL).context["user"].is_authenticated


def test_lockout_of_one_address_leaves_other_addresses_free(client, demo_accounts, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "instructeur.09@demo.test", "mauvais-mot-de-passe")
    assert post_login(client, "instructeur.11@demo.test", DEMO_PASSWORD).status_code == 302


def test_lockout_counts_an_address_whatever_its_case(client, demo_accounts, settings):
    settings.AXES_USERNAME_CALLABLE = "pactes.accounts.throttling.lockout_username"
    for index in range(settings.AXES_FAILURE_LIMIT):
        email = "DREETS@demo.test" if index % 2 else "dreets@Demo.Test"
        response = post_login(client, email, "mauvais-mot-de-passe")
    assert response.status_code == 429


def test_lockout_username_is_the_normalised_email(rf):
    request = rf.post(LOGIN_URL, {"username": "  Jury@Demo.Test "})
    assert lockout_username(request, None) == "jury@demo.test"
    assert lockout_username(request, {"username": "Admin@Demo.test"}) == "admin@demo.test"
    assert lockout_username(rf.post(LOGIN_URL, {}), None) is None


def test_logout_is_a_post_that_ends_the_session(client, demo_accounts):
    post_login(client, "dreets@demo.test", DEMO_PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(DASHBOARD_URL).status_code == 302


def test_password_reset_sends_a_french_email_whose_link_sets_a_new_password(
    client, demo_accounts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "Porteur.Aude@demo.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["porteur.aude@demo.test"]
    # Through the outbox (one mail sender), with the account subject prefix.
    assert message.subject == "[Pactes] Réinitialisation de votre mot de passe"
    assert OutgoingEmail.objects.get(template="emails/password_reset.txt").is_sent
    assert "Pour choisir un nouveau mot de passe, ouvrez ce lien" in message.body
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    new_password = "Corbieres-2024-solidaires"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert User.objects.get(email="porteur.aude@demo.test").check_password(new_password)

    # The link serves only once.
    assert not client.get(link, follow=True).context["validlink"]


def test_password_reset_answers_the_same_for_an_unknown_address(
    client, demo_accounts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:password_reset"), {"email": "jury@demo.test"})
        unknown = client.post(reverse("accounts:password_reset"), {"email": "inconnu@demo.test"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1
    done = client.get(unknown["Location"])
    assert "Si un compte Pactes correspond à cette adresse" in done.content.decode()


@pytest.mark.django_db
def test_password_reset_with_an_invalid_address_answers_in_french(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "pas-une-adresse"})
    assert response.status_code == 200
    assert "Saisissez une adresse électronique valide" in response.content.decode()
    assert mail.outbox == []


def test_password_reset_confirm_with_a_bad_link_says_it_is_no_longer_valid(client, demo_accounts):
    url = reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "faux-jeton"})
    response = client.get(url)
    assert response.status_code == 200
    assert "Ce lien n’est plus valable" in response.content.decode()


def test_password_change_needs_the_current_password_and_keeps_the_session(client, demo_accounts, log_in_with_code):
    log_in_with_code(client, "instructeur.11@demo.test", DEMO_PASSWORD)
    url = reverse("accounts:password_change")
    wrong = client.post(
        url,
        {"old_password": "faux", "new_password1": "Aude-2024-instruction", "new_password2": "Aude-2024-instruction"},
    )
    assert "Votre mot de passe actuel est incorrect" in wrong.content.decode()

    response = client.post(
        url,
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Aude-2024-instruction",
            "new_password2": "Aude-2024-instruction",
        },
    )
    assert response["Location"] == DASHBOARD_URL
    assert User.objects.get(email="instructeur.11@demo.test").check_password("Aude-2024-instruction")
    assert client.get(DASHBOARD_URL).status_code == 200


@pytest.mark.django_db
def test_password_change_is_not_open_to_anonymous_visitors(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
