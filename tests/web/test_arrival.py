"""The arrival of a request (ADR 0012): stamped on the event loop before it waits for a thread, read first by the
middleware; a proxy's header believed only from a configured trusted proxy; never later than now."""

import asyncio
import datetime as dt
import time

import pytest
from django.test import RequestFactory

from pactes.web.arrival import SCOPE_KEY, ArrivalStamp, parse_request_start, request_arrival

NOW = dt.datetime(2024, 9, 30, 21, 59, 59, 500_000, tzinfo=dt.UTC)


class Queue:
    """A fake ASGI app that holds each request until released, and records the scopes it received."""

    def __init__(self) -> None:
        self.scopes: list[dict] = []
        self.release = asyncio.Event()

    async def __call__(self, scope, receive, send) -> None:
        self.scopes.append(scope)
        await self.release.wait()


async def _nothing():
    return {"type": "http.request"}


async def _ignore(message) -> None:
    return None


def test_each_request_is_stamped_before_it_waits_for_a_free_slot():
    async def scenario():
        app = Queue()
        server = ArrivalStamp(app, concurrency=1)
        scopes = [{"type": "http", "path": f"/{i}"} for i in range(3)]
        before = time.time()
        tasks = [asyncio.create_task(server(scope, _nothing, _ignore)) for scope in scopes]
        await asyncio.sleep(0.05)
        inside = len(app.scopes)  # one slot: the two others wait, already stamped
        app.release.set()
        await asyncio.gather(*tasks)
        return before, inside, app.scopes

    before, inside, seen = asyncio.run(scenario())
    assert inside == 1
    assert len(seen) == 3
    stamps = [scope[SCOPE_KEY] for scope in seen]
    assert all(before <= s <= before + 0.05 for s in stamps)  # all three stamped at once, not after the wait


def test_the_lifespan_is_answered():
    async def scenario():
        messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
        sent = []

        async def receive():
            return next(messages)

        async def send(message):
            sent.append(message["type"])

        await ArrivalStamp(Queue(), concurrency=1)({"type": "lifespan"}, receive, send)
        return sent

    assert asyncio.run(scenario()) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


@pytest.mark.parametrize(
    "value", ["t=1727733599.5", "1727733599.5", "t=1727733599500", "t=1727733599500000", " t=1727733599.500 "]
)
def test_request_start_is_read_in_seconds_milliseconds_or_microseconds(value):
    assert parse_request_start(value) == pytest.approx(1727733599.5)


@pytest.mark.parametrize("value", ["", "t=", "demain", "t=nan", "t=-5", "t=inf", "1e300"])
def test_an_unreadable_request_start_is_none(value):
    assert parse_request_start(value) is None


def test_the_server_stamp_is_the_arrival():
    request = RequestFactory().get("/")
    request.scope = {SCOPE_KEY: (NOW - dt.timedelta(seconds=4)).timestamp()}
    assert request_arrival(request, now=NOW) == NOW - dt.timedelta(seconds=4)


def test_without_a_stamp_the_arrival_is_now():
    assert request_arrival(RequestFactory().get("/"), now=NOW) == NOW


def test_an_arrival_is_never_later_than_now():
    request = RequestFactory().get("/")
    request.scope = {SCOPE_KEY: (NOW + dt.timedelta(seconds=30)).timestamp()}
    assert request_arrival(request, now=NOW) == NOW


def test_a_trusted_proxy_header_comes_before_the_server_stamp(settings):
    settings.PACTES_TRUSTED_PROXIES = ["10.1.0.0/16"]
    earlier = NOW - dt.timedelta(seconds=9)
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_REQUEST_START=f"t={earlier.timestamp()}")
    request.scope = {SCOPE_KEY: (NOW - dt.timedelta(seconds=1)).timestamp()}
    assert request_arrival(request, now=NOW) == earlier


@pytest.mark.parametrize(
    ("trusted", "remote", "age"),
    [
        ([], "10.1.2.3", 9),  # no trusted proxy configured: a client cannot date its own filing
        (["10.1.0.0/16"], "192.0.2.7", 9),  # not from the proxy
        (["10.1.0.0/16"], "10.1.2.3", 3600),  # from the proxy, but older than any queue
    ],
)
def test_an_untrusted_or_stale_proxy_header_is_ignored(settings, trusted, remote, age):
    settings.PACTES_TRUSTED_PROXIES = trusted
    claimed = NOW - dt.timedelta(seconds=age)
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_REQUEST_START=f"t={claimed.timestamp()}")
    assert request_arrival(request, now=NOW) == NOW
