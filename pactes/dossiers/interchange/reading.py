"""Reading a ``pactes.dossier/1`` document: the JSON Schema, strict readers of its values, and the rules' input.

Words: a *document* is the ``dict`` of the format (see ``docs/formats/pactes.dossier-1.md`` and the JSON Schema beside
this module); a *path* names a place in a document the way a person reads it: ``budget.expenses[2].amount`` (indices
from 0). Every reader raises ``DocumentError`` with the path of a bad value, in French. Nothing here reads the
database: ``document_to_input`` is given the eligible list and each commune's EPCI by its caller.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from pactes.rules.budget import BudgetInput, CofinancingLine, FundingStatus, InKindValuation
from pactes.rules.budget import ExpenseLine as BudgetExpense
from pactes.rules.call_config import CallConfig
from pactes.rules.dossier_inputs import (
    ActionInput,
    ApplicantInput,
    CommuneRef,
    ContributionInput,
    ContributionNature,
    DossierInput,
    EpciRef,
    PerimeterInput,
    PriorityInput,
)
from pactes.rules.money import AmountError, parse_amount
from pactes.rules.siret import normalize_siret

SCHEMA_PATH = Path(__file__).parent / "pactes.dossier-1.schema.json"
EXAMPLE_PATH = Path(__file__).parent / "exemple-dossier.json"

_CONTRIBUTIONS = {
    "financial": ContributionNature.FINANCIAL,
    "in_kind": ContributionNature.IN_KIND,
    "staff": ContributionNature.STAFF,
}
_STATUSES = {"acquired": FundingStatus.OBTAINED, "requested": FundingStatus.REQUESTED, None: FundingStatus.REQUESTED}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DocumentError(ValueError):
    """The document is not a valid ``pactes.dossier/1`` dossier; the message says where and why, in French."""

    def __init__(self, message: str, *, path: str = "") -> None:
        self.path = path
        self.detail = message
        super().__init__(f"{path} : {message}" if path else message)


# -- reading a document --------------------------------------------------------------------------------------------
@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def json_path(parts: Iterable[str | int]) -> str:
    """``["budget", "expenses", 2, "amount"]`` → ``budget.expenses[2].amount``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def load_document(text: str | bytes) -> dict[str, Any]:
    """JSON text → document, validated against the schema; ``DocumentError`` says where it is wrong."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DocumentError(f"le fichier n'est pas encodé en UTF-8 (octet {exc.start}).") from exc
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"JSON invalide à la ligne {exc.lineno}, colonne {exc.colno} : {_json_message(exc.msg)}."
        ) from exc
    if not isinstance(document, dict):
        raise DocumentError("le document doit être un objet JSON ({…}).")
    validator = jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    if errors:
        error = errors[0]
        raise DocumentError(_schema_message(error), path=json_path(error.absolute_path) or "document")
    return document


def _json_message(message: str) -> str:
    known = {
        "Expecting value": "valeur attendue",
        "Expecting ',' delimiter": "virgule attendue",
        "Expecting ':' delimiter": "deux-points attendus",
        "Expecting property name enclosed in double quotes": "nom de clé entre guillemets attendu",
        "Unterminated string starting at": "chaîne de caractères non terminée",
        "Extra data": "contenu en trop après l'objet JSON",
        "Invalid control character at": "caractère de contrôle interdit",
        "Illegal trailing comma before end of object": "virgule en trop avant la fin de l'objet",
        "Illegal trailing comma before end of array": "virgule en trop avant la fin de la liste",
    }
    message = message.rstrip(".")
    return known.get(message, message)


def _schema_message(error: Any) -> str:
    validator = error.validator
    if validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"clé obligatoire manquante : « {missing[0] if missing else error.validator_value[0]} »."
    if validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        names = {
            "string": "une chaîne",
            "integer": "un entier",
            "number": "un nombre",
            "array": "une liste",
            "object": "un objet",
            "boolean": "un booléen",
            "null": "null",
        }
        return f"type attendu : {' ou '.join(names.get(t, t) for t in expected)} (lu : {_shown(error.instance)})."
    if validator in {"enum", "const"}:
        allowed = error.validator_value if validator == "enum" else [error.validator_value]
        shown = ", ".join("null" if v is None else f"« {v} »" for v in allowed)
        return f"valeur « {error.instance} » non reconnue ; valeurs admises : {shown}."
    if validator == "minimum":
        return f"la valeur doit être au moins {error.validator_value} (lu : {error.instance})."
    if validator == "minLength":
        return "la valeur ne peut pas être vide."
    if validator == "pattern":
        return f"valeur « {error.instance} » mal formée."
    if validator == "format":
        return f"« {error.instance} » n'est pas une valeur au format {error.validator_value} (ISO 8601)."
    if validator == "additionalProperties":
        return "clé non prévue par le format."
    return f"valeur refusée par le schéma ({error.message})."


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"« {value} »"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, dict):
        return "un objet"
    return str(value)


def read_amount(value: Any, path: str, *, optional: bool = False) -> Decimal | None:
    """An amount of the format (a string like « 62000.00 »); a bad one raises ``DocumentError`` at ``path``."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise DocumentError(
            f"un montant s'écrit en chaîne de caractères, par exemple « 62000.00 » (lu : {_shown(value)}).", path=path
        )
    try:
        return parse_amount(value)
    except AmountError as exc:
        raise DocumentError(str(exc), path=path) from exc


