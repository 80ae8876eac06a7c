"""Session expiry (ADR 0024): staff sessions end after ``PACTES_SESSION_STAFF_IDLE_SECONDS`` without a request and
``PACTES_SESSION_STAFF_MAX_SECONDS`` after login; applicants' after ``PACTES_SESSION_APPLICANT_IDLE_SECONDS`` without
a request.

Words: *activity* is any request of the logged-in person (a page, a form, the editor's background save, « Rester
connecté »); the *idle limit* counts from the last one, the *absolute limit* from the login. Each page gives
``session.js`` the seconds left (``session_expiry``): a few minutes before the end it announces the expiry to screen
readers (aria-live), offers « Rester connecté » and asks the editor to save what is typed; at the end the next request
finds the session over, logs out and says so on the login page.
"""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

LOGIN_AT_KEY = "pactes_login_at"
ACTIVITY_AT_KEY = "pactes_activity_at"
# Activity is written to the session at most this often (seconds): a page view does not always write the session.
ACTIVITY_RESOLUTION = 30
EXPIRED_MESSAGE = (
    "Votre session a expiré après une période d’inactivité ou sa durée maximale : reconnectez-vous. "
    "Ce qui avait été enregistré est conservé."
)


def idle_limit(user: Any) -> int:
    if user.is_staff_member:
        return int(settings.PACTES_SESSION_STAFF_IDLE_SECONDS)
    return int(settings.PACTES_SESSION_APPLICANT_IDLE_SECONDS)


def absolute_limit(user: Any) -> int | None:
    return int(settings.PACTES_SESSION_STAFF_MAX_SECONDS) if user.is_staff_member else None


def seconds_left(request: HttpRequest, *, now: float | None = None) -> int:
    """Seconds before this session ends if nothing more happens (never below 0)."""
    now = time.time() if now is None else now
    session = request.session
    activity = float(session.get(ACTIVITY_AT_KEY, now))
    left = activity + idle_limit(request.user) - now
    maximum = absolute_limit(request.user)
    if maximum is not None:
        left = min(left, float(session.get(LOGIN_AT_KEY, now)) + maximum - now)
    return max(0, int(left))


@receiver(user_logged_in)
def _start_session_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT_KEY] = now
        request.session[ACTIVITY_AT_KEY] = now


class SessionExpiryMiddleware:
    """Ends a session past its idle or absolute limit; otherwise records the activity of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            session.setdefault(LOGIN_AT_KEY, now)
            session.setdefault(ACTIVITY_AT_KEY, now)
            if seconds_left(request, now=now) <= 0:
                return self._expired(request)
            if now - float(session[ACTIVITY_AT_KEY]) >= ACTIVITY_RESOLUTION:
                session[ACTIVITY_AT_KEY] = now
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> HttpResponse:
        logout(request)
        messages.warning(request, EXPIRED_MESSAGE)
        if request.headers.get("X-Pactes-Autosave") or request.headers.get("X-Pactes-Session"):
            return JsonResponse({"saved": False, "expired": True, "message": EXPIRED_MESSAGE}, status=401)
        login = reverse(settings.LOGIN_URL)
        if request.method == "GET":
            login = f"{login}?{urlencode({'next': request.get_full_path()})}"
        return HttpResponseRedirect(login)


@require_POST
def keepalive(request: HttpRequest) -> JsonResponse:
    """« Rester connecté »: the request itself is the activity; answers the seconds left."""
    request.session[ACTIVITY_AT_KEY] = time.time()
    return JsonResponse({"seconds_left": seconds_left(request)})


def _absolute_left(request: HttpRequest) -> int | str:
    maximum = absolute_limit(request.user)
    if maximum is None:
        return ""
    return max(0, int(float(request.session.get(LOGIN_AT_KEY, time.time())) + maximum - time.time()))


def session_expiry(request: HttpRequest) -> dict[str, Any]:
    """Context processor: what ``session.js`` needs on every page of a logged-in person (``None`` otherwise)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return {"session_expiry": None}
    return {
        "session_expiry": {
            "seconds_left": seconds_left(request),
            "idle_seconds": idle_limit(user),
            "absolute_seconds_left": _absolute_left(request),
            "warning_seconds": int(settings.PACTES_SESSION_WARNING_SECONDS),
            "keepalive_url": reverse("accounts:session_keepalive"),
            "login_url": reverse(settings.LOGIN_URL),
        }
    }
