"""Client of a ClamAV daemon (clamd), used to scan every uploaded file before it is stored.

Words: *clamd* is ClamAV's scanning daemon; *INSTREAM* is its command to scan bytes sent over the connection:
``zINSTREAM\\0``, then chunks each preceded by its length (4 bytes, big-endian), then a zero length; clamd answers
``stream: OK\\0`` or ``stream: <signature> FOUND\\0``. The daemon is reached through ``CLAMAV_SOCKET`` (a unix socket)
or ``CLAMAV_HOST``/``CLAMAV_PORT`` (TCP), within ``CLAMAV_TIMEOUT`` seconds. Without either setting no antivirus runs
(see docs/uploads.md); when one is set, an unreachable daemon makes the scan fail (the caller refuses the file).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import IO

from django.conf import settings

CHUNK = 64 * 1024
MAX_REPLY = 4096


class AntivirusUnavailable(Exception):
    """clamd could not give a verdict (unreachable, timed out, or answered with an error)."""


@dataclass(frozen=True)
class ScanVerdict:
    infected: bool
    signature: str = ""


def antivirus_enabled() -> bool:
    return bool(settings.CLAMAV_SOCKET or settings.CLAMAV_HOST)


def _connect() -> socket.socket:
    timeout = settings.CLAMAV_TIMEOUT
    if settings.CLAMAV_SOCKET:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(str(settings.CLAMAV_SOCKET))
        except OSError:
            connection.close()
            raise
        return connection
    return socket.create_connection((settings.CLAMAV_HOST, settings.CLAMAV_PORT), timeout=timeout)


def _read_reply(connection: socket.socket) -> bytes:
    reply = b""
    while b"\0" not in reply and len(reply) < MAX_REPLY:
        data = connection.recv(MAX_REPLY)
        if not data:
            break
        reply += data
    return reply.split(b"\0", 1)[0]


def parse_reply(reply: bytes) -> ScanVerdict:
    """``stream: OK`` → clean; ``stream: Eicar-Signature FOUND`` → infected; anything else is an error."""
    text = reply.decode("utf-8", errors="replace").strip()
    if text.startswith("stream:"):
        text = text[len("stream:") :].strip()
    if text == "OK":
        return ScanVerdict(infected=False)
    if text.endswith(" FOUND"):
        return ScanVerdict(infected=True, signature=text[: -len(" FOUND")].strip() or "inconnue")
    raise AntivirusUnavailable(f"clamd a répondu : {text or '(rien)'}")


def scan_stream(stream: IO[bytes]) -> ScanVerdict:
    """Streams the whole of ``stream`` (seekable, binary) to clamd with INSTREAM; raises ``AntivirusUnavailable``."""
    try:
        with _connect() as connection:
            stream.seek(0)
            connection.sendall(b"zINSTREAM\0")
            try:
                while chunk := stream.read(CHUNK):
                    connection.sendall(struct.pack("!L", len(chunk)) + chunk)
                connection.sendall(struct.pack("!L", 0))
            except (BrokenPipeError, ConnectionResetError):
                # clamd closes the stream early when it exceeds its StreamMaxLength; its reply says so.
                pass
            reply = _read_reply(connection)
    except OSError as exc:  # refused, missing socket, timeout
        raise AntivirusUnavailable(f"clamd injoignable : {exc}") from exc
    finally:
        stream.seek(0)
    return parse_reply(reply)
