"""Limits on the requests that send an e-mail to an address typed by anyone: sign-up and password reset.

Words: a *budget* is how many requests one *key* may make in a *window* (5 per hour by default, settings
``PACTES_EMAIL_REQUEST_LIMIT`` and ``PACTES_EMAIL_REQUEST_WINDOW_SECONDS``); each request counts against two keys,
the client address and the e-mail typed, so that neither one machine nor one target can be flooded. The counters
live in Django's cache (a shared cache in production, see the README). The refusal says the same thing whether an
account exists or not.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

LIMIT_MESSAGE = (
    "Trop de demandes ont été faites depuis cette adresse ou pour cette adresse électronique. Réessayez dans une "
    "heure ; si le courriel attendu n'arrive pas, vérifiez vos indésirables."
)


def _key(scope: str, kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"pactes:rate:{scope}:{kind}:{digest}"


def _count(key: str) -> int:
    return int(cache.get(key, 0))


def request_allowed(*, scope: str, client_address: str, email: str) -> bool:
    """Counts one request of ``scope`` (« signup », « password-reset ») from ``client_address`` for ``email``;
    False when either key has used its budget (the request is then not counted again)."""
    limit = settings.PACTES_EMAIL_REQUEST_LIMIT
    window = settings.PACTES_EMAIL_REQUEST_WINDOW_SECONDS
    keys = [_key(scope, "address", client_address or "inconnue")]
    if email:
        keys.append(_key(scope, "email", email))
    if any(_count(key) >= limit for key in keys):
        return False
    for key in keys:
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)
    return True
