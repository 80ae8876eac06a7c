"""Who calls the API: a personal access token (``Authorization: Bearer pts_…``), else the session of the interface,
else nobody (public endpoints only). Each caller is counted against its rate limit before the endpoint runs.

Words: the *viewer* is the user whose scope the answer follows (the token's owner, the logged-in person, or an
anonymous visitor); an invalid token is refused even on a public endpoint, so that a program learns its token is
wrong instead of silently getting the public answer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from pactes.api.services import TokenRefused, rate_limit_hit, token_authenticate
from pactes.core.client_address import client_ip


class ApiError(Exception):
    """An answer of the API other than 200: HTTP ``status``, stable ``code``, French ``message``."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_found(what: str = "Ressource introuvable.") -> ApiError:
    """What does not exist and what the caller may not see answer the same (never 403: nothing is disclosed)."""
    return ApiError(404, "not_found", what)


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(
            401, "authorization_malformed", "En-tête Authorization attendu : « Bearer » suivi du jeton d'accès."
        )
    return value.strip()


def _throttle(request: HttpRequest, key: str, limit: int) -> None:
    wait = rate_limit_hit(key, limit=limit, window=settings.PACTES_API_RATE_WINDOW)
    if wait is not None:
        raise ApiError(
            429,
            "rate_limited",
            f"Trop de requêtes : réessayez dans {wait} seconde{'s' if wait > 1 else ''}.",
            headers={"Retry-After": str(wait)},
        )


class Viewer:
    """The ninja authentication of the public endpoints: a token or a session if given, else an anonymous visitor."""

    required = False

    def __call__(self, request: HttpRequest) -> Any:
        repeated = sorted(key for key, values in request.GET.lists() if len(values) > 1)
        if repeated:
            raise ApiError(422, "validation_error", f"Paramètre répété : {', '.join(repeated)} (une valeur au plus).")
        limits = settings.PACTES_API_RATE_LIMITS
        plain = _bearer(request)
        if plain is not None:
            try:
                token = token_authenticate(plain)
            except TokenRefused as refused:
                raise ApiError(401, refused.code, refused.message) from refused
            request.api_token = token  # type: ignore[attr-defined]
            request.api_user = token.user  # type: ignore[attr-defined]
            _throttle(request, f"token:{token.pk}", limits["token"])
            return token.user
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            request.api_user = user  # type: ignore[attr-defined]
            _throttle(request, f"user:{user.pk}", limits["token"])
            return user
        if self.required:
            raise ApiError(
                401,
                "authentication_required",
                "Authentification requise : joignez un jeton d'accès personnel (en-tête « Authorization: Bearer … »).",
            )
        # the client's address, not the reverse proxy's: behind it every caller would share one budget
        _throttle(request, f"addr:{client_ip(request)}", limits["anonymous"])
        return AnonymousUser()


class TokenRequired(Viewer):
    """The ninja authentication of the endpoints that need a token (or a session): anonymous callers get 401."""

    required = True
    openapi_security_schema = {
        "type": "http",
        "scheme": "bearer",
        "description": "Jeton d'accès personnel créé sur la page « Mon compte » (« Jetons d'accès API »).",
    }
