"""Free-text search of dossiers: the normalised ``search_text`` column, written here, and the query that reads it.

Words: the *search text* of a dossier holds, normalised by ``pactes.territories.names.normalize_name`` (lower case,
no accent, punctuation as spaces), its number, project title, organisation name and SIRET, and the names of the
EPCI and communes of its perimeter (the communes of its EPCI when the perimeter names none). The services that write
a dossier call ``dossier_search_refresh``; on PostgreSQL the query adds the full-text search of the French
configuration on that column (stems: « accompagnement » finds « accompagner »), on SQLite it matches every word.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from pactes.dossiers.models import Dossier
from pactes.territories.models import Commune
from pactes.territories.names import normalize_name

SEARCH_CONFIG = "french"


def dossier_search_text(dossier: Dossier) -> str:
    """The normalised words a search may find ``dossier`` by, each part once."""
    organisation = dossier.organisation
    epcis = list(dossier.epcis.order_by("name").values_list("pk", "name"))
    communes = list(dossier.communes.order_by("name").values_list("name", flat=True))
    if not communes and epcis:
        communes = list(
            Commune.objects.filter(epci_id__in=[pk for pk, _ in epcis]).order_by("name").values_list("name", flat=True)
        )
    parts = [dossier.reference, dossier.title, organisation.name, organisation.siret]
    parts += [name for _, name in epcis] + communes
    seen: list[str] = []
    for part in parts:
        normalized = normalize_name(part or "")
        if normalized and normalized not in seen:
            seen.append(normalized)
    return " ".join(seen)


def dossier_search_refresh(dossier: Dossier) -> None:
    """Rewrites the search text of ``dossier`` (one UPDATE, no other field touched, ``updated_at`` kept)."""
    text = dossier_search_text(dossier)
    Dossier.objects.filter(pk=dossier.pk).update(search_text=text)
    dossier.search_text = text


def search_terms(q: str) -> list[str]:
    """The normalised words of ``q``; a SIRET or SIREN typed with spaces (« 123 456 789 ») is one word."""
    words = normalize_name(q).split()
    joined = "".join(words)
    if len(words) > 1 and joined.isdigit() and len(joined) in (9, 14):
        return [joined]
    return words


def dossiers_matching(qs: QuerySet[Dossier], q: str) -> QuerySet[Dossier]:
    """``qs`` narrowed to the dossiers whose search text holds every word of ``q`` (accents and case ignored); on
    PostgreSQL a dossier also matches through the French full-text search of the same column."""
    words = search_terms(q)
    if not words:
        return qs
    every_word = Q()
    for word in words:
        every_word &= Q(search_text__contains=word)
    if connection.vendor != "postgresql":
        return qs.filter(every_word)
    query = SearchQuery(" ".join(words), config=SEARCH_CONFIG, search_type="plain")
    return qs.annotate(search_vector=SearchVector("search_text", config=SEARCH_CONFIG)).filter(
        every_word | Q(search_vector=query)
    )