def read_number(value: Any, path: str) -> Decimal | None:
    """A quantity, baseline or target: a non-negative decimal (string or JSON number), at most 2 decimals."""
    if value is None or value == "":
        return None
    text = str(value).strip().replace(",", ".") if not isinstance(value, bool) else ""
    if not _NUMBER.fullmatch(text):
        raise DocumentError(f"« {value} » n'est pas un nombre positif (exemple : « 2.4 »).", path=path)
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern guards it
        raise DocumentError(f"« {value} » n'est pas un nombre.", path=path) from exc
    if number.as_tuple().exponent < -2 or number >= Decimal("1e10"):  # type: ignore[operator]
        raise DocumentError(f"« {value} » : deux décimales au plus et moins de 10 milliards.", path=path)
    return number


def read_date(value: Any, path: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        if not _DATE.fullmatch(str(value)):
            raise ValueError(value)
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DocumentError(f"« {value} » n'est pas une date ISO (AAAA-MM-JJ).", path=path) from exc


def read_datetime(value: Any, path: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise DocumentError(
            f"« {value} » n'est pas une date et heure ISO avec décalage (exemple : 2024-09-27T16:30:00+02:00).",
            path=path,
        ) from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DocumentError(
            f"« {value} » doit porter son décalage horaire (exemple : 2024-09-27T16:30:00+02:00).", path=path
        )
    return moment


def as_text(value: Any) -> str:
    """A text value of the document; ``null`` reads as empty."""
    return "" if value is None else str(value)


def items_at(document: Mapping[str, Any], *keys: str) -> list[Any]:
    """The list at ``keys`` (``items_at(document, "budget", "expenses")``); empty when a key is absent or null."""
    node: Any = document
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return list(node or [])


# -- document → rules ----------------------------------------------------------------------------------------------
def document_to_input(
    document: Mapping[str, Any],
    *,
    config: CallConfig,
    eligible_sirens: frozenset[str] | set[str],
    commune_epci: Mapping[str, str],
    now: dt.datetime | None = None,
    names: Mapping[str, str] | None = None,
) -> DossierInput:
    """The rules' input for a document. Pure: the caller gives the eligible list and each commune's EPCI.

    ``now`` overrides ``submitted_at``; without both, the deadline is not judged (content only).
    ``names`` (SIREN or INSEE code → name) only makes the messages friendlier.
    """
    del config  # the mapping needs no parameter of the call today; kept so that callers pass it
    names = names or {}
    eligible = frozenset(eligible_sirens)
    applicant = document.get("applicant") or {}
    kind = as_text(applicant.get("kind"))
    territory = as_text(applicant.get("territory")).strip()
    consortium = [m for m in applicant.get("consortium") or [] if m]
    in_territory = False
    if kind == "commune":
        in_territory = commune_epci.get(territory, "") in eligible
    elif kind == "epci":
        in_territory = territory in eligible
    applicant_input = ApplicantInput(
        siret=normalize_siret(as_text(applicant.get("siret"))),
        carrier_kind=kind,
        is_consortium=bool(consortium),
        has_lead=bool(consortium),  # the applicant of a consortium is its chef de file
        is_in_eligible_territory=in_territory,
    )
    perimeter = document.get("perimeter") or {}
    perimeter_input = PerimeterInput(
        epcis=tuple(EpciRef(siren=str(s), name=names.get(str(s), "")) for s in perimeter.get("epci") or []),
        communes=tuple(
            CommuneRef(code_insee=str(c), epci_siren=commune_epci.get(str(c), ""), name=names.get(str(c), ""))
            for c in perimeter.get("communes") or []
        ),
        eligible_epci_sirens=eligible,
    )
    priorities = tuple(
        PriorityInput(
            title=as_text(p.get("title")),
            measure_codes=tuple(str(m) for m in p.get("measures") or []),
            local_justification=as_text(p.get("local_justification")),
            publics=tuple(str(c) for c in p.get("publics") or []),
            other_public_justification=as_text(p.get("other_public_justification")),
        )
        for p in items_at(document, "priorities")
    )
    actions_raw = items_at(document, "actions")
    actions = tuple(
        ActionInput(
            priority_index=int(a.get("priority") or 0) - 1,
            title=as_text(a.get("title")),
            territorial_level=as_text(a.get("territorial_level")),
            publics=tuple(str(c) for c in a.get("publics") or []),
            partners=tuple(str(p) for p in a.get("partners") or []),
            start=read_date(a.get("start"), f"actions[{i}].start"),
            end=read_date(a.get("end"), f"actions[{i}].end"),
            overlaps_departmental_contract=bool(a.get("overlaps_departmental_contract")),
            articulation=as_text(a.get("articulation")),
            impact_measures=tuple(as_text(m.get("indicator")) for m in a.get("impact_measures") or []),
        )
        for i, a in enumerate(actions_raw)
    )
    contributions = tuple(_contribution(p, f"partners[{i}]") for i, p in enumerate(items_at(document, "partners")))
    moment = now
    if moment is None:
        moment = read_datetime(document.get("submitted_at"), "submitted_at")
    return DossierInput(
        applicant=applicant_input,
        perimeter=perimeter_input,
        priorities=priorities,
        actions=actions,
        contributions=contributions,
        budget=document_budget(document, action_count=len(actions_raw)),
        expected_impact=as_text(document.get("expected_impact")),
        impact_measurement=as_text(document.get("impact_measurement")),
        now=moment,
    )


def _contribution(partner: Mapping[str, Any], path: str) -> ContributionInput:
    code = as_text(partner.get("contribution"))
    nature = _CONTRIBUTIONS.get(code)
    if nature is None:
        raise DocumentError(
            f"nature de contribution « {code} » inconnue (financial, in_kind ou staff).", path=f"{path}.contribution"
        )
    amount = read_amount(partner.get("amount"), f"{path}.amount", optional=True)
    valuation = partner.get("valuation") or {}
    return ContributionInput(
        partner=as_text(partner.get("name")),
        nature=nature,
        quantity=read_number(valuation.get("quantity"), f"{path}.valuation.quantity"),
        unit_value=read_amount(valuation.get("unit_value"), f"{path}.valuation.unit_value", optional=True),
        valuation=amount,
    )


def document_budget(document: Mapping[str, Any], *, action_count: int) -> BudgetInput:
    """The budget of a document for the rules; every amount read strictly, with the path of a bad one."""
    expenses: list[BudgetExpense] = []
    for i, line in enumerate(items_at(document, "budget", "expenses")):
        action = line.get("action")
        if action is not None and not 1 <= action <= action_count:
            raise DocumentError(
                f"l'action n°{action} n'existe pas (le plan en compte {action_count}).",
                path=f"budget.expenses[{i}].action",
            )
        amount = read_amount(line.get("amount"), f"budget.expenses[{i}].amount")
        assert amount is not None
        expenses.append(BudgetExpense(label=as_text(line.get("label")) or as_text(line.get("category")), amount=amount))
    grant: Decimal | None = None
    own_funds = Decimal("0.00")
    cofinancing: list[CofinancingLine] = []
    for i, line in enumerate(items_at(document, "budget", "resources")):
        amount = read_amount(line.get("amount"), f"budget.resources[{i}].amount")
        assert amount is not None
        match line.get("kind"):
            case "state_pts":
                grant = amount if grant is None else grant + amount
            case "own_funds":
                own_funds += amount
            case "public" | "private":
                cofinancing.append(
                    CofinancingLine(
                        funder=as_text(line.get("funder")), amount=amount, status=_STATUSES[line.get("status")]
                    )
                )
            case other:
                raise DocumentError(
                    f"nature de ressource « {other} » inconnue (state_pts, public, private ou own_funds).",
                    path=f"budget.resources[{i}].kind",
                )
    in_kind = []
    for i, line in enumerate(items_at(document, "budget", "in_kind")):
        amount = read_amount(line.get("amount"), f"budget.in_kind[{i}].amount")
        assert amount is not None
        in_kind.append(InKindValuation(label=as_text(line.get("label")) or as_text(line.get("partner")), amount=amount))
    try:
        return BudgetInput(
            expenses=tuple(expenses),
            state_grant=grant,
            cofinancing=tuple(cofinancing),
            own_funds=own_funds,
            in_kind=tuple(in_kind),
        )
    except AmountError as exc:
        raise DocumentError(str(exc), path="budget.resources") from exc
