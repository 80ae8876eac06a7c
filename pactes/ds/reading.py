"""A DS dossier (as the GraphQL API returns it) read into a ``pactes.dossier/1`` document, with the reasons it cannot.

No database here: the caller gives the mapping (descriptor id → target) and the call's choices. Champs are found by
``champDescriptorId``, never by label; a champ hidden by a condition is absent from ``champs`` and fills nothing; a
blank optional champ (``stringValue`` "" and a null typed value) fills nothing either. Amounts are read from what was
typed (``stringValue``) by ``pactes.rules.money.parse_amount`` — « 7560.5 » and « 7 560,50 » are both 7 560,50 € —
never through the float of ``DecimalNumberChamp.value``.

Words: a *reading* is the document, the reasons that stop the import of this dossier (an unmapped mandatory champ, an
unreadable amount…) and the champs met that have no target.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pactes.dossiers.interchange import FORMAT, format_amount
from pactes.ds.targets import COLLECTION_CODES, IGNORE, normalized
from pactes.rules.call_config import Choice
from pactes.rules.money import AmountError, parse_amount
from pactes.rules.siret import normalize_siret

# The nature of the carrier from the legal form of SIRENE (catégories juridiques de l'INSEE), when no champ says it.
LEGAL_FORM_KINDS: tuple[tuple[str, str], ...] = (
    ("7210", "commune"),
    ("7220", "departement"),
    ("734", "epci"),  # 7343 communauté urbaine, 7344 métropole, 7346 communauté de communes, 7348 d'agglomération
    ("7361", "etablissement_public"),  # CCAS
    ("7364", "etablissement_public"),  # CIAS
    ("92", "association"),
    ("93", "fondation"),
)
CONTRIBUTIONS = {"financ": "financial", "nature": "in_kind", "humain": "staff", "personnel": "staff"}
RESOURCE_KINDS = {
    "pacte": "state_pts",
    "pts": "state_pts",
    "etat": "state_pts",
    "propre": "own_funds",
    "prive": "private",
    "public": "public",
}


@dataclass(frozen=True)
class Mapped:
    target: str
    label: str
    required: bool


@dataclass
class Reading:
    document: dict[str, Any]
    reasons: list[str] = field(default_factory=list)
    unmapped: dict[str, str] = field(default_factory=dict)  # descriptor id → label


@dataclass(frozen=True)
class CallChoices:
    """What the call names by code (publics, carrier kinds): a DS drop-down value is matched on code or label."""

    slug: str
    publics: Sequence[Choice]
    carrier_kinds: Sequence[Choice]


def read_dossier(node: Mapping[str, Any], *, mapping: Mapping[str, Mapped], call: CallChoices) -> Reading:
    """The document of one DS dossier, through ``mapping``; ``reasons`` non-empty means it must be skipped."""
    reading = Reading(document=_empty_document(call.slug))
    document = reading.document
    rows: dict[str, list[dict[str, Any]]] = {code: [] for code in COLLECTION_CODES}
    for champ in node.get("champs") or []:
        target = _target_of(champ, mapping, reading)
        if not target or target == IGNORE:
            continue
        if champ.get("__typename") == "RepetitionChamp":
            if target not in COLLECTION_CODES:
                continue
            for row in champ.get("rows") or []:
                values: dict[str, Any] = {}
                for sub in row.get("champs") or []:
                    sub_target = _target_of(sub, mapping, reading)
                    if sub_target and sub_target != IGNORE:
                        _put(values, sub_target, sub, reading)
                if any(v not in ("", None, []) for v in values.values()):
                    rows[target].append(values)
        else:
            _put(document, target, champ, reading)
    _applicant(document, node, call)
    _assemble(document, rows, call, reading)
    return reading


def _target_of(champ: Mapping[str, Any], mapping: Mapping[str, Mapped], reading: Reading) -> str:
    descriptor = str(champ.get("champDescriptorId") or "")
    mapped = mapping.get(descriptor)
    label = str(champ.get("label") or descriptor)
    if mapped is None or not mapped.target:
        reading.unmapped[descriptor] = label
        if mapped is not None and mapped.required:
            reading.reasons.append(
                f"le champ obligatoire « {label} » ({descriptor}) n'est rattaché à aucun champ de Pactes : "
                "complétez la correspondance (ou choisissez « Ne pas importer »)."
            )
        return ""
    return mapped.target


def _value(champ: Mapping[str, Any]) -> Any:
    """The typed value of a champ (None when blank): codes for territories, a date, a boolean, a list, a text."""
    kind = champ.get("__typename")
    text = (champ.get("stringValue") or "").strip()
    if kind == "EpciChamp":
        return ((champ.get("epci") or {}).get("code") or "").strip() or None
    if kind == "CommuneChamp":
        return ((champ.get("commune") or {}).get("code") or "").strip() or None
    if kind == "SiretChamp":
        return normalize_siret((champ.get("etablissement") or {}).get("siret") or text) or None
    if kind == "DateChamp":
        return champ.get("date") or (text or None)
    if kind in {"YesNoChamp", "CheckboxChamp"}:
        return champ.get("yesNo") if kind == "YesNoChamp" else champ.get("checked")
    if kind == "MultipleDropDownListChamp":
        return [str(v) for v in champ.get("values") or []] or None
    return text or None


def _put(place: dict[str, Any], target: str, champ: Mapping[str, Any], reading: Reading) -> None:
    value = _value(champ)
    if value is None:
        return  # a blank optional champ fills nothing
    label = str(champ.get("label") or "")
    if target.endswith((".amount", ".impact_target")):
        try:
            value = format_amount(parse_amount(str(champ.get("stringValue") or "")))
        except AmountError as exc:
            reading.reasons.append(f"le champ « {label} » : {exc}")
            return
    elif target.endswith((".start", ".end")):
        try:
            value = dt.date.fromisoformat(str(value)[:10]).isoformat()
        except ValueError:
            reading.reasons.append(f"le champ « {label} » n'est pas une date lisible (« {value} »).")
            return
    elif target.endswith((".priority", ".action")):
        found = re.search(r"\d+", str(value))
        if found is None:
            reading.reasons.append(f"le champ « {label} » doit donner un numéro (lu : « {value} »).")
            return
        value = int(found.group())
    key = target.rsplit(".", 1)[-1] if "." in target and target.rsplit(".", 1)[0] in COLLECTION_CODES else target
    if target in {"perimeter.epci", "perimeter.communes"}:
        key = target
        place.setdefault(key, []).extend(value if isinstance(value, list) else [value])
        return
    place[key] = value


def _empty_document(slug: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "call": slug,
        "title": "",
        "applicant": {"consortium": []},
        "perimeter": {"epci": [], "communes": []},
        "diagnostic": "",
        "complementarity": "",
        "priorities": [],
        "actions": [],
        "partners": [],
        "budget": {"expenses": [], "resources": [], "in_kind": []},
        "expected_impact": "",
        "impact_measurement": "",
    }


def _applicant(document: dict[str, Any], node: Mapping[str, Any], call: CallChoices) -> None:
    """The carrier: the SIRENE data of the demandeur (a PersonneMorale), unless a champ says otherwise."""
    applicant = document["applicant"]
    for key in ("applicant.siret", "applicant.kind", "applicant.legal_representative", "applicant.contact"):
        if key in document:
            applicant[key.split(".", 1)[1]] = document.pop(key)
    demandeur = node.get("demandeur") or {}
    entreprise = demandeur.get("entreprise") or {}
    applicant.setdefault("siret", normalize_siret(str(demandeur.get("siret") or "")))
    name = entreprise.get("raisonSociale") or entreprise.get("nomCommercial") or ""
    if not name and demandeur.get("__typename") == "PersonnePhysique":
        name = f"{demandeur.get('prenom') or ''} {demandeur.get('nom') or ''}".strip()
    applicant["name"] = str(name)
    address = (demandeur.get("address") or {}).get("label") or demandeur.get("adresse") or ""
    applicant["address"] = str(address)
    if "kind" in applicant:
        applicant["kind"] = _choice_code(str(applicant["kind"]), call.carrier_kinds) or "autre"
    else:
        applicant["kind"] = _kind_from_sirene(demandeur)
    applicant.setdefault("legal_representative", "")
    applicant.setdefault("contact", "")
    applicant["territory"] = ""


def _kind_from_sirene(demandeur: Mapping[str, Any]) -> str:
    if demandeur.get("association"):
        return "association"
    code = str((demandeur.get("entreprise") or {}).get("formeJuridiqueCode") or "")
    return next((kind for prefix, kind in LEGAL_FORM_KINDS if code.startswith(prefix)), "autre")


def _choice_code(value: str, choices: Sequence[Choice]) -> str:
    """The code of a call's choice named by a DS drop-down value (its code or its label, accents and case aside)."""
    wanted = normalized(value)
    for choice in choices:
        if wanted in {normalized(choice.code), normalized(choice.label)}:
            return choice.code
    for choice in choices:
        if wanted and (wanted in normalized(choice.label) or normalized(choice.label) in wanted):
            return choice.code
    return ""


