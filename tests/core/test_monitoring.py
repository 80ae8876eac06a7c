"""Sentry without personal data (ADR 0031): the scrubber unit by unit, then the real wiring — a process started with
SENTRY_DSN pointing at a local fake Sentry (HTTP envelope endpoint) reports an error whose message, user and local
variables named a person, and what arrives names nobody."""

import gzip
import json
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
from django.conf import settings

from pactes.core.monitoring import EMAIL_MASK, FILTERED, PHONE_MASK, scrub_event

EMAIL = "camille.roux@pactes.test"


def django_event() -> dict:
    return {
        "message": f"Échec d'envoi à {EMAIL}",
        "user": {"id": 7, "email": EMAIL, "username": "Camille Roux", "ip_address": "203.0.113.9"},
        "request": {
            "method": "POST",
            "url": f"https://pactes.example/compte/?courriel={EMAIL}",
            "query_string": f"courriel={EMAIL}",
            "data": {"username": EMAIL, "password": "motdepasse-solide-42", "diagnostic": "Mme Roux, 06 12 34 56 78"},
            "cookies": {"sessionid": "abc", "csrftoken": "def"},
            "headers": {
                "Cookie": "sessionid=abc",
                "Authorization": "Bearer x",
                "X-Csrftoken": "def",
                "User-Agent": "Firefox",
                "X-Forwarded-For": "203.0.113.9",
            },
        },
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": f"Adresse refusée : {EMAIL} (tél. +33 6 12 34 56 78)",
                    "stacktrace": {"frames": [{"function": "send", "vars": {"user": "Camille Roux", "to": EMAIL}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": f"SELECT … WHERE email = '{EMAIL}'"}]},
        "extra": {"recipient": EMAIL},
    }


def test_the_scrubber_removes_every_personal_datum():
    event = scrub_event(django_event(), {})
    text = json.dumps(event, ensure_ascii=False)
    for personal in (EMAIL, "Camille Roux", "motdepasse", "06 12 34 56 78", "203.0.113.9", "sessionid", "Bearer"):
        assert personal not in text, personal
    assert event["user"] == {"id": 7}
    assert event["request"]["data"] == FILTERED
    assert event["request"]["cookies"] == FILTERED
    assert event["request"]["query_string"] == FILTERED
    assert event["request"]["headers"] == {"User-Agent": "Firefox"}
    assert "vars" not in event["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert EMAIL_MASK in event["message"] and PHONE_MASK in event["exception"]["values"][0]["value"]


def test_the_scrubber_keeps_what_helps_to_fix_the_error():
    event = scrub_event(django_event(), {})
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert event["exception"]["values"][0]["stacktrace"]["frames"][0]["function"] == "send"
    assert event["request"]["method"] == "POST"


class FakeSentry(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        FakeSentry.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_sentry():
    FakeSentry.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSentry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


REPORTER = f"""
import django, sentry_sdk
django.setup()
# Built from parts: the source lines Sentry shows around a frame must not be what the test finds.
name, address = " ".join(["Camille", "Roux"]), ".".join(["203", "0", "113", "9"])
sentry_sdk.set_user({{"id": 7, "email": "{EMAIL}", "username": name, "ip_address": address}})
def send(to):
    secret = name
    raise ValueError("Adresse refusée : " + to + " (06 12 34 56 78) " + secret)
try:
    send("{EMAIL}")
except ValueError:
    sentry_sdk.capture_exception()
sentry_sdk.capture_message("Échec d'envoi à {EMAIL}")
sentry_sdk.flush(10)
"""


def test_with_sentry_dsn_the_platform_reports_errors_without_personal_data(fake_sentry):
    port = fake_sentry.server_address[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SENTRY_DSN": f"http://cle-publique@127.0.0.1:{port}/1",
    }
    result = subprocess.run(
        [sys.executable, "-c", REPORTER], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = b"\n".join(FakeSentry.received).decode("utf-8").splitlines()
    payload = "\n".join(json.dumps(json.loads(line), ensure_ascii=False) for line in lines if line.strip())
    assert "ValueError" in payload and "Adresse refusée" in payload  # the error did arrive
    assert EMAIL_MASK in payload
    for personal in (EMAIL, "Camille Roux", "203.0.113.9", "06 12 34 56 78"):
        assert personal not in payload, payload[max(0, payload.find(personal) - 300) : payload.find(personal) + 50]


def test_without_sentry_dsn_no_client_is_started():
    assert settings.SENTRY_DSN == ""
