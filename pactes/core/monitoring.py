"""Error monitoring with Sentry, only when ``SENTRY_DSN`` is set, and never with personal data.

Words: the *scrubber* (``scrub_event``, Sentry's ``before_send``) removes from every event what could name a person
before it leaves the server: the request's body, cookies, query string and identifying headers, the user (but its
numeric id), the local variables of the stack frames, every e-mail address or French phone number, and the name,
username and address of the event's user wherever they appear (message, exception value, breadcrumb, extra) —
ADR 0031. ``send_default_pii`` stays false. A name typed in free text that is not the event's user cannot be
recognised: the platform's exception messages carry references (dossier numbers), never names.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
PHONE_RE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
EMAIL_MASK = "[courriel masqué]"
PHONE_MASK = "[téléphone masqué]"
FILTERED = "[filtré]"
KEPT_HEADERS = {"user-agent", "accept", "accept-language", "content-type", "content-length", "host", "referer"}


NAME_MASK = "[nom masqué]"
USER_FIELDS = ("username", "name", "first_name", "last_name", "full_name", "ip_address")


def scrub_text(text: str, known: tuple[str, ...] = ()) -> str:
    for value in known:
        text = text.replace(value, NAME_MASK)
    return PHONE_RE.sub(PHONE_MASK, EMAIL_RE.sub(EMAIL_MASK, text))


def _scrub(value: Any, known: tuple[str, ...] = ()) -> Any:
    if isinstance(value, str):
        return scrub_text(value, known)
    if isinstance(value, dict):
        return {key: _scrub(item, known) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item, known) for item in value]
    return value


def _scrub_request(request: dict[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    kept = {key: request[key] for key in ("method", "url", "env") if key in request}
    if "url" in kept:
        kept["url"] = scrub_text(str(kept["url"]).split("?")[0], known)
    headers = request.get("headers") or {}
    kept["headers"] = {name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS}
    for removed in ("data", "cookies", "query_string"):
        if request.get(removed):
            kept[removed] = FILTERED
    return _scrub(kept, known)  # type: ignore[no-any-return]


def _scrub_frames(exception: dict[str, Any]) -> None:
    for item in exception.get("values") or []:
        for frame in (item.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry's ``before_send``: the event without personal data (see the module)."""
    user = event.get("user") or {}
    known = tuple(
        sorted({str(user[f]) for f in USER_FIELDS if len(str(user.get(f) or "")) >= 3}, key=len, reverse=True)
    )
    if "request" in event:
        event["request"] = _scrub_request(event["request"], known)
    event["user"] = {"id": user["id"]} if "id" in user else {}
    if "exception" in event:
        _scrub_frames(event["exception"])
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for key in ("message", "logentry", "exception", "breadcrumbs", "extra", "contexts", "tags", "transaction"):
        if key in event:
            event[key] = _scrub(event[key], known)
    return event


def sentry_init(*, dsn: str, environment: str = "", release: str = "", traces_sample_rate: float = 0.0) -> None:
    """Starts Sentry's Django integration with the scrubber; called by the settings when ``SENTRY_DSN`` is set."""
    import sentry_sdk  # imported here: only a deployment with a DSN loads the SDK
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,  # type: ignore[arg-type]
        before_send_transaction=scrub_event,  # type: ignore[arg-type]
        environment=environment or None,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
    )