def _codes(value: Any, choices: Sequence[Choice], label: str, reading: Reading) -> list[str]:
    values = value if isinstance(value, list) else [v for v in re.split(r"[,;\n]", str(value or "")) if v.strip()]
    codes = []
    for v in values:
        code = _choice_code(str(v), choices)
        if not code:
            reading.reasons.append(f"{label} : « {v} » n'est pas une valeur connue de l'appel.")
        else:
            codes.append(code)
    return codes


def _by_words(value: str, table: Mapping[str, str], default: str) -> str:
    text = normalized(value)
    return next((code for word, code in table.items() if word in text), default)


def _assemble(
    document: dict[str, Any], rows: Mapping[str, list[dict[str, Any]]], call: CallChoices, reading: Reading
) -> None:
    """Turns the rows of each repetition into the lists of the document, with the format's keys."""
    for key in ("perimeter.epci", "perimeter.communes"):
        document["perimeter"][key.split(".")[1]].extend(document.pop(key, []))
    for row in rows["perimeter"]:
        document["perimeter"]["epci"].extend(row.get("perimeter.epci", []))
        document["perimeter"]["communes"].extend(row.get("perimeter.communes", []))
    for key in ("epci", "communes"):
        document["perimeter"][key] = list(dict.fromkeys(document["perimeter"][key]))
    document["applicant"]["consortium"] = [
        {"name": r.get("name", ""), "siret": normalize_siret(str(r.get("siret", ""))), "role": r.get("role", "")}
        for r in rows["applicant.consortium"]
    ]
    for i, r in enumerate(rows["priorities"]):
        document["priorities"].append(
            {
                "title": r.get("title") or f"Priorité {i + 1}",
                "measures": sorted(set(re.findall(r"\b\d+\.\d+\b", " ".join(_as_list(r.get("measures")))))),
                "local_justification": r.get("local_justification", ""),
                "publics": _codes(r.get("publics"), call.publics, f"priorité {i + 1}, publics", reading),
                "other_public_justification": "",
            }
        )
    if rows["actions"] and not document["priorities"]:
        # Actions belong to a priority in Pactes; a procedure without priorities gets one, to be completed.
        document["priorities"].append(
            {
                "title": "Priorité non renseignée sur démarches simplifiées",
                "measures": [],
                "local_justification": "",
                "publics": [],
                "other_public_justification": "",
            }
        )
    for i, r in enumerate(rows["actions"]):
        action = {
            "title": r.get("title") or f"Action {i + 1}",
            "description": r.get("description", ""),
            "priority": r.get("priority") or 1,
            "territorial_level": r.get("territorial_level", ""),
            "publics": _codes(r.get("publics"), call.publics, f"action {i + 1}, publics", reading),
            "partners": [p.strip() for p in re.split(r"[,;\n]", str(r.get("partners") or "")) if p.strip()],
            "start": r.get("start"),
            "end": r.get("end"),
            "overlaps_departmental_contract": bool(r.get("overlaps_departmental_contract")),
            "articulation": r.get("articulation", ""),
            "impact_measures": [],
        }
        if r.get("impact_indicator"):
            action["impact_measures"].append(
                {
                    "indicator": r["impact_indicator"],
                    "unit": "",
                    "baseline": None,
                    "target": r.get("impact_target"),
                    "method": "",
                    "frequency": "",
                }
            )
        document["actions"].append(action)
    for r in rows["partners"]:
        contribution = _by_words(str(r.get("contribution", "")), CONTRIBUTIONS, "financial")
        valued = contribution != "financial"
        document["partners"].append(
            {
                "name": r.get("name", ""),
                "siret": normalize_siret(str(r.get("siret", ""))),
                "contribution": contribution,
                "amount": r.get("amount"),
                "valuation": {"quantity": None, "unit": "", "unit_value": None, "basis": ""} if valued else None,
            }
        )
    budget = document["budget"]
    for i, r in enumerate(rows["budget.expenses"]):
        budget["expenses"].append(
            {
                "action": r.get("action"),
                "category": r.get("category", ""),
                "label": r.get("label", ""),
                "amount": _required_amount(r, f"dépense {i + 1}", reading),
            }
        )
    for i, r in enumerate(rows["budget.resources"]):
        budget["resources"].append(
            {
                "kind": _by_words(str(r.get("kind", "")), RESOURCE_KINDS, "public"),
                "funder": r.get("funder", ""),
                "amount": _required_amount(r, f"ressource {i + 1}", reading),
                "status": "acquired" if "acqui" in normalized(str(r.get("status", ""))) else "requested",
            }
        )
    for i, r in enumerate(rows["budget.in_kind"]):
        budget["in_kind"].append(
            {
                "partner": r.get("partner", ""),
                "label": r.get("label", ""),
                "amount": _required_amount(r, f"contribution en nature {i + 1}", reading),
            }
        )


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _required_amount(row: Mapping[str, Any], where: str, reading: Reading) -> str:
    amount = row.get("amount")
    if amount is None:
        reading.reasons.append(f"{where} du budget : le montant n'est pas renseigné.")
        return "0.00"
    return str(amount)
