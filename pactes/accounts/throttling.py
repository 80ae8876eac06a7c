"""Login throttling (django-axes): the key of a failed attempt is the e-mail address as the login form received it,
lower-cased, so that « Porteur@Demo.test » and « porteur@demo.test » share one counter (as they share one account)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the normalised e-mail of the attempt, from the credentials or the posted form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field)
    if raw is None and request is not None:
        raw = request.POST.get(field)
    if raw is None:
        return None
    return str(raw).strip().lower() or None
