"""Input that no page of ours sends and no database column accepts: refused whole, before any view reads it.

A NUL character (``\\x00``) in a query string or a form field cannot be stored in a PostgreSQL text column: a filter
that passes it to a query raised ``DataError`` (a 500). Forms' character fields already refuse it; this guard covers
every raw read (``request.GET.get(...)`` in a scope or filter) with one French 400.
"""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

NUL = "\x00"
FORM_ENCODED = "application/x-www-form-urlencoded"


def _carries_nul(data: object) -> bool:
    lists = getattr(data, "lists", None)
    if lists is None:
        return False
    return any(NUL in key or any(NUL in value for value in values) for key, values in lists())


class NullCharacterGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Multipart bodies are left to their upload handlers (read later, by size); their text fields go through forms.
        form_encoded = request.method == "POST" and request.content_type == FORM_ENCODED
        if _carries_nul(request.GET) or (form_encoded and _carries_nul(request.POST)):
            raise BadRequest(
                "La demande contient un caractère nul, qu'aucune page de Pactes n'envoie : rien n'a été lu."
            )
        return self.get_response(request)
