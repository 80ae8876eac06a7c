"""A fake démarches simplifiées: a local HTTP server that executes the GraphQL query it receives with graphql-core over
DS's own schema (``pactes/ds/schema.graphql``) and recorded dossier data (``tests/ds/data/``), so that a wrong field,
type condition or alias fails as it would on DS. It checks the Bearer token (HTTP 401 otherwise), serves pages of
``page_size`` dossiers whatever ``first`` asks, and filters by ``updatedSince``.

Fixtures: ``fake_ds`` (running, with the recorded procedure 84512 and its token set in ``DS_API_TOKEN``) and
``ds_data`` (a fresh copy of the recorded data, to change before the server reads it).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLError, build_schema, graphql_sync

from pactes.ds.client import TOKEN_VARIABLE

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "pactes" / "ds" / "schema.graphql"
DATA_PATH = Path(__file__).resolve().parent / "data" / "demarche-84512.json"
TOKEN = "jeton-de-test-ne-pas-afficher"
PATH = "/api/v2/graphql"
SCHEMA = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


def recorded_data() -> dict[str, Any]:
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor-{index}".encode()).decode()


def _index(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor).decode().removeprefix("cursor-"))
    except ValueError as exc:
        raise GraphQLError("Invalid cursor") from exc


class FakeDs:
    def __init__(self, data: dict[str, Any], *, page_size: int = 2, port: int = 0) -> None:
        self.data = data
        self.page_size = page_size
        self.token = TOKEN
        self.requests: list[dict[str, Any]] = []
        self.fail_after_requests: int | None = None  # answer HTTP 500 from then on (a failure mid-way)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{PATH}"

    def start(self) -> FakeDs:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def dossier(self, number: int) -> dict[str, Any]:
        return next(d for d in self.data["dossiers"] if d["number"] == number)

    # -- GraphQL resolvers over the recorded data ------------------------------------------------------------------
    def _demarche(self, _info: Any, number: int) -> dict[str, Any]:
        demarche = self.data["demarche"]
        if number != demarche["number"]:
            raise GraphQLError("Demarche not found")
        return {**demarche, "dossiers": self._dossiers}

    def _dossiers(self, _info: Any, **args: Any) -> dict[str, Any]:
        nodes = sorted(self.data["dossiers"], key=lambda d: d["number"])
        since = args.get("updatedSince")
        if since:
            moment = dt.datetime.fromisoformat(str(since))
            nodes = [d for d in nodes if dt.datetime.fromisoformat(d["dateDerniereModification"]) >= moment]
        start = _index(args.get("after"))
        size = min(args.get("first") or 100, self.page_size)
        page = nodes[start : start + size]
        end = start + len(page)
        return {
            "nodes": page,
            "pageInfo": {
                "hasNextPage": end < len(nodes),
                "hasPreviousPage": start > 0,
                "startCursor": _cursor(start),
                "endCursor": _cursor(end),
            },
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                payload = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append({"path": self.path, "body": body, "authorization": self.headers["Authorization"]})
                if fake.fail_after_requests is not None and len(fake.requests) > fake.fail_after_requests:
                    return self._answer(500, {"errors": [{"message": "Internal Server Error"}]})
                if self.path != PATH:
                    return self._answer(404, {"errors": [{"message": "Not found"}]})
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    return self._answer(
                        401, {"errors": [{"message": "Without a token, only persisted queries are allowed"}]}
                    )
                result = graphql_sync(
                    SCHEMA,
                    body.get("query") or "",
                    root_value={"demarche": fake._demarche},
                    variable_values=body.get("variables"),
                    operation_name=body.get("operationName"),
                )
                answer: dict[str, Any] = {"data": result.data}
                if result.errors:
                    answer["errors"] = [e.formatted for e in result.errors]
                return self._answer(200, answer)

        return Handler


@pytest.fixture
def ds_data() -> dict[str, Any]:
    return copy.deepcopy(recorded_data())


@pytest.fixture
def fake_ds(ds_data, monkeypatch):
    server = FakeDs(ds_data).start()
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    yield server
    server.stop()


if __name__ == "__main__":
    # The demo of the README: « python -m tests.ds.fake_ds [PORT] » serves the recorded procedure 84512 until Ctrl-C.
    server = FakeDs(recorded_data(), port=int(sys.argv[1]) if len(sys.argv) > 1 else 8765)
    print(f"Faux démarches simplifiées : {server.url} (jeton : {TOKEN}, démarche 84512). Ctrl-C pour arrêter.")
    try:
        server._server.serve_forever()
    except KeyboardInterrupt:
        server.stop()
