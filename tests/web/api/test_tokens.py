"""Personal access tokens, from the account page to the API: created with a name and an expiry, shown once, stored
hashed, read-only, revoked by their owner only; expired or revoked, they answer 401; each caller is rate limited
(429 with Retry-After) and every call is logged."""

import datetime as dt
import hashlib
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from pactes.api.models import ApiCall, ApiToken
from pactes.api.services import TokenRefused, rate_limit_hit, token_authenticate, token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _created_value(response) -> str:
    match = re.search(r'id="jeton-cree" type="text" readonly value="(pts_[^"]+)"', response.content.decode())
    assert match, "la valeur du jeton est affichée une fois"
    return match.group(1)


def test_the_account_page_creates_a_token_shown_once_and_stored_hashed(client):
    user = UserFactory(instructor=True)
    client.force_login(user)
    response = client.post("/compte/", {"name": "Tableur de suivi", "days": "90"})
    assert response.status_code == 201
    plain = _created_value(response)
    token = ApiToken.objects.get(user=user)
    assert token.name == "Tableur de suivi"
    assert token.digest == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in {token.digest, token.prefix} and plain.startswith(token.prefix)
    assert token.get_scope_display() == "Lecture seule"
    assert abs(token.expires_at - token.created_at - dt.timedelta(days=90)) < dt.timedelta(seconds=5)
    again = client.get("/compte/")
    assert plain not in again.content.decode()
    assert "Tableur de suivi" in again.content.decode()
    assert client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200


def test_a_token_without_a_name_is_refused_with_a_french_message(client):
    client.force_login(UserFactory())
    response = client.post("/compte/", {"name": "  ", "days": "90"})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_unknown_duration_is_refused(client):
    client.force_login(UserFactory())
    response = client.post("/compte/", {"name": "Script", "days": "10000"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_the_account_page_needs_a_login(client):
    response = client.get("/compte/")
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]


def test_a_revoked_token_answers_401(client):
    user = UserFactory(dreets=True)
    created = token_create(user=user, name="Script", days=30)
    client.force_login(user)
    response = client.post(f"/compte/jetons/{created.token.pk}/revoquer/")
    assert response.status_code == 302
    created.token.refresh_from_db()
    assert created.token.revoked_at is not None
    client.logout()
    answer = client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {created.plain}")
    assert answer.status_code == 401
    assert answer.json() == {"code": "token_revoked", "message": "Ce jeton d'accès a été révoqué."}


def test_nobody_revokes_another_persons_token(client):
    owner = UserFactory(dreets=True)
    created = token_create(user=owner, name="Script", days=30)
    client.force_login(UserFactory(dreets=True))
    assert client.post(f"/compte/jetons/{created.token.pk}/revoquer/").status_code == 404
    created.token.refresh_from_db()
    assert created.token.revoked_at is None


def test_an_expired_token_answers_401():
    user = UserFactory()
    created = token_create(user=user, name="Script", days=1)
    with pytest.raises(TokenRefused) as refused:
        token_authenticate(created.plain, now=timezone.now() + dt.timedelta(days=1, seconds=1))
    assert refused.value.code == "token_expired"


def test_an_expired_token_is_refused_over_http(client):
    created = token_create(user=UserFactory(), name="Script", days=1)
    past = timezone.now() - dt.timedelta(days=2)
    ApiToken.objects.filter(pk=created.token.pk).update(created_at=past, expires_at=past + dt.timedelta(days=1))
    answer = client.get("/api/v1/calls", HTTP_AUTHORIZATION=f"Bearer {created.plain}")
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_expired"


def test_the_token_of_a_deactivated_account_answers_401(client):
    user = UserFactory()
    created = token_create(user=user, name="Script", days=30)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {created.plain}").json()["code"] == (
        "user_inactive"
    )


@pytest.mark.parametrize(
    ("header", "code"),
    [("Bearer pts_nimportequoi", "token_invalid"), ("Basic dXNlcjpwYXNz", "authorization_malformed")],
)
def test_a_bad_token_is_refused_even_on_a_public_endpoint(client, header, code):
    answer = client.get("/api/v1/calls", HTTP_AUTHORIZATION=header)
    assert answer.status_code == 401
    assert answer.json()["code"] == code


def test_the_rate_limit_answers_429_with_retry_after(client, settings):
    settings.PACTES_API_RATE_LIMITS = {"token": 3, "anonymous": 2}
    created = token_create(user=UserFactory(), name="Script", days=30)
    header = {"HTTP_AUTHORIZATION": f"Bearer {created.plain}"}
    statuses = [client.get("/api/v1/calls", **header).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/calls", **header)
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= settings.PACTES_API_RATE_WINDOW
    other = token_create(user=UserFactory(), name="Autre", days=30)
    assert client.get("/api/v1/calls", HTTP_AUTHORIZATION=f"Bearer {other.plain}").status_code == 200


def test_anonymous_callers_are_limited_by_address(client, settings):
    settings.PACTES_API_RATE_LIMITS = {"token": 100, "anonymous": 2}
    assert [client.get("/api/v1/calls").status_code for _ in range(3)] == [200, 200, 429]


def test_behind_a_trusted_proxy_anonymous_callers_are_limited_by_their_own_address(client, settings):
    settings.PACTES_API_RATE_LIMITS = {"token": 100, "anonymous": 2}
    settings.PACTES_TRUSTED_PROXIES = ["10.0.0.10"]

    def get(forwarded_for: str) -> int:
        return client.get("/api/v1/calls", REMOTE_ADDR="10.0.0.10", HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    assert [get("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert get("203.0.113.2") == 200  # another client behind the same proxy has its own budget
    assert ApiCall.objects.filter(remote_addr="203.0.113.2").count() == 1


def test_the_window_resets_the_counter():
    start = timezone.now().replace(second=0, microsecond=0)
    assert rate_limit_hit("essai", limit=1, window=60, now=start) is None
    assert rate_limit_hit("essai", limit=1, window=60, now=start + dt.timedelta(seconds=20)) == 40
    assert rate_limit_hit("essai", limit=1, window=60, now=start + dt.timedelta(seconds=60)) is None


def test_every_call_is_logged_with_its_token_and_status(client):
    user = UserFactory(dreets=True)
    created = token_create(user=user, name="Script", days=30)
    client.get("/api/v1/dossiers?state=depose", HTTP_AUTHORIZATION=f"Bearer {created.plain}")
    client.get("/api/v1/dossiers/PTS-0000", HTTP_AUTHORIZATION=f"Bearer {created.plain}")
    client.get("/api/v1/calls")
    logs = list(ApiCall.objects.order_by("pk"))
    assert [(c.path, c.status, c.token_id, c.user_id) for c in logs] == [
        ("/api/v1/dossiers", 200, created.token.pk, user.pk),
        ("/api/v1/dossiers/PTS-0000", 404, created.token.pk, user.pk),
        ("/api/v1/calls", 200, None, None),
    ]
    assert logs[0].query == "state=depose"
    created.token.refresh_from_db()
    assert created.token.last_used_at is not None
