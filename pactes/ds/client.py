"""The client of DS's GraphQL API v2: one POST per page, ``Authorization: Bearer`` with the token of ``DS_API_TOKEN``.

Words: a *page* is one answer of ``demarche.dossiers``; the client follows ``pageInfo.hasNextPage`` / ``endCursor``
whatever the number of dossiers DS puts in a page. Every failure of the call itself (no token, network, HTTP status,
a body that is not JSON, GraphQL ``errors``) raises ``DsUnavailable`` with a French message, and never shows the
token. The token is never an argument of a command and never logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from pactes.ds.query import DEMARCHE_QUERY, DOSSIERS_QUERY

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "DS_API_TOKEN"
# Pages followed at most in one import: far above any procedure (100 000 dossiers), a guard against a cursor loop.
MAX_PAGES = 1000


class DsUnavailable(Exception):
    """The call to DS could not be made or was refused (exit code 2 of ``ds_import``); the message is French."""


@dataclass(frozen=True)
class Descriptor:
    id: str
    label: str
    type: str  # the champ's type: « TextChamp », « RepetitionChamp »… (``__typename`` without « Descriptor »)
    required: bool
    parent_id: str = ""


@dataclass(frozen=True)
class DemarcheInfo:
    number: int
    title: str
    descriptors: tuple[Descriptor, ...]


def api_token() -> str:
    """The token, from the environment (``DS_API_TOKEN``), else from the settings read at start-up."""
    return (os.environ.get(TOKEN_VARIABLE) or settings.DS_API_TOKEN or "").strip()


class DsClient:
    def __init__(self, *, url: str | None = None, token: str | None = None, page_size: int | None = None) -> None:
        self.url = url or settings.DS_API_URL
        self._token = api_token() if token is None else token
        self.page_size = page_size or settings.DS_PAGE_SIZE

    def __repr__(self) -> str:  # never the token
        return f"DsClient(url={self.url!r})"

    def execute(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """POSTs one GraphQL document and returns its ``data``; raises ``DsUnavailable``."""
        if not self._token:
            raise DsUnavailable(
                f"Aucun jeton d'accès : définissez la variable d'environnement {TOKEN_VARIABLE} (jeton de l'API de "
                "démarches simplifiées, avec accès à la démarche)."
            )
        body = json.dumps({"query": query, "variables": dict(variables)}).encode("utf-8")
        if urlsplit(self.url).scheme not in {"http", "https"}:
            raise DsUnavailable(f"L'adresse de l'API « {self.url} » doit commencer par https:// (ou http://).")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self._token}",
                "User-Agent": "Pactes (import démarches simplifiées)",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.DS_API_TIMEOUT_SECONDS) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise DsUnavailable(
                    f"démarches simplifiées refuse l'accès (HTTP {exc.code}) : vérifiez le jeton {TOKEN_VARIABLE} "
                    "(valide, non expiré, avec accès à la démarche)."
                ) from None
            raise DsUnavailable(f"démarches simplifiées a répondu par une erreur HTTP {exc.code}.") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DsUnavailable(f"démarches simplifiées est injoignable à {self.url} ({reason}).") from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise DsUnavailable("démarches simplifiées a renvoyé une réponse qui n'est pas du JSON.") from None
        if not isinstance(answer, dict):
            raise DsUnavailable("démarches simplifiées a renvoyé une réponse inattendue.")
        if answer.get("errors"):
            messages = "; ".join(str(e.get("message", e)) for e in answer["errors"] if isinstance(e, dict))
            raise DsUnavailable(f"démarches simplifiées a refusé la requête : {messages or answer['errors']}")
        data = answer.get("data")
        if not isinstance(data, dict):
            raise DsUnavailable("démarches simplifiées a renvoyé une réponse sans données.")
        return data

    def demarche(self, number: int) -> DemarcheInfo:
        """The procedure's title and the champ descriptors of all its revisions (newest revision wins on a label)."""
        data = self.execute(DEMARCHE_QUERY, {"demarcheNumber": number})
        return demarche_info(data.get("demarche") or {}, number=number)

    def dossiers(
        self,
        number: int,
        *,
        updated_since: dt.datetime | None = None,
        on_page: Callable[[int], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Every dossier of the procedure (updated since ``updated_since`` if given), all pages read before any is
        returned: a failure on the last page leaves nothing half-imported."""
        nodes: list[dict[str, Any]] = []
        after: str | None = None
        for _page in range(MAX_PAGES):
            variables: dict[str, Any] = {"demarcheNumber": number, "first": self.page_size, "after": after}
            if updated_since is not None:
                variables["updatedSince"] = updated_since.isoformat()
            data = self.execute(DOSSIERS_QUERY, variables)
            connection = (data.get("demarche") or {}).get("dossiers") or {}
            nodes.extend(n for n in connection.get("nodes") or [] if n)
            if on_page is not None:
                on_page(len(nodes))
            page_info = connection.get("pageInfo") or {}
            if not page_info.get("hasNextPage"):
                return nodes
            cursor = page_info.get("endCursor")
            if not cursor or cursor == after:
                raise DsUnavailable("démarches simplifiées annonce une page suivante sans curseur pour la lire.")
            after = cursor
        raise DsUnavailable(f"la démarche compte plus de {MAX_PAGES} pages de dossiers : import interrompu.")


def demarche_info(demarche: Mapping[str, Any], *, number: int) -> DemarcheInfo:
    """The ``demarche`` of an answer to ``DEMARCHE_QUERY``: its title and the descriptors of all its revisions."""
    found: dict[str, Descriptor] = {}
    for revision in demarche.get("revisions") or []:  # oldest first: a newer label wins
        for d in revision.get("champDescriptors") or []:
            _collect(found, d, parent="")
    return DemarcheInfo(
        number=int(demarche.get("number") or number),
        title=str(demarche.get("title") or ""),
        descriptors=tuple(found.values()),
    )


def _collect(found: dict[str, Descriptor], raw: Mapping[str, Any], *, parent: str) -> None:
    kind = str(raw.get("__typename") or "").removesuffix("Descriptor")
    descriptor = Descriptor(
        id=str(raw.get("id")),
        label=str(raw.get("label") or ""),
        type=kind,
        required=bool(raw.get("required")),
        parent_id=parent,
    )
    found[descriptor.id] = descriptor
    for child in raw.get("champDescriptors") or []:
        _collect(found, child, parent=descriptor.id)
