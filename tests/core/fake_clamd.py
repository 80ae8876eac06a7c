"""A fake ClamAV daemon for the tests: it speaks the real INSTREAM protocol (``zINSTREAM\\0``, chunks each preceded by
their 4-byte big-endian length, a zero length to end) on 127.0.0.1 or a unix socket, and flags the EICAR test string."""

import socketserver
import struct
import tempfile
import threading
from pathlib import Path

import pytest

# The EICAR antivirus test string, written in two halves so that this source file is not itself flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class _Handler(socketserver.BaseRequestHandler):
    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = self.request.recv(size - len(data))
            if not part:
                raise ConnectionError("le client a fermé la connexion")
            data += part
        return data

    def handle(self) -> None:
        server: FakeClamdMixin = self.server  # type: ignore[assignment]
        try:
            command = b""
            while not command.endswith(b"\0"):
                command += self._exactly(1)
            server.commands.append(command)
            if server.silent:
                server.released.wait(10)
                return
            if command != b"zINSTREAM\0":
                self.request.sendall(b"UNKNOWN COMMAND\0")
                return
            received = bytearray()
            while True:
                (length,) = struct.unpack("!L", self._exactly(4))
                if length == 0:
                    break
                server.chunk_sizes.append(length)
                received += self._exactly(length)
            server.scanned.append(bytes(received))
            found = EICAR in received
            self.request.sendall(b"stream: Eicar-Signature FOUND\0" if found else b"stream: OK\0")
        except (ConnectionError, OSError):
            return


class FakeClamdMixin:
    daemon_threads = True
    allow_reuse_address = True

    def setup_fake(self, *, silent: bool = False) -> None:
        self.commands: list[bytes] = []
        self.chunk_sizes: list[int] = []
        self.scanned: list[bytes] = []
        self.silent = silent
        self.released = threading.Event()


class FakeClamdTCP(FakeClamdMixin, socketserver.ThreadingTCPServer):
    pass


class FakeClamdUnix(FakeClamdMixin, socketserver.ThreadingUnixStreamServer):
    pass


def _serve(server: FakeClamdMixin):
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread


def _stop(server, thread) -> None:
    server.released.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def clamd_tcp(settings):
    """A fake clamd on a random port of 127.0.0.1, configured through CLAMAV_HOST / CLAMAV_PORT."""
    server = FakeClamdTCP(("127.0.0.1", 0), _Handler)
    server.setup_fake()
    thread = _serve(server)
    settings.CLAMAV_SOCKET, settings.CLAMAV_HOST, settings.CLAMAV_PORT = "", "127.0.0.1", server.server_address[1]
    settings.CLAMAV_TIMEOUT = 5
    yield server
    _stop(server, thread)


@pytest.fixture
def clamd_unix(settings):
    """A fake clamd on a unix socket (short path: the limit is 108 bytes), configured through CLAMAV_SOCKET."""
    directory = Path(tempfile.mkdtemp(prefix="clamd-", dir="/tmp"))
    path = directory / "clamd.sock"
    server = FakeClamdUnix(str(path), _Handler)
    server.setup_fake()
    thread = _serve(server)
    settings.CLAMAV_SOCKET, settings.CLAMAV_HOST, settings.CLAMAV_TIMEOUT = str(path), "", 5
    yield server
    _stop(server, thread)
    path.unlink(missing_ok=True)
    directory.rmdir()


@pytest.fixture
def clamd_silent(settings):
    """A clamd that accepts the connection and never answers."""
    server = FakeClamdTCP(("127.0.0.1", 0), _Handler)
    server.setup_fake(silent=True)
    thread = _serve(server)
    settings.CLAMAV_SOCKET, settings.CLAMAV_HOST, settings.CLAMAV_PORT = "", "127.0.0.1", server.server_address[1]
    settings.CLAMAV_TIMEOUT = 0.3
    yield server
    _stop(server, thread)


@pytest.fixture
def clamd_down(settings):
    """CLAMAV_HOST / CLAMAV_PORT pointing to a port where nothing listens."""
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as probe:
        port = probe.server_address[1]
    settings.CLAMAV_SOCKET, settings.CLAMAV_HOST, settings.CLAMAV_PORT, settings.CLAMAV_TIMEOUT = (
        "",
        "127.0.0.1",
        port,
        1,
    )
    return port
