"""What a document names and the database knows: its call, the applicant's territory, the perimeter's names and EPCI.

Words: the *territory* of an applicant is the INSEE code of the commune or the SIREN of the EPCI it is (empty for
any other kind of applicant). The reads go through the ``calls`` and ``territories`` selectors; this module only
turns a missing reference into a ``DocumentError`` that names its place in the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pactes.calls.models import Call
from pactes.calls.selectors import call_by_slug, call_slugs
from pactes.dossiers.interchange.reading import DocumentError, as_text
from pactes.rules.siret import normalize_siret
from pactes.territories.selectors import communes_epci_and_name, epci_names, territory_code_of_siren


def call_of(document: Mapping[str, Any]) -> Call:
    """The loaded call the document is filed to; ``DocumentError`` on ``call`` lists the loaded ones otherwise."""
    slug = as_text(document.get("call"))
    call = call_by_slug(slug)
    if call is None:
        known = ", ".join(call_slugs()) or "aucun"
        raise DocumentError(
            f"l'appel « {slug} » n'est pas chargé sur la plateforme (appels chargés : {known}).", path="call"
        )
    return call


def applicant_territory(applicant: Mapping[str, Any]) -> str:
    """The applicant's territory: the one given, else found from the SIRET of a commune or an EPCI."""
    given = as_text(applicant.get("territory")).strip()
    if given:
        return given
    siren = normalize_siret(as_text(applicant.get("siret")))[:9]
    if len(siren) != 9:
        return ""
    return territory_code_of_siren(siren, kind=as_text(applicant.get("kind")))


def territory_lookups(document: Mapping[str, Any], territory: str) -> tuple[dict[str, str], dict[str, str]]:
    """For the perimeter's communes and the applicant's ``territory``: each commune's EPCI SIREN; and the names of
    those communes and of the perimeter's EPCI, by code (they only make the rules' messages friendlier)."""
    perimeter = document.get("perimeter") or {}
    codes = {str(c) for c in perimeter.get("communes") or []} | ({territory} if territory else set())
    commune_epci, names = communes_epci_and_name(codes)
    names.update(epci_names({str(s) for s in perimeter.get("epci") or []}))
    return commune_epci, names
