"""The second factor of a session (ADR 0023): who must give one, whether this session gave it, and the gate.

Words: a session is *verified* when its person confirmed the login with a second factor: a code of their
authenticator app or a recovery code (django-otp's ``otp_device_id`` in the session, read by ``OTPMiddleware``), or
a ProConnect login whose ID token says the identity provider itself asked for a second factor (``acr``/``amr``, see
``pactes.accounts.oidc``). The *gate* (``SecondFactorRequiredMiddleware``) sends a person who must give a second
factor and has not yet to the page that asks for it (or to enrolment, if they have none), from every page that
requires a login; public pages stay public.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django_otp
from django.contrib.auth import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django_otp.models import Device

from pactes.accounts.two_factor import STRONG_LOGIN_SESSION_KEY, has_second_factor, requires_second_factor

# The pages a person who still owes a second factor may open (besides the public ones, and logging out).
OPEN_TO_UNVERIFIED = frozenset(
    {
        "accounts:two_factor_verify",
        "accounts:two_factor_enrol",
        "accounts:two_factor_recovery_codes",
        "accounts:logout",
        "accounts:session_keepalive",
    }
)


def is_verified(request: HttpRequest) -> bool:
    """This session confirmed its login with a second factor (app, recovery code or strong ProConnect login)."""
    user = request.user
    if getattr(user, "is_verified", None) is not None and user.is_verified():
        return True
    return bool(request.session.get(STRONG_LOGIN_SESSION_KEY))


def owes_second_factor(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and requires_second_factor(request.user) and not is_verified(request))


def mark_verified(request: HttpRequest, device: Device) -> None:
    """Records in the session that ``device`` confirmed this login (django-otp's session key)."""
    django_otp.login(request, device)


@receiver(user_logged_in)
def _forget_earlier_strong_login(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    # A new login starts unverified; the ProConnect callback marks it strong afterwards when the token says so.
    if request is not None and hasattr(request, "session"):
        request.session.pop(STRONG_LOGIN_SESSION_KEY, None)


def second_factor_url(request: HttpRequest, next_url: str = "") -> str:
    """Where a person who owes a second factor goes: the code page, or enrolment when they have no app yet."""
    name = "accounts:two_factor_verify" if has_second_factor(request.user) else "accounts:two_factor_enrol"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class SecondFactorRequiredMiddleware:
    """Every page that requires a login refuses a session that owes a second factor (after LoginRequiredMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        in_admin = match is not None and match.app_name == "admin"  # its views opt out of LoginRequiredMiddleware
        if not in_admin and not getattr(view_func, "login_required", True):
            return None  # a public page (login_not_required)
        if match is not None and match.view_name in OPEN_TO_UNVERIFIED:
            return None
        if not owes_second_factor(request):
            return None
        if request.headers.get("X-Pactes-Autosave"):
            message = "Confirmez votre connexion avec votre code de double authentification."
            return JsonResponse({"saved": False, "message": message}, status=403)
        next_url = request.get_full_path() if request.method == "GET" else ""
        return HttpResponseRedirect(second_factor_url(request, next_url))
