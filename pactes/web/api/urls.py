"""URLs of ``/api/v1/``: ninja's routes, public for the login middleware (the API answers 401 itself), each call
logged (``pactes.api.models.ApiCall``), and a JSON 404 for any other path under the prefix."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt

from pactes.api.services import call_log
from pactes.core.client_address import client_ip

from .api import api, error_response


def logged(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every call is written to the log (who, which token, what, the answer's status)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        user = getattr(request, "api_user", None) or getattr(request, "user", None)
        call_log(
            token=getattr(request, "api_token", None),
            user=user if user is not None and user.is_authenticated else None,
            method=request.method or "",
            path=request.path,
            query=request.META.get("QUERY_STRING", ""),
            status=response.status_code,
            remote_addr=client_ip(request) or None,
        )
        return response

    return login_not_required(csrf_exempt(wrapper))


def _wrapped(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = logged(pattern.callback)
    return patterns


@logged
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "not_found", "Aucun point d'accès à cette adresse : voir /api/v1/docs.")


ninja_patterns, app_name, namespace = api.urls
urlpatterns = [*_wrapped(list(ninja_patterns)), re_path(r"^(?P<rest>.*)$", unknown)]
