"""ProConnect login against a fake provider: the token and userinfo calls are answered by mocks, the ID token is
signed in HS256 with the client secret. A known, active account is logged in; anyone else is refused."""

import time
from unittest import mock
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactes.accounts.models import User
from tests.accounts.fixtures import totp_code_now

CLIENT_ID = "pactes-recette"
CLIENT_SECRET = "secret-de-recette-proconnect-assez-long-pour-hs256"
PROVIDER = "https://proconnect.test/api/v2"


@pytest.fixture
def proconnect(settings):
    settings.PROCONNECT_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_STORE_ID_TOKEN = True
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROVIDER}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{PROVIDER}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{PROVIDER}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{PROVIDER}/jwks"
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{PROVIDER}/session/end"
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "pactes.accounts.backends.EmailBackend",
        "pactes.accounts.oidc.ProConnectBackend",
    ]
    return settings


class FakeResponse:
    def __init__(self, payload, url):
        self.payload, self.url = payload, url
        self.status_code = 200
        self.headers = {"content-type": "application/json"}
        self.text = str(payload)

    def json(self):
        return self.payload

    def raise_for_status(self):
        return None


def sign_in_through_proconnect(client, claims, *, next_url="/espace/", sub="agent-0001", acr="eidas1", amr=None):
    """Goes to ProConnect, comes back with a code; the provider answers with ``claims``. Returns the callback
    response and the mocked token call."""
    start = client.get(reverse("oidc_authentication_init"), {"next": next_url})
    assert start.status_code == 302
    query = parse_qs(urlparse(start["Location"]).query)
    id_token = jwt.encode(
        {
            "iss": PROVIDER,
            "aud": CLIENT_ID,
            "sub": sub,
            "nonce": query["nonce"][0],
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "acr": acr,
            **({"amr": amr} if amr is not None else {}),
        },
        CLIENT_SECRET,
        algorithm="HS256",
    )
    token = FakeResponse({"id_token": id_token, "access_token": "jeton-d-acces", "token_type": "Bearer"}, PROVIDER)
    userinfo = FakeResponse({"sub": sub, **claims}, PROVIDER)
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post", return_value=token) as token_call,
        mock.patch("mozilla_django_oidc.auth.requests.get", return_value=userinfo),
    ):
        response = client.get(
            reverse("oidc_authentication_callback"), {"code": "code-de-test", "state": query["state"][0]}
        )
    return response, token_call


@pytest.mark.django_db
def test_login_page_has_no_proconnect_button_when_proconnect_is_not_configured(client, settings):
    settings.PROCONNECT_ENABLED = False
    assert "ProConnect" not in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
def test_login_page_offers_proconnect_when_it_is_configured(client, proconnect):
    content = client.get(reverse("accounts:login")).content.decode()
    assert "S’identifier avec" in content
    assert '<span class="fr-connect__brand">ProConnect</span>' in content
    assert reverse("oidc_authentication_init") in content


