"""The REST API ``/api/v1/`` (django-ninja, ADR 0035): its OpenAPI 3 schema, its documentation served from the
vendored Swagger UI (no CDN), and its errors, always JSON with a stable ``code`` and a French ``message``:

    401 authentication_required | authorization_malformed | token_invalid | token_revoked | token_expired
        | user_inactive
    404 not_found (what does not exist and what the caller may not see alike)
    422 validation_error (a parameter outside its schema) | invalid_cursor | unknown_call
    429 rate_limited (with Retry-After)
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase

from . import private, public
from .auth import ApiError

DESCRIPTION = """API en lecture de Pactes (DREETS Occitanie et DDETS-PP).

* **Public** (sans jeton) : appels, EPCI éligibles, territoires et indicateurs de l'Insee.
* **Jeton requis** : dossiers, historique, conventions, indicateurs d'impact consolidés. Créez un jeton d'accès
  personnel sur la page « Mon compte » → « Jetons d'accès API », puis envoyez l'en-tête
  `Authorization: Bearer pts_…`. Le jeton voit exactement ce que voit son titulaire dans l'interface ; un dossier
  hors de son périmètre répond 404, comme un dossier inexistant.
* Erreurs : JSON `{"code": …, "message": …}` (401, 404, 422, 429 avec `Retry-After`).
* Montants : chaînes à deux décimales (« 62000.00 ») ; dates ISO 8601, heure de Paris.
"""


class VendoredSwagger(DocsBase):
    """Swagger UI from pactes/static/vendor/swagger-ui (ninja's own page loads it from a CDN): the page's script is a
    static file (no inline script, for the Content-Security-Policy)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "api/docs.html",
            {"openapi_url": self.get_openapi_url(api, kwargs), "page_title": "Documentation de l'API"},
        )


api = NinjaAPI(
    title="API Pactes",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=VendoredSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", public.router)
api.add_router("", private.router)


def error_response(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message, **extra}, status=status, json_dumps_params={"ensure_ascii": False}
    )


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    response = error_response(exc.status, exc.code, exc.message)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))} for error in exc.errors
    ]
    where = ", ".join(".".join(d["loc"][1:] or d["loc"]) for d in details)
    return error_response(422, "validation_error", f"Paramètres invalides : {where}.", details=details)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, "authentication_required", "Authentification requise : joignez un jeton d'accès.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", "Ressource introuvable.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(exc.status_code, "http_error", str(exc))
