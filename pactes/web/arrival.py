"""The moment a request reached the server, taken before it could wait for a worker thread (ADR 0012).

Words: the *arrival* of a request is when the server received it. The *server stamp* is written by ``ArrivalStamp``
(the ASGI application of ``config.asgi``) into the request's scope on the server's event loop, before the request
waits for one of the worker's threads; ``ArrivalMiddleware``, first in ``MIDDLEWARE``, turns it into
``request.arrived_at``. A front proxy listed in ``PACTES_TRUSTED_PROXIES`` may give an earlier stamp in
``X-Request-Start`` (« t=1727733597.123 », seconds, milliseconds or microseconds since the epoch); the header of
anyone else is ignored. Without a stamp (WSGI, tests, ``runserver``) the arrival is the moment the middleware runs.
An arrival is never later than now.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from pactes.core.client_address import is_trusted_proxy

logger = logging.getLogger(__name__)

SCOPE_KEY = "pactes.arrived_at"
PROXY_HEADER = "HTTP_X_REQUEST_START"

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ArrivalStamp:
    """ASGI wrapper: stamps each HTTP request on the event loop as it arrives, then lets at most ``concurrency``
    requests at a time into Django (each runs in its own thread: the bound keeps threads and database connections
    to a known number, like ``--blocking-threads`` under WSGI). Waiting for a slot happens after the stamp."""

    def __init__(self, app: AsgiApp, *, concurrency: int) -> None:
        self.app = app
        self.concurrency = concurrency
        self._slots: asyncio.Semaphore | None = None  # made on the server's loop, at the first request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = {**scope, SCOPE_KEY: time.time()}
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        async with self._slots:
            await self.app(scope, receive, send)


async def _lifespan(receive: Receive, send: Send) -> None:
    # Django has nothing to start or stop; answering keeps the server from logging a failed lifespan.
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def parse_request_start(value: str) -> float | None:
    """Seconds since the epoch from « t=1727733597.123 », « 1727733597123 » (ms) or « 1727733597123456 » (µs)."""
    text = value.strip().removeprefix("t=").strip()
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number) or number <= 0 or number > 1e17:  # NaN, infinity or nonsense
        return None
    if number > 1e14:
        return number / 1e6
    if number > 1e11:
        return number / 1e3
    return number


def request_arrival(request: HttpRequest, *, now: dt.datetime | None = None) -> dt.datetime:
    """When ``request`` reached the platform: a trusted proxy's stamp, else the server's stamp, else ``now``."""
    now = now or timezone.now()
    header = request.META.get(PROXY_HEADER)
    if header and is_trusted_proxy(str(request.META.get("REMOTE_ADDR", ""))):
        seconds = parse_request_start(str(header))
        if seconds is not None:
            stamp = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
            if now - stamp <= dt.timedelta(seconds=settings.PACTES_ARRIVAL_MAX_WAIT):
                return min(stamp, now)
        logger.warning("En-tête X-Request-Start inexploitable ou trop ancien ignoré : %r.", header)
    scope = getattr(request, "scope", None)  # ASGIRequest carries its scope; WSGIRequest has none
    if scope and SCOPE_KEY in scope:
        return min(dt.datetime.fromtimestamp(scope[SCOPE_KEY], tz=dt.UTC), now)
    return now


class ArrivalMiddleware:
    """First middleware: ``request.arrived_at``, the moment the request reached the platform."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.arrived_at = request_arrival(request)  # type: ignore[attr-defined]
        return self.get_response(request)
