"""A fake « Recherche d'entreprises » API (recherche-entreprises.api.gouv.fr) on a local port, answering ``GET
/search?q=<siret>`` with the responses recorded in ``fixtures/`` (the API's real JSON format): the file
``search_<siret>_*.json`` when there is one, else an empty page of results. ``fake_sirene.mode`` makes it answer
« down » (503, as the API does under load) or « slow » (later than the client's timeout); ``requests`` lists the
queries received. The fixture points ``PACTES_SIRENE_BASE_URL`` at it."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


class FakeSirene:
    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def _send(self, status: int, body: object) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout): as in real life
                    pass

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = parse_qs(url.query).get("q", [""])[0]
                fake.requests.append(query)
                if fake.mode == "down":
                    return self._send(503, {"erreur": "Service momentanément indisponible"})
                if fake.mode == "slow":
                    time.sleep(1.5)
                if url.path != "/search":
                    return self._send(404, {"erreur": "Not Found"})
                if not query:
                    return self._send(400, {"erreur": "Veuillez indiquer au moins un paramètre de recherche."})
                found = sorted(FIXTURES.glob(f"search_{query}_*.json"))
                path = found[0] if found else FIXTURES / "search_no_result.json"
                return self._send(200, json.loads(path.read_text(encoding="utf-8")))

        return Handler

    def start(self) -> FakeSirene:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_sirene(settings):
    fake = FakeSirene().start()
    settings.PACTES_SIRENE_BASE_URL = fake.url
    settings.PACTES_SIRENE_TIMEOUT = 0.5
    yield fake
    fake.stop()
