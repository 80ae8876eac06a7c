"""ProConnect (OpenID Connect) for State agents and structures: it logs in accounts that already exist.

Words: the *provider* is ProConnect (the OpenID provider); a *claim* is one field of its userinfo answer
(``sub``, ``email``, ``given_name``, ``usual_name``, ``siret``). ``sub`` is ProConnect's stable identifier of the
person: an account is matched on it; only at the *first link* (an account that has no ``sub`` yet) is it matched by
e-mail, case-insensitively, and the ``sub`` is then stored, so that a later change of address at ProConnect (or an
address given to someone else) never reaches another account. ProConnect never creates an account
(``OIDC_CREATE_USER = False``) and an inactive account is refused. A *strong login* is one whose ID token says the
provider asked for a second factor (``acr`` in ``PACTES_PROCONNECT_STRONG_ACR`` or ``amr`` with one of
``PACTES_PROCONNECT_STRONG_AMR``): Pactes then asks no TOTP code of staff (ADR 0023). See docs/proconnect.md.
"""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.decorators import method_decorator
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from pactes.accounts.models import User
from pactes.accounts.two_factor import STRONG_LOGIN_SESSION_KEY

UNKNOWN_ACCOUNT_MESSAGE = (
    "Aucun compte Pactes actif ne correspond à votre identité ProConnect. "
    "Demandez à un administrateur de la plateforme de créer votre compte avec votre adresse électronique."
)


class ProConnectBackend(OIDCAuthenticationBackend):
    """Authenticates the holder of a ProConnect identity as the active Pactes account with the same e-mail."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        user = super().authenticate(request, **kwargs)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        # The callback reads the ID token's claims (acr, amr) to know whether the login was strong.
        if self.request is not None:
            self.request.proconnect_id_claims = payload  # type: ignore[attr-defined]
        return super().get_or_create_user(access_token, id_token, payload)

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        claims = super().get_userinfo(access_token, id_token, payload)
        if str(claims.get("sub") or "") != str(payload.get("sub") or ""):
            return {}  # the userinfo answer must be about the person of the ID token (OpenID Connect Core, 5.3.2)
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(str(claims.get("sub") or "").strip() and str(claims.get("email") or "").strip())

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        sub = str(claims.get("sub") or "").strip()
        email = str(claims.get("email") or "").strip()
        if not sub:
            return User.objects.none()
        linked = User.objects.filter(proconnect_sub=sub)
        if linked.exists():
            return linked
        if not email:
            return User.objects.none()
        return User.objects.filter(email__iexact=email, proconnect_sub__isnull=True)

    def create_user(self, claims: dict[str, Any]) -> None:
        # Accounts are created by an administrator, whatever OIDC_CREATE_USER says.
        return None

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        """Stores ``sub`` at the first link; fills an empty first or last name from the claims, never overwriting what
        the person or an admin wrote."""
        changed = []
        if user.proconnect_sub is None:
            user.proconnect_sub = str(claims["sub"]).strip()[:255]
            changed.append("proconnect_sub")
        given_name = str(claims.get("given_name") or "").strip()
        usual_name = str(claims.get("usual_name") or "").strip()
        if given_name and not user.first_name:
            user.first_name = given_name[:150]
            changed.append("first_name")
        if usual_name and not user.last_name:
            user.last_name = usual_name[:150]
            changed.append("last_name")
        if changed:
            user.save(update_fields=changed)
        return user


@method_decorator(login_not_required, name="dispatch")
class ProConnectAuthenticationRequestView(OIDCAuthenticationRequestView):
    """Sends the visitor to ProConnect (public: the visitor is not logged in yet)."""


@method_decorator(login_not_required, name="dispatch")
class ProConnectCallbackView(OIDCAuthenticationCallbackView):
    """Receives the visitor back from ProConnect; an unknown or inactive account goes back to the login page."""

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        claims = getattr(self.request, "proconnect_id_claims", None) or {}
        if is_strong_login(claims):
            self.request.session[STRONG_LOGIN_SESSION_KEY] = f"proconnect:{claims.get('acr') or 'mfa'}"
        return response

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, UNKNOWN_ACCOUNT_MESSAGE)
        return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))


def is_strong_login(claims: dict[str, Any]) -> bool:
    """The ID token says ProConnect asked for a second factor: a strong ``acr`` or a strong method in ``amr``."""
    acr = str(claims.get("acr") or "").strip().lower()
    amr = claims.get("amr") or []
    methods = {str(method).strip().lower() for method in (amr if isinstance(amr, list) else [amr])}
    strong_acr = {value.lower() for value in settings.PACTES_PROCONNECT_STRONG_ACR}
    strong_amr = {value.lower() for value in settings.PACTES_PROCONNECT_STRONG_AMR}
    return acr in strong_acr or bool(methods & strong_amr)


def provider_logout_url(request: HttpRequest) -> str:
    """The ProConnect end-session address that also ends the ProConnect session, then comes back to Pactes.

    Needs the ID token kept in the session at login (``OIDC_STORE_ID_TOKEN = True``); without it, the local
    logout target.
    """
    local_target = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    endpoint = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "")
    if not (settings.PROCONNECT_ENABLED and id_token and endpoint):
        return local_target
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": get_random_string(32),
            "post_logout_redirect_uri": request.build_absolute_uri(local_target),
        }
    )
    return f"{endpoint}?{query}"


def login_url_with_proconnect(next_url: str = "") -> str:
    """The address that starts a ProConnect login, keeping where to go afterwards."""
    url = reverse("oidc_authentication_init")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