@pytest.mark.django_db
def test_proconnect_start_asks_for_eidas1_and_the_email_scope(client, proconnect):
    response = client.get(reverse("oidc_authentication_init"))
    location = urlparse(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{PROVIDER}/authorize"
    assert query["acr_values"] == ["eidas1"]
    assert "email" in query["scope"][0].split()
    assert query["redirect_uri"][0].endswith("/oidc/callback/")
    assert query["client_id"] == [CLIENT_ID]


def test_known_user_is_logged_in_through_the_proconnect_callback(client, proconnect, demo_accounts):
    response, token_call = sign_in_through_proconnect(
        client, {"email": "Instructeur.09@Demo.Test", "given_name": "Sophie", "usual_name": "Fabre"}, acr="eidas2"
    )
    assert response.status_code == 302
    assert response["Location"] == "/espace/"
    assert token_call.call_args.kwargs["data"]["redirect_uri"].endswith("/oidc/callback/")
    dashboard = client.get("/espace/")
    assert dashboard.context["user"].email == "instructeur.09@demo.test"
    assert "Instructeur DDETS-PP" in dashboard.content.decode()


def test_unknown_user_is_refused_and_no_account_is_created(client, proconnect, demo_accounts):
    response, _ = sign_in_through_proconnect(client, {"email": "agent.inconnu@interieur.gouv.fr"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not User.objects.filter(email__iexact="agent.inconnu@interieur.gouv.fr").exists()
    assert client.get("/espace/").status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Aucun compte Pactes actif ne correspond" in m for m in messages)


def test_inactive_user_is_refused_through_proconnect(client, proconnect, demo_accounts):
    User.objects.filter(email="dreets@demo.test").update(is_active=False)
    response, _ = sign_in_through_proconnect(client, {"email": "dreets@demo.test"})
    assert response["Location"] == reverse("accounts:login")
    assert client.get("/espace/").status_code == 302


def test_proconnect_fills_only_empty_names(client, proconnect, demo_accounts):
    User.objects.filter(email="jury@demo.test").update(first_name="")
    sign_in_through_proconnect(client, {"email": "jury@demo.test", "given_name": "Marcel", "usual_name": "Autre"})
    user = User.objects.get(email="jury@demo.test")
    assert (user.first_name, user.last_name) == ("Marcel", "Delpech")


def test_logout_after_proconnect_also_ends_the_proconnect_session(client, proconnect, demo_accounts):
    sign_in_through_proconnect(client, {"email": "dreets@demo.test"})
    response = client.post(reverse("accounts:logout"))
    location = urlparse(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{PROVIDER}/session/end"
    assert query["id_token_hint"][0]
    assert query["post_logout_redirect_uri"][0].startswith("http://testserver/")
    assert client.get("/espace/").status_code == 302


# -- Issue 10: the stable identifier (sub) and strong authentication (acr / amr) --------------------------------------
def test_first_proconnect_login_stores_the_sub_on_the_account(client, proconnect, demo_accounts):
    sign_in_through_proconnect(client, {"email": "instructeur.11@demo.test"}, sub="agent-aude-11", acr="eidas2")
    assert User.objects.get(email="instructeur.11@demo.test").proconnect_sub == "agent-aude-11"


def test_a_linked_account_is_found_by_its_sub_even_after_a_change_of_address(client, proconnect, demo_accounts):
    User.objects.filter(email="instructeur.11@demo.test").update(proconnect_sub="agent-aude-11")
    response, _ = sign_in_through_proconnect(
        client, {"email": "karim.benali@aude.gouv.fr"}, sub="agent-aude-11", acr="eidas2"
    )
    assert response["Location"] == "/espace/"
    assert client.get("/espace/").context["user"].email == "instructeur.11@demo.test"


def test_the_email_of_a_linked_account_never_logs_in_another_sub(client, proconnect, demo_accounts):
    User.objects.filter(email="instructeur.11@demo.test").update(proconnect_sub="agent-aude-11")
    response, _ = sign_in_through_proconnect(
        client, {"email": "instructeur.11@demo.test"}, sub="quelqu-un-d-autre", acr="eidas2"
    )
    assert response["Location"] == reverse("accounts:login")
    assert client.get("/espace/").status_code == 302
    assert User.objects.get(email="instructeur.11@demo.test").proconnect_sub == "agent-aude-11"


def test_a_userinfo_about_another_person_than_the_id_token_is_refused(client, proconnect, demo_accounts):
    start = client.get(reverse("oidc_authentication_init"))
    query = parse_qs(urlparse(start["Location"]).query)
    now = int(time.time())
    id_token = jwt.encode(
        {"iss": PROVIDER, "aud": CLIENT_ID, "sub": "agent-a", "nonce": query["nonce"][0], "iat": now, "exp": now + 60},
        CLIENT_SECRET,
        algorithm="HS256",
    )
    token = FakeResponse({"id_token": id_token, "access_token": "jeton", "token_type": "Bearer"}, PROVIDER)
    userinfo = FakeResponse({"sub": "agent-b", "email": "dreets@demo.test"}, PROVIDER)
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post", return_value=token),
        mock.patch("mozilla_django_oidc.auth.requests.get", return_value=userinfo),
    ):
        response = client.get(reverse("oidc_authentication_callback"), {"code": "c", "state": query["state"][0]})
    assert response["Location"] == reverse("accounts:login")
    assert client.get("/espace/").status_code == 302


@pytest.mark.parametrize(
    ("acr", "amr"), [("eidas2", None), ("eidas3", None), ("eidas1", ["pwd", "mfa"]), ("eidas1", ["mfa"])]
)
def test_a_strong_proconnect_login_asks_staff_no_totp_code(client, proconnect, demo_accounts, acr, amr):
    response, _ = sign_in_through_proconnect(client, {"email": "dreets@demo.test"}, acr=acr, amr=amr)
    assert response["Location"] == "/espace/"
    assert client.get("/espace/").status_code == 200
    assert client.get(reverse("committee:index")).status_code == 200


@pytest.mark.parametrize(("acr", "amr"), [("eidas1", None), ("eidas1", ["pwd"]), ("", None)])
def test_a_proconnect_login_that_is_not_strong_still_asks_staff_their_totp_code(
    client, proconnect, demo_accounts, acr, amr
):
    sign_in_through_proconnect(client, {"email": "dreets@demo.test"}, acr=acr, amr=amr)
    response = client.get("/espace/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    device = TOTPDevice.objects.get(user__email="dreets@demo.test")
    answer = client.post(reverse("accounts:two_factor_verify"), {"code": totp_code_now(device), "next": "/espace/"})
    assert answer["Location"] == "/espace/"
    assert client.get("/espace/").status_code == 200


def test_a_strong_proconnect_login_does_not_outlive_a_later_password_login(client, proconnect, demo_accounts):
    sign_in_through_proconnect(client, {"email": "dreets@demo.test"}, acr="eidas2")
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login"), {"username": "dreets@demo.test", "password": "pactes-demo"})
    assert client.get("/espace/").status_code == 302
