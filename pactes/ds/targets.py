"""The fields of Pactes a DS champ may fill (*targets*), and the mapping proposed the first time, by label and type.

No database here. A target is a place of the ``pactes.dossier/1`` document: a plain field (``diagnostic``), a list
filled by a repetition (``actions``: one action per row) or a field of such a row (``actions.start``). ``ignore``
marks a champ left out on purpose (a section header, an explanation, an attachment); an empty target is a champ not
mapped yet. The proposal only reads the label (accents and case ignored) and the champ's type: the officer checks
and edits it before the import, and the mapping is then kept by descriptor id (labels change between revisions).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

IGNORE = "ignore"

TEXT = frozenset({"TextChamp", "TextareaChamp", "EmailChamp", "PhoneChamp", "AddressChamp", "DropDownListChamp"})
AMOUNT = frozenset({"DecimalNumberChamp", "IntegerNumberChamp", "TextChamp"})
CHOICE = frozenset({"DropDownListChamp", "MultipleDropDownListChamp", "TextChamp", "CheckboxChamp"})
# Champs that carry no value to import: proposed as « ne pas importer ».
WITHOUT_VALUE = frozenset({"HeaderSectionChamp", "ExplicationChamp"})
# Files stay on DS (the link of the dossier leads to them): proposed as « ne pas importer », listed in the preview.
FILES = frozenset({"PieceJustificativeChamp", "TitreIdentiteChamp"})


@dataclass(frozen=True)
class Target:
    code: str
    label: str
    types: frozenset[str]
    keywords: tuple[str, ...] = ()  # every word of one of these phrases must be in the label (proposal only)
    collection: str = ""  # for a field of a row: the list it belongs to


def _t(code: str, label: str, types: Iterable[str], *keywords: str) -> Target:
    collection = code.rsplit(".", 1)[0] if code.rsplit(".", 1)[0] in COLLECTION_CODES else ""
    return Target(code, label, frozenset(types), keywords, collection)


COLLECTION_CODES = frozenset(
    {
        "applicant.consortium",
        "perimeter",
        "priorities",
        "actions",
        "partners",
        "budget.expenses",
        "budget.resources",
        "budget.in_kind",
    }
)
REPETITION = frozenset({"RepetitionChamp"})
YES_NO = frozenset({"YesNoChamp", "CheckboxChamp"})

# Order matters for the proposal: the first target whose keywords and type match wins.
TARGETS: tuple[Target, ...] = (
    # Lists filled by a repetition (one row each).
    _t("applicant.consortium", "Membres du consortium (bloc répétable)", REPETITION, "consortium", "membres"),
    _t("perimeter", "Périmètre : EPCI et communes (bloc répétable)", REPETITION, "perimetre", "territoire"),
    _t("priorities", "Priorités (bloc répétable)", REPETITION, "priorite"),
    _t("budget.expenses", "Budget : dépenses (bloc répétable)", REPETITION, "depense", "charges"),
    _t("budget.in_kind", "Budget : contributions en nature (bloc répétable)", REPETITION, "nature", "valoris"),
    _t("budget.resources", "Budget : ressources (bloc répétable)", REPETITION, "ressource", "financement", "produits"),
    _t("partners", "Partenaires (bloc répétable)", REPETITION, "partenaire"),
    _t("actions", "Plan d'actions (bloc répétable)", REPETITION, "action"),
    # Fields of a consortium member.
    _t("applicant.consortium.siret", "Membre du consortium : SIRET", {"SiretChamp", "TextChamp"}, "siret"),
    _t("applicant.consortium.role", "Membre du consortium : rôle", TEXT, "role"),
    _t("applicant.consortium.name", "Membre du consortium : nom", TEXT, "nom", "organisation", "structure"),
    # The perimeter (in a repetition or at the top).
    _t("perimeter.epci", "Périmètre : EPCI", {"EpciChamp"}, "epci"),
    _t("perimeter.communes", "Périmètre : commune", {"CommuneChamp"}, "commune"),
    # Fields of a priority.
    _t("priorities.measures", "Priorité : mesures du Pacte", CHOICE, "mesure"),
    _t("priorities.publics", "Priorité : publics visés", CHOICE, "public"),
    _t("priorities.local_justification", "Priorité : justification locale", TEXT, "justification"),
    _t("priorities.title", "Priorité : intitulé", TEXT, "intitule", "priorite"),
    # Fields of an action.
    _t("actions.start", "Action : début", {"DateChamp"}, "debut", "demarrage"),
    _t("actions.end", "Action : fin", {"DateChamp"}, "fin"),
    _t("actions.priority", "Action : numéro de la priorité", {"IntegerNumberChamp", "DropDownListChamp"}, "priorite"),
    _t("actions.territorial_level", "Action : échelon territorial", CHOICE, "echelon"),
    _t("actions.publics", "Action : publics visés", CHOICE, "public"),
    _t("actions.partners", "Action : partenaires engagés", TEXT, "partenaire"),
    _t("actions.overlaps_departmental_contract", "Action : recoupe le contrat départemental", YES_NO, "contrat"),
    _t("actions.articulation", "Action : articulation avec le contrat départemental", TEXT, "articulation"),
    _t("actions.impact_indicator", "Action : indicateur d'impact", TEXT, "indicateur"),
    _t("actions.impact_target", "Action : cible de l'indicateur", AMOUNT, "cible"),
    _t("actions.description", "Action : description", TEXT, "description"),
    _t("actions.title", "Action : intitulé", TEXT, "intitule", "action"),
    # Fields of a partner.
    _t("partners.siret", "Partenaire : SIRET", {"SiretChamp", "TextChamp"}, "siret"),
    _t("partners.contribution", "Partenaire : nature de la contribution", CHOICE, "nature"),
    _t("partners.amount", "Partenaire : montant ou valorisation", AMOUNT, "montant"),
    _t("partners.name", "Partenaire : nom", TEXT, "nom", "partenaire"),
    # Budget lines.
    _t("budget.expenses.action", "Dépense : numéro de l'action", {"IntegerNumberChamp", "DropDownListChamp"}, "action"),
    _t("budget.expenses.category", "Dépense : catégorie", CHOICE, "categorie", "poste"),
    _t("budget.expenses.amount", "Dépense : montant", AMOUNT, "montant"),
    _t("budget.expenses.label", "Dépense : libellé", TEXT, "libelle"),
    _t("budget.resources.kind", "Ressource : nature", CHOICE, "nature", "type"),
    _t("budget.resources.status", "Ressource : statut (acquis, demandé)", CHOICE, "statut", "acquis"),
    _t("budget.resources.amount", "Ressource : montant", AMOUNT, "montant"),
    _t("budget.resources.funder", "Ressource : financeur", TEXT, "financeur"),
    _t("budget.in_kind.amount", "Contribution en nature : valorisation", AMOUNT, "montant", "valorisation"),
    _t("budget.in_kind.partner", "Contribution en nature : partenaire", TEXT, "partenaire", "apporteur"),
    _t("budget.in_kind.label", "Contribution en nature : libellé", TEXT, "libelle", "nature"),
    # Plain fields of the dossier.
    _t("applicant.siret", "Porteur : SIRET (sinon celui du demandeur)", {"SiretChamp"}, "siret"),
    _t("applicant.kind", "Porteur : nature", CHOICE, "nature porteur", "statut juridique", "type structure"),
    _t("applicant.legal_representative", "Porteur : représentant légal", TEXT, "representant"),
    _t("applicant.contact", "Porteur : personne à contacter", TEXT, "contact"),
    _t("title", "Intitulé du projet", TEXT, "intitule", "titre", "nom projet"),
    _t("diagnostic", "Diagnostic", TEXT, "diagnostic", "besoins"),
    _t("complementarity", "Articulation avec le contrat départemental", TEXT, "articulation", "complementarite"),
    _t("impact_measurement", "Mesure de l'impact", TEXT, "mesure impact", "evaluation", "mesure"),
    _t("expected_impact", "Impact attendu", TEXT, "impact"),
)
BY_CODE: dict[str, Target] = {t.code: t for t in TARGETS}


def target_label(code: str) -> str:
    if code == IGNORE:
        return "Ne pas importer"
    target = BY_CODE.get(code)
    return target.label if target else "Non rattaché"


def choices_for(*, champ_type: str, collection: str) -> list[tuple[str, str]]:
    """The targets an officer may pick for a champ: a repetition gets the lists, a champ of a row the fields of its
    list (or of the perimeter), a top champ the plain fields; « ne pas importer » always."""
    if champ_type == "RepetitionChamp":
        allowed = [t for t in TARGETS if t.code in COLLECTION_CODES]
    elif collection:
        allowed = [t for t in TARGETS if t.collection == collection]
    else:
        allowed = [t for t in TARGETS if t.code not in COLLECTION_CODES and not t.collection]
        allowed += [BY_CODE["perimeter.epci"], BY_CODE["perimeter.communes"]]
    unique = {t.code: t for t in allowed}
    return [("", "— Non rattaché —"), (IGNORE, "Ne pas importer")] + [(t.code, t.label) for t in unique.values()]


def normalized(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: what the proposal compares."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def propose(*, label: str, champ_type: str, collection: str, taken: set[str]) -> str:
    """The target proposed for a champ the first time: by the words of its label and its type; a target already
    proposed for another champ of the same place is not proposed twice. Empty: nothing fits."""
    if champ_type in WITHOUT_VALUE or champ_type in FILES:
        return IGNORE
    words = set(normalized(label).split())
    text = f" {normalized(label)} "
    for code, _label in choices_for(champ_type=champ_type, collection=collection)[2:]:
        target = BY_CODE[code]
        if champ_type not in target.types or code in taken:
            continue
        for phrase in target.keywords:
            parts = phrase.split()
            if all(any(w.startswith(p) for w in words) for p in parts) or f" {phrase} " in text:
                return code
    return ""
