"""The error pages, in French and in the State design system: 400, 403, 404, 500 and the expired form (CSRF).

A request of the editor's background save (header ``X-Pactes-Autosave: 1``, see dossier.js) gets JSON instead:
``{"saved": false, "message": "…"}``, so that the page says what happened and keeps what was typed.
The 500 page is rendered without a request context: it must not need the database that may be what failed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

AUTOSAVE_HEADER = "X-Pactes-Autosave"

BAD_REQUEST_MESSAGE = (
    "Requête illisible : l'enregistrement automatique n'a pas abouti. Rien n'a été modifié, vos saisies restent "
    "dans la page."
)
FORBIDDEN_MESSAGE = "Enregistrement refusé : vous n'avez pas accès à ce dossier. Vos saisies restent dans la page."
NOT_FOUND_MESSAGE = "Ce dossier ou cette étape n'existe pas (ou plus) : rien n'a été enregistré."
SERVER_ERROR_MESSAGE = (
    "Erreur du serveur : l'enregistrement automatique n'a pas abouti. Vos saisies restent dans la page ; "
    "réessayez dans quelques instants."
)
CSRF_MESSAGE = (
    "La page a expiré (session renouvelée ou page ouverte depuis longtemps) : rien n'a été enregistré. "
    "Copiez vos dernières saisies, puis rechargez la page."
)


API_PREFIX = "/api/"


def _api_answer(code: str, message: str, status: int) -> JsonResponse:
    """The REST API's errors are JSON with a stable code and a French message, even those raised before its views."""
    return JsonResponse({"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False})


def is_autosave(request: HttpRequest) -> bool:
    return request.headers.get(AUTOSAVE_HEADER) == "1"


def _autosave_answer(message: str, status: int) -> JsonResponse:
    return JsonResponse({"saved": False, "message": message}, status=status)


def _back_url(request: HttpRequest, fallback: str) -> str:
    """Where « Revenir à la page précédente » leads: the referring page of this site, else ``fallback``."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return fallback


def _page(request: HttpRequest, template: str, status: int, title: str, *, fallback: str | None = None) -> HttpResponse:
    back_url = _back_url(request, request.path if fallback is None else fallback)
    body = loader.render_to_string(template, {"page_title": title, "back_url": back_url}, request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_answer("bad_request", str(exception) or "Requête illisible.", 400)
    if is_autosave(request):
        return _autosave_answer(BAD_REQUEST_MESSAGE, 400)
    return _page(request, "400.html", 400, "Requête invalide")


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_autosave(request):
        return _autosave_answer(FORBIDDEN_MESSAGE, 403)
    return _page(request, "403.html", 403, "Accès refusé", fallback="/")


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_autosave(request):
        return _autosave_answer(NOT_FOUND_MESSAGE, 404)
    return _page(request, "404.html", 404, "Page introuvable", fallback="/")


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_answer("server_error", "Erreur du serveur : réessayez dans quelques instants.", 500)
    if is_autosave(request):
        return _autosave_answer(SERVER_ERROR_MESSAGE, 500)
    # No request context: no session, no user, no query (the database may be what failed).
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: an expired or forged form. Nothing was saved; the person is told so and led back."""
    if is_autosave(request):
        return _autosave_answer(CSRF_MESSAGE, 403)
    return _page(request, "403_csrf.html", 403, "Page expirée")
