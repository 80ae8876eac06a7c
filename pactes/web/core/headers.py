"""Security headers that Django does not set itself: ``Permissions-Policy`` (the browser features no page of the
platform uses are refused to every page and every frame). The Content-Security-Policy is Django's own middleware
(``SECURE_CSP``), HSTS, ``nosniff``, ``Referrer-Policy`` and ``Cross-Origin-Opener-Policy`` are SecurityMiddleware's
(README « En-têtes de sécurité », ADR 0031)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = ", ".join(f"{feature}={allow}" for feature, allow in settings.PACTES_PERMISSIONS_POLICY.items())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class DsfrNonceMiddleware:
    """django-dsfr's base template writes ``{% dsfr_js nonce=request.csp_nonce %}`` (django-csp's name for the
    nonce); Django's own CSP middleware keeps it as ``request._csp_nonce``: give it the name the DSFR reads, so that
    the DSFR's scripts carry the nonce of the page's policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = str(get_nonce(request))  # type: ignore[attr-defined]
        return self.get_response(request)
