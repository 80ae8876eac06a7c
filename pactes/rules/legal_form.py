"""The legal form of an organisation (INSEE « catégorie juridique », 4 digits, as SIRENE gives it) and the carrier
kind of a call it suggests (§1.3.4 « Les porteurs de projets éligibles »).

No Django here. The suggestion is only a proposal: the person may choose another kind, and the call's rules still
decide whether that kind is eligible. Codes: the INSEE nomenclature of legal categories (level III), 2022 edition.
"""

from __future__ import annotations

from collections.abc import Iterable

# The labels of the categories applicants of a call for solidarity projects are most likely to have.
LEGAL_CATEGORY_LABELS: dict[str, str] = {
    "7210": "Commune et commune nouvelle",
    "7220": "Département",
    "7229": "Collectivité territoriale (autre)",
    "7343": "Communauté urbaine",
    "7344": "Métropole",
    "7345": "Syndicat intercommunal à vocation multiple (SIVOM)",
    "7346": "Communauté de communes",
    "7347": "Communauté de villes",
    "7348": "Communauté d'agglomération",
    "7353": "Syndicat intercommunal à vocation unique (SIVU)",
    "7354": "Syndicat mixte fermé",
    "7355": "Syndicat mixte ouvert",
    "7357": "Pôle d'équilibre territorial et rural (PETR)",
    "7361": "Centre communal d'action sociale (CCAS)",
    "7366": "Établissement public local social et médico-social",
    "7367": "Centre intercommunal d'action sociale (CIAS)",
    "7389": "Établissement public local (autre)",
    "9210": "Association non déclarée",
    "9220": "Association déclarée",
    "9221": "Association déclarée d'insertion par l'économique",
    "9222": "Association intermédiaire",
    "9223": "Groupement d'employeurs",
    "9230": "Association déclarée, reconnue d'utilité publique",
    "9260": "Association de droit local (Bas-Rhin, Haut-Rhin et Moselle)",
    "9300": "Fondation",
}

# Intercommunal bodies with their own taxation (EPCI à fiscalité propre): the « EPCI » of the call.
EPCI_CATEGORIES = frozenset({"7343", "7344", "7346", "7347", "7348"})


def legal_category_label(code: str) -> str:
    """The French label of an INSEE legal category, or « Catégorie juridique NNNN » for one not listed here."""
    code = (code or "").strip()
    if not code:
        return ""
    return LEGAL_CATEGORY_LABELS.get(code, f"Catégorie juridique {code}")


def suggested_carrier_kind(code: str) -> str:
    """The carrier kind (« commune », « epci », « association »…) a legal category suggests; empty when none does."""
    code = (code or "").strip()
    if code == "7210":
        return "commune"
    if code in EPCI_CATEGORIES:
        return "epci"
    if code == "7220":
        return "departement"
    if code.startswith("73"):
        return "etablissement_public"
    if code == "9300":
        return "fondation"
    if code.startswith("92"):
        return "association"
    return ""


def suggestion_for_call(code: str, allowed: Iterable[str]) -> str:
    """The suggested carrier kind when the call provides it (its ``carrier_kinds``); empty otherwise."""
    kind = suggested_carrier_kind(code)
    return kind if kind and kind in set(allowed) else ""
