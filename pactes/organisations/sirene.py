"""The State's open SIRENE directory, through the API « Recherche d'entreprises » (recherche-entreprises.api.gouv.fr,
no key): what it says of one establishment, by its SIRET.

Words: a *lookup* asks ``GET {PACTES_SIRENE_BASE_URL}/search?q=<siret>`` with a timeout
(``PACTES_SIRENE_TIMEOUT``) and reads, in the result whose establishments match, the establishment of that SIRET:
its name (the legal unit's), address, commune, INSEE legal category (``nature_juridique``) and administrative state
(``etat_administratif``: « A » active, « F » closed; a legal unit « C » has ceased). The outcome is *found*, *not
found* or *unavailable* (network error, timeout, an answer that is not the API's); answers are cached ten minutes so
that the two steps of the organisation form ask once.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import cache

from pactes.rules.legal_form import legal_category_label

logger = logging.getLogger(__name__)
CACHE_SECONDS = 600


class Outcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Establishment:
    siret: str
    name: str
    address: str
    commune_code: str
    departement_code: str
    legal_category: str
    is_active: bool
    closed_on: str = ""

    @property
    def legal_category_label(self) -> str:
        return legal_category_label(self.legal_category)


@dataclass(frozen=True)
class Lookup:
    outcome: Outcome
    establishment: Establishment | None = None

    @property
    def is_found(self) -> bool:
        return self.outcome == Outcome.FOUND

    @property
    def is_unavailable(self) -> bool:
        return self.outcome == Outcome.UNAVAILABLE


def departement_of_commune(code: str) -> str:
    """The département of an INSEE commune code (« 09225 » → « 09 », overseas « 97411 » → « 974 »)."""
    code = (code or "").strip()
    if len(code) != 5:
        return ""
    return code[:3] if code.startswith("97") else code[:2]


def _text(value: Any) -> str:
    return str(value).strip() if value not in (None, "") else ""


def parse_search(payload: Any, siret: str) -> Lookup:
    """The establishment ``siret`` in a ``/search`` answer; raises ``ValueError`` when the answer is not the API's."""
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise ValueError("réponse sans « results »")
    for result in payload["results"]:
        if not isinstance(result, dict):
            raise ValueError("résultat illisible")
        candidates = [*(result.get("matching_etablissements") or []), result.get("siege") or {}]
        etablissement = next((e for e in candidates if isinstance(e, dict) and e.get("siret") == siret), None)
        if etablissement is None:
            continue
        commune = _text(etablissement.get("commune"))
        unit_ceased = _text(result.get("etat_administratif")) == "C"
        return Lookup(
            Outcome.FOUND,
            Establishment(
                siret=siret,
                name=_text(result.get("nom_raison_sociale")) or _text(result.get("nom_complet")),
                address=_text(etablissement.get("adresse")),
                commune_code=commune,
                departement_code=_text(etablissement.get("departement")) or departement_of_commune(commune),
                legal_category=_text(result.get("nature_juridique")),
                is_active=_text(etablissement.get("etat_administratif")) == "A" and not unit_ceased,
                closed_on=_text(etablissement.get("date_fermeture")) or _text(result.get("date_fermeture")),
            ),
        )
    return Lookup(Outcome.NOT_FOUND)


def establishment_lookup(siret: str) -> Lookup:
    """What SIRENE says of ``siret`` (a normalized, valid SIRET); never raises."""
    key = f"pactes:sirene:{siret}"
    cached = cache.get(key)
    if isinstance(cached, Lookup):
        return cached
    url = f"{settings.PACTES_SIRENE_BASE_URL.rstrip('/')}/search?{urllib.parse.urlencode({'q': siret})}"
    if not url.startswith(("https://", "http://")):  # the setting names a web address, never a file
        logger.warning("PACTES_SIRENE_BASE_URL n'est pas une adresse web : %s", url)
        return Lookup(Outcome.UNAVAILABLE)
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, headers={"Accept": "application/json", "User-Agent": "Pactes (DREETS)"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.PACTES_SIRENE_TIMEOUT) as response:  # noqa: S310
            lookup = parse_search(json.loads(response.read(2_000_000).decode("utf-8")), siret)
    except (OSError, ValueError, urllib.error.URLError) as exc:  # timeouts are OSError; bad JSON is ValueError
        logger.warning("Recherche d'entreprises injoignable pour %s : %s", siret, exc)
        return Lookup(Outcome.UNAVAILABLE)
    cache.set(key, lookup, CACHE_SECONDS)
    return lookup
