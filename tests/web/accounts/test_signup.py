"""Sign-up: an account from the login and call pages, its address confirmed by a single-use link valid 24 h before
any dossier, an address already registered never revealed, requests limited per client address and per e-mail."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pactes.accounts.models import EmailConfirmation, Role, User
from pactes.accounts.rate_limits import LIMIT_MESSAGE
from pactes.dossiers.editing import EditRefused, dossier_create
from pactes.organisations.models import Membership, Organisation
from pactes.outbox.models import OutgoingEmail
from tests.web.editor import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = reverse("signup:signup")
STRONG = "Entraide-Foix-2026!"


def form(email="camille.roux@asso-foix.test", **changes):
    return {
        "email": email,
        "first_name": "Camille",
        "last_name": "Roux",
        "password1": STRONG,
        "password2": STRONG,
        "consent": "on",
        **changes,
    }


def sign_up(client, capture, data=None, address="203.0.113.7"):
    with capture(execute=True):
        return client.post(SIGNUP, data or form(), REMOTE_ADDR=address)


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def test_the_login_page_offers_to_create_an_account(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Créer un compte pour déposer un projet" in page
    assert SIGNUP in page


def test_the_call_page_offers_to_create_an_account_while_filing_is_open(client, editor_call):
    page = client.get(reverse("calls:detail", args=[editor_call.slug])).content.decode()
    assert "Créer un compte pour déposer un projet" in page


def test_the_signup_page_loads_the_strength_meter_that_sends_nothing(client):
    page = client.get(SIGNUP).content.decode()
    assert 'src="/static/pactes/password-strength.js" defer' in page
    assert "<script>" not in page
    script = (Path(__file__).parents[3] / "pactes/static/pactes/password-strength.js").read_text()
    for sending in ("fetch(", "XMLHttpRequest", "sendBeacon", "localStorage", "WebSocket"):
        assert sending not in script


def test_signing_up_creates_an_unconfirmed_applicant_and_mails_the_link(client, django_capture_on_commit_callbacks):
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("signup:sent")
    user = User.objects.get(email="camille.roux@asso-foix.test")
    assert user.role == Role.APPLICANT and not user.email_is_confirmed and user.privacy_accepted_at
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[Pactes] Confirmez votre adresse électronique"
    assert OutgoingEmail.objects.filter(template="emails/account_confirmation.txt").count() == 1
    assert "Un courriel vous a été envoyé" in client.get(response["Location"]).content.decode()


def test_the_link_confirms_once_on_a_button_press(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    user = User.objects.get(email="camille.roux@asso-foix.test")
    assert client.get(link).status_code == 200  # a mail scanner opening the link confirms nothing
    user.refresh_from_db()
    assert not user.email_is_confirmed
    response = client.post(link)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email_is_confirmed
    again = client.post(link)
    assert again.status_code == 410
    assert "déjà confirmée" in again.content.decode()


def test_the_link_expires_after_24_hours(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    EmailConfirmation.objects.update(created_at=timezone.now() - dt.timedelta(hours=24, minutes=1))
    response = client.post(link_in(mail.outbox[0]))
    assert response.status_code == 410
    assert "expiré" in response.content.decode()
    assert not User.objects.get(email="camille.roux@asso-foix.test").email_is_confirmed


def test_a_new_link_retires_the_previous_one(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    first = link_in(mail.outbox[0])
    user = User.objects.get(email="camille.roux@asso-foix.test")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup:resend"))
    second = link_in(mail.outbox[1])
    assert client.post(first).status_code == 410
    assert client.post(second).status_code == 302


def test_an_unknown_link_is_refused_in_french(client):
    response = client.post(reverse("signup:confirm", args=["pas-un-jeton"]))
    assert response.status_code == 410
    assert "pas valide" in response.content.decode()


def test_an_address_already_registered_gets_the_same_answer_and_its_owner_is_told(
    client, editor_applicant, django_capture_on_commit_callbacks
):
    owner = editor_applicant[0]
    fresh = sign_up(client, django_capture_on_commit_callbacks, form("quelquun.nouveau@asso-foix.test"))
    taken = sign_up(client, django_capture_on_commit_callbacks, form(owner.email.upper()))
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert User.objects.filter(email__iexact=owner.email).count() == 1
    told = [m for m in mail.outbox if m.to == [owner.email]]
    assert len(told) == 1
    assert told[0].subject == "[Pactes] Tentative d'inscription avec votre adresse"
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)  # nothing changed on the existing account


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password1": "1234567890123", "password2": "1234567890123"}, "entièrement numérique"),
        ({"password1": "court", "password2": "court"}, "trop court"),
        ({"password2": "Autre-chose-2026!"}, "ne sont pas identiques"),
        ({"consent": ""}, "cochez la case"),
        ({"email": "pas-une-adresse"}, "adresse électronique valide"),
        ({"password1": "camille.roux.asso", "password2": "camille.roux.asso"}, "trop semblable"),
    ],
)
def test_an_invalid_sign_up_is_refused_in_french_and_creates_nothing(client, changes, message):
    response = client.post(SIGNUP, form(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_sign_up_is_limited_per_client_address(client, django_capture_on_commit_callbacks):
    for n in range(5):
        assert sign_up(client, django_capture_on_commit_callbacks, form(f"p{n}@asso-foix.test")).status_code == 302
    refused = sign_up(client, django_capture_on_commit_callbacks, form("p9@asso-foix.test"))
    assert refused.status_code == 429
    assert LIMIT_MESSAGE.split(".")[0] in refused.content.decode()
    assert not User.objects.filter(email="p9@asso-foix.test").exists()
    # Another client address may still sign up.
    assert (
        sign_up(client, django_capture_on_commit_callbacks, form("p9@asso-foix.test"), "198.51.100.2").status_code
        == 302
    )


def test_sign_up_is_limited_per_email_from_any_address(client, editor_applicant, django_capture_on_commit_callbacks):
    owner = editor_applicant[0]
    for n in range(5):
        sign_up(client, django_capture_on_commit_callbacks, form(owner.email), f"198.51.100.{n + 1}")
    refused = sign_up(client, django_capture_on_commit_callbacks, form(owner.email), "198.51.100.99")
    assert refused.status_code == 429
    assert len([m for m in mail.outbox if m.to == [owner.email]]) == 5


def test_password_reset_is_limited_and_says_the_same_for_an_unknown_address(
    client, editor_applicant, django_capture_on_commit_callbacks
):
    url = reverse("accounts:password_reset")
    owner = editor_applicant[0]
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert client.post(url, {"email": owner.email}).status_code == 302
        known = client.post(url, {"email": owner.email})
    assert len(mail.outbox) == 5  # 10 requests never send 10 e-mails
    for n in range(5):
        client.post(url, {"email": "inconnu@asso-foix.test"}, REMOTE_ADDR=f"192.0.2.{n + 1}")
    unknown = client.post(url, {"email": "inconnu@asso-foix.test"}, REMOTE_ADDR="192.0.2.99")
    assert known.status_code == unknown.status_code == 429
    assert LIMIT_MESSAGE.split(".")[0] in known.content.decode()
    assert LIMIT_MESSAGE.split(".")[0] in unknown.content.decode()


def test_an_unconfirmed_account_cannot_create_a_dossier(client, editor_call, departements):
    user = User.objects.create_user(
        "pas.confirme@asso-foix.test", PASSWORD, role=Role.APPLICANT, email_confirmed_at=None
    )
    organisation = Organisation.objects.create(name="Asso", siret="50123456100006", kind="association")
    Membership.objects.create(organisation=organisation, user=user, is_admin=True)
    with pytest.raises(EditRefused, match="Confirmez d'abord votre adresse"):
        dossier_create(call=editor_call, organisation=organisation, title="Projet", by=user)
    client.force_login(user)
    page = client.get(reverse("dossiers:new")).content.decode()
    assert "Confirmez d'abord votre adresse électronique" in page
    response = client.post(
        reverse("dossiers:new"),
        {"call": editor_call.slug, "title": "Épicerie solidaire", "organisation": str(organisation.pk)},
    )
    assert response.status_code == 200
    assert "Confirmez d'abord votre adresse" in response.content.decode()
    assert not organisation.dossiers.exists()


def test_accounts_created_by_others_are_confirmed(departements):
    assert User.objects.create_user("agent@dreets.test", PASSWORD, role=Role.DREETS).email_is_confirmed
