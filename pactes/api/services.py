"""Writes and checks of the API's access: creating, revoking and recognising a personal access token, the rate limit
of each caller, and the log of every call.

Words: the *plain token* is what its owner copies once (``pts_`` and 43 random characters: 256 bits); the database
keeps its SHA-256 only, which is enough for a secret of that entropy (no salt nor slow hash needed: nobody can guess
it). A *refusal* carries a stable ``code`` for programs and a French ``message`` for people.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from pactes.accounts.models import User
from pactes.api.models import ApiCall, ApiToken, TokenScope

TOKEN_PREFIX = "pts_"
SHOWN_PREFIX_LENGTH = 12


class TokenRefused(Exception):
    """An API request whose token cannot be used: ``code`` for programs, the message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def token_digest(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    plain: str  # shown once to its owner, never stored


def token_create(*, user: User, name: str, days: int, now: dt.datetime | None = None) -> CreatedToken:
    """A new read-only token of ``user`` valid ``days`` days (1 to ``PACTES_API_TOKEN_MAX_DAYS``)."""
    name = name.strip()
    if not name:
        raise TokenRefused("token_name_required", "Donnez un nom au jeton pour le reconnaître.")
    max_days = settings.PACTES_API_TOKEN_MAX_DAYS
    if not 1 <= days <= max_days:
        raise TokenRefused("token_expiry_invalid", f"La durée de validité va de 1 à {max_days} jours.")
    if not user.is_active:
        raise TokenRefused("user_inactive", "Ce compte est désactivé.")
    now = now or timezone.now()
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name[:100],
        prefix=plain[:SHOWN_PREFIX_LENGTH],
        digest=token_digest(plain),
        scope=TokenScope.READ,
        expires_at=now + dt.timedelta(days=days),
    )
    token.save()
    return CreatedToken(token=token, plain=plain)


def token_revoke(*, token: ApiToken, by: User, now: dt.datetime | None = None) -> ApiToken:
    """Revokes ``token`` (its owner only); revoking twice keeps the first date."""
    if token.user_id != by.pk:
        raise TokenRefused("not_owner", "Seul le titulaire d'un jeton peut le révoquer.")
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(plain: str, *, now: dt.datetime | None = None) -> ApiToken:
    """The token ``plain`` stands for, with its active owner; else ``TokenRefused`` (401)."""
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user").filter(digest=token_digest(plain.strip())).first()
        if plain.strip()
        else None
    )
    if token is None:
        raise TokenRefused("token_invalid", "Jeton d'accès inconnu.")
    if token.revoked_at is not None:
        raise TokenRefused("token_revoked", "Ce jeton d'accès a été révoqué.")
    if token.expires_at <= now:
        raise TokenRefused(
            "token_expired", "Ce jeton d'accès a expiré ; créez-en un nouveau sur la page de votre compte."
        )
    if not token.user.is_active:
        raise TokenRefused("user_inactive", "Le compte titulaire de ce jeton est désactivé.")
    # At most one write a minute per token for « last used ».
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def rate_limit_hit(key: str, *, limit: int, window: int, now: dt.datetime | None = None) -> int | None:
    """Counts one request of ``key`` in the current fixed window of ``window`` seconds (counters in Django's cache);
    returns the seconds to wait (for ``Retry-After``) once more than ``limit`` were counted, else None."""
    moment = int((now or timezone.now()).timestamp())
    start = moment - moment % window
    counter = f"pactes:api:rate:{key}:{start}"
    cache.add(counter, 0, timeout=window + 5)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=window + 5)
        count = 1
    if count > limit:
        return max(1, start + window - moment)
    return None


def call_log(
    *,
    token: ApiToken | None,
    user: User | None,
    method: str,
    path: str,
    query: str,
    status: int,
    remote_addr: str | None,
) -> ApiCall:
    return ApiCall.objects.create(
        token=token,
        user=user if user is not None and user.is_authenticated else None,
        method=method[:10],
        path=path[:500],
        query=query[:1000],
        status=status,
        remote_addr=remote_addr or None,
    )
