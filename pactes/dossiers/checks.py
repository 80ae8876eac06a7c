"""The interchange format ``pactes.dossier/1``: a dossier as one JSON document, and its check against the call.

Words: a *document* is the ``dict`` of the format (see ``docs/formats/pactes.dossier-1.md`` and the JSON Schema in
``interchange/``); its *canonical JSON* (sorted keys, no spaces, UTF-8) is what a filed version freezes and hashes.
A *path* names a place in a document the way a person reads it: ``budget.expenses[2].amount`` (indices from 0).
``document_to_input`` is pure (the rules' ``DossierInput``); the functions that read or write the database say so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pactes.calls.models import Call, Measure
from pactes.calls.selectors import current_eligible_list
from pactes.calls.services import measures_import
from pactes.dossiers.models import (
    Action,
    ConsortiumMember,
    Dossier,
    ExpenseLine,
    ImpactMeasure,
    InKindLine,
    Partner,
    Priority,
    ResourceLine,
    ResourceStatus,
)
from pactes.dossiers.models import ContributionNature as PartnerContribution
from pactes.organisations.models import Membership, Organisation
from pactes.rules.budget import (
    BudgetInput,
    BudgetSummary,
    CofinancingLine,
    FundingStatus,
    InKindValuation,
    summarize_budget,
)
from pactes.rules.budget import ExpenseLine as BudgetExpense
from pactes.rules.call_config import CallConfig
from pactes.rules.dossier import (
    ActionInput,
    ApplicantInput,
    CommuneRef,
    ContributionInput,
    ContributionNature,
    DossierInput,
    EpciRef,
    PerimeterInput,
    PriorityInput,
    check_dossier,
    same_name,
)
from pactes.rules.money import AmountError, parse_amount
from pactes.rules.siret import normalize_siret
from pactes.rules.verdict import Verdict
from pactes.territories.models import Commune, Departement, Epci

FORMAT = "pactes.dossier/1"
SCHEMA_PATH = Path(__file__).parent / "interchange" / "pactes.dossier-1.schema.json"
EXAMPLE_PATH = Path(__file__).parent / "interchange" / "exemple-dossier.json"
RATE_PLACES = Decimal("0.0001")
MEASURES_FILE = "pacte_des_solidarites.yaml"

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


# -- canonical form ------------------------------------------------------------------------------------------------
def canonical_json(document: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, non-ASCII kept: the same dossier always gives the same text."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def document_sha256(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def format_amount(amount: Decimal) -> str:
    """« 62000.00 »: the format's way of writing an amount."""
    return f"{amount.quantize(Decimal('0.01')):.2f}"


def format_number(value: Decimal | None) -> str | None:
    """A quantity, a baseline or a target without useless zeros: « 2.4 », « 25 »."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def format_rate(rate: Decimal | None) -> str:
    """A rate as a decimal fraction with 4 places, cut (never rounded up): 0.49999 → « 0.4999 »."""
    return f"{(rate or Decimal(0)).quantize(RATE_PLACES, rounding=ROUND_DOWN):.4f}"


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


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _items(document: Mapping[str, Any], *keys: str) -> list[Any]:
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
    kind = _text(applicant.get("kind"))
    territory = _text(applicant.get("territory")).strip()
    consortium = [m for m in applicant.get("consortium") or [] if m]
    in_territory = False
    if kind == "commune":
        in_territory = commune_epci.get(territory, "") in eligible
    elif kind == "epci":
        in_territory = territory in eligible
    applicant_input = ApplicantInput(
        siret=normalize_siret(_text(applicant.get("siret"))),
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
            title=_text(p.get("title")),
            measure_codes=tuple(str(m) for m in p.get("measures") or []),
            local_justification=_text(p.get("local_justification")),
            publics=tuple(str(c) for c in p.get("publics") or []),
            other_public_justification=_text(p.get("other_public_justification")),
        )
        for p in _items(document, "priorities")
    )
    actions_raw = _items(document, "actions")
    actions = tuple(
        ActionInput(
            priority_index=int(a.get("priority") or 0) - 1,
            title=_text(a.get("title")),
            territorial_level=_text(a.get("territorial_level")),
            publics=tuple(str(c) for c in a.get("publics") or []),
            partners=tuple(str(p) for p in a.get("partners") or []),
            start=read_date(a.get("start"), f"actions[{i}].start"),
            end=read_date(a.get("end"), f"actions[{i}].end"),
            overlaps_departmental_contract=bool(a.get("overlaps_departmental_contract")),
            articulation=_text(a.get("articulation")),
            impact_measures=tuple(_text(m.get("indicator")) for m in a.get("impact_measures") or []),
        )
        for i, a in enumerate(actions_raw)
    )
    contributions = tuple(_contribution(p, f"partners[{i}]") for i, p in enumerate(_items(document, "partners")))
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
        expected_impact=_text(document.get("expected_impact")),
        impact_measurement=_text(document.get("impact_measurement")),
        now=moment,
    )


def _contribution(partner: Mapping[str, Any], path: str) -> ContributionInput:
    code = _text(partner.get("contribution"))
    nature = _CONTRIBUTIONS.get(code)
    if nature is None:
        raise DocumentError(
            f"nature de contribution « {code} » inconnue (financial, in_kind ou staff).", path=f"{path}.contribution"
        )
    amount = read_amount(partner.get("amount"), f"{path}.amount", optional=True)
    valuation = partner.get("valuation") or {}
    return ContributionInput(
        partner=_text(partner.get("name")),
        nature=nature,
        quantity=read_number(valuation.get("quantity"), f"{path}.valuation.quantity"),
        unit_value=read_amount(valuation.get("unit_value"), f"{path}.valuation.unit_value", optional=True),
        valuation=amount,
    )


def document_budget(document: Mapping[str, Any], *, action_count: int) -> BudgetInput:
    """The budget of a document for the rules; every amount read strictly, with the path of a bad one."""
    expenses: list[BudgetExpense] = []
    for i, line in enumerate(_items(document, "budget", "expenses")):
        action = line.get("action")
        if action is not None and not 1 <= action <= action_count:
            raise DocumentError(
                f"l'action n°{action} n'existe pas (le plan en compte {action_count}).",
                path=f"budget.expenses[{i}].action",
            )
        amount = read_amount(line.get("amount"), f"budget.expenses[{i}].amount")
        assert amount is not None
        expenses.append(BudgetExpense(label=_text(line.get("label")) or _text(line.get("category")), amount=amount))
    grant: Decimal | None = None
    own_funds = Decimal("0.00")
    cofinancing: list[CofinancingLine] = []
    for i, line in enumerate(_items(document, "budget", "resources")):
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
                        funder=_text(line.get("funder")), amount=amount, status=_STATUSES[line.get("status")]
                    )
                )
            case other:
                raise DocumentError(
                    f"nature de ressource « {other} » inconnue (state_pts, public, private ou own_funds).",
                    path=f"budget.resources[{i}].kind",
                )
    in_kind = []
    for i, line in enumerate(_items(document, "budget", "in_kind")):
        amount = read_amount(line.get("amount"), f"budget.in_kind[{i}].amount")
        assert amount is not None
        in_kind.append(InKindValuation(label=_text(line.get("label")) or _text(line.get("partner")), amount=amount))
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


def figures(summary: BudgetSummary) -> dict[str, str]:
    """The figures of the command line and of the API, as strings: amounts « 124000.00 », rate « 0.5000 »."""
    return {
        "total_budget": format_amount(summary.total_budget),
        "state_grant": format_amount(summary.state_grant or Decimal(0)),
        "cofinancing": format_amount(summary.cofinancing),
        "cofinancing_rate": format_rate(summary.cofinancing_rate),
        "in_kind": format_amount(summary.total_in_kind),
    }


# -- with the database: the call, its eligible list, the communes' EPCI ----------------------------------------------
def call_of(document: Mapping[str, Any]) -> Call:

    slug = _text(document.get("call"))
    call = Call.objects.filter(slug=slug).first()
    if call is None:
        known = ", ".join(Call.objects.order_by("slug").values_list("slug", flat=True)) or "aucun"
        raise DocumentError(
            f"l'appel « {slug} » n'est pas chargé sur la plateforme (appels chargés : {known}).", path="call"
        )
    return call


def eligible_sirens(call: Call) -> frozenset[str]:
    """The SIREN of the list in force for the call; a demonstration call and its base call share their list."""

    related = [call]
    if call.derived_from_id:
        related.append(call.derived_from)
    related += list(Call.objects.filter(derived_from=call).order_by("-is_demo", "slug"))
    for candidate in related:
        eligible_list = current_eligible_list(candidate)
        if eligible_list is not None:
            return frozenset(eligible_list.entries.values_list("epci__siren", flat=True))
    return frozenset()


def applicant_territory(applicant: Mapping[str, Any]) -> str:
    """The applicant's territory: the one given, else found from the SIRET of a commune or an EPCI."""

    given = _text(applicant.get("territory")).strip()
    if given:
        return given
    siren = normalize_siret(_text(applicant.get("siret")))[:9]
    if len(siren) != 9:
        return ""
    match applicant.get("kind"):
        case "commune":
            return Commune.objects.filter(siren=siren).values_list("code_insee", flat=True).first() or ""
        case "epci":
            return siren if Epci.objects.filter(siren=siren).exists() else ""
    return ""


def _territory_lookups(document: Mapping[str, Any], territory: str) -> tuple[dict[str, str], dict[str, str]]:

    perimeter = document.get("perimeter") or {}
    codes = {str(c) for c in perimeter.get("communes") or []} | ({territory} if territory else set())
    commune_epci: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, name, siren in Commune.objects.filter(code_insee__in=codes).values_list(
        "code_insee", "name", "epci__siren"
    ):
        commune_epci[code] = siren or ""
        names[code] = name
    sirens = {str(s) for s in perimeter.get("epci") or []}
    names.update(dict(Epci.objects.filter(siren__in=sirens).values_list("siren", "name")))
    return commune_epci, names


def check_document(document: Mapping[str, Any], *, now: dt.datetime | None = None) -> tuple[Verdict, BudgetSummary]:
    """Reads the call, its eligible list and the communes' EPCI, then judges the document with every rule."""
    call = call_of(document)
    config = call.rules
    applicant = dict(document.get("applicant") or {})
    applicant["territory"] = applicant_territory(applicant)
    document = {**document, "applicant": applicant}
    commune_epci, names = _territory_lookups(document, applicant["territory"])
    data = document_to_input(
        document,
        config=config,
        eligible_sirens=eligible_sirens(call),
        commune_epci=commune_epci,
        now=now,
        names=names,
    )
    return check_dossier(data, config), summarize_budget(data.budget, config)


def dossier_verdict(dossier: Dossier, *, now: dt.datetime | None = None) -> tuple[Verdict, BudgetSummary]:
    """Every rule on a dossier of the database (live panel; filing passes ``now=timezone.now()``)."""
    return check_document(dossier_to_document(dossier), now=now)


# -- dossier of the database → document ----------------------------------------------------------------------------
def _has_field(model: Any, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _get(obj: Any, name: str) -> str:
    return _text(getattr(obj, name, "") if _has_field(type(obj), name) else "")


def dossier_to_document(dossier: Dossier) -> dict[str, Any]:
    """The canonical ``pactes.dossier/1`` document of a dossier: every key of the format, in the rows' order."""
    organisation = dossier.organisation
    applicant = {
        "name": organisation.name,
        "siret": organisation.siret,
        "kind": organisation.kind,
        "address": organisation.address,
        "consortium": [{"name": m.name, "siret": m.siret, "role": m.role} for m in dossier.consortium_members.all()],
    }
    for key in ("legal_representative", "contact"):
        if _has_field(type(dossier), f"applicant_{key}"):
            applicant[key] = _get(dossier, f"applicant_{key}")
    applicant["territory"] = applicant_territory({**applicant, "territory": _get(dossier, "applicant_territory")})
    communes = (
        [c.code_insee for c in dossier.communes.all().order_by("code_insee")]
        if _has_field(type(dossier), "communes")
        else []
    )
    priorities = list(Priority.objects.filter(dossier=dossier).prefetch_related("measures").order_by("position", "pk"))
    priority_numbers = {p.pk: i + 1 for i, p in enumerate(priorities)}
    actions = list(
        Action.objects.filter(dossier=dossier).prefetch_related("impact_measures").order_by("position", "pk")
    )
    action_numbers = {a.pk: i + 1 for i, a in enumerate(actions)}
    resources = list(dossier.resources.all())
    document: dict[str, Any] = {
        "format": FORMAT,
        "call": dossier.call.slug,
        "title": dossier.title,
        "applicant": applicant,
        "perimeter": {
            "epci": [e.siren for e in dossier.epcis.all().order_by("siren")],
            "communes": communes,
        },
        "diagnostic": _get(dossier, "diagnostic"),
        "complementarity": _get(dossier, "complementarity"),
        "priorities": [
            {
                "title": p.title,
                "measures": sorted(m.code for m in p.measures.all()),
                "local_justification": p.local_justification,
                "publics": list(p.publics),
                "other_public_justification": p.other_public_justification,
            }
            for p in priorities
        ],
        "actions": [
            {
                "title": a.title,
                "description": a.description,
                "priority": priority_numbers.get(a.priority_id),
                "territorial_level": a.territorial_level,
                "publics": list(a.publics),
                "partners": list(a.partners),
                "start": a.start.isoformat() if a.start else None,
                "end": a.end.isoformat() if a.end else None,
                "overlaps_departmental_contract": a.overlaps_departmental_contract,
                "articulation": a.articulation,
                "impact_measures": [
                    {
                        "indicator": m.indicator,
                        "unit": m.unit,
                        "baseline": format_number(m.baseline),
                        "target": format_number(m.target),
                        "method": m.method,
                        "frequency": m.frequency,
                    }
                    for m in a.impact_measures.all()
                ],
            }
            for a in actions
        ],
        "partners": [_partner_document(p) for p in dossier.partners.all()],
        "budget": {
            "expenses": [
                {
                    "action": action_numbers.get(e.action_id) if e.action_id else None,
                    "category": e.category,
                    "label": e.label,
                    "amount": format_amount(e.amount),
                }
                for e in dossier.expenses.all()
            ],
            "resources": [
                {"kind": r.kind, "funder": r.funder, "amount": format_amount(r.amount), "status": r.status}
                for r in resources
            ],
            "in_kind": [
                {"partner": k.partner, "label": k.label, "amount": format_amount(k.amount)}
                for k in dossier.in_kind_lines.all()
            ],
        },
        "expected_impact": _get(dossier, "expected_impact"),
        "impact_measurement": _get(dossier, "impact_measurement"),
    }
    if dossier.submitted_at is not None:
        document["submitted_at"] = timezone.localtime(dossier.submitted_at).isoformat()
    return document


def _partner_document(partner: Partner) -> dict[str, Any]:
    valued = partner.contribution != "financial"
    return {
        "name": partner.name,
        "siret": partner.siret,
        "contribution": partner.contribution,
        "amount": format_amount(partner.amount) if partner.amount is not None else None,
        "valuation": {
            "quantity": format_number(partner.quantity),
            "unit": partner.unit,
            "unit_value": format_amount(partner.unit_value) if partner.unit_value is not None else None,
            "basis": partner.basis,
        }
        if valued
        else None,
    }


# -- document → dossier of the database ----------------------------------------------------------------------------
def document_to_dossier(document: Mapping[str, Any], *, by: Any) -> Dossier:
    """Creates a draft with all its rows from a document read by ``load_document``.

    The applicant's organisation is found by SIRET or created; ``by`` becomes one of its members when it is an
    active account. Every row is validated before it is written; ``DocumentError`` says where, and nothing stays.
    """
    call = call_of(document)
    actions_raw = _items(document, "actions")
    priorities_raw = _items(document, "priorities")
    document_budget(document, action_count=len(actions_raw))  # every amount, before any row is written
    for i, a in enumerate(actions_raw):
        if not 1 <= int(a.get("priority") or 0) <= len(priorities_raw):
            raise DocumentError(
                f"la priorité n°{a.get('priority')} n'existe pas (le dossier en compte {len(priorities_raw)}).",
                path=f"actions[{i}].priority",
            )
    measures = _measures_by_code(priorities_raw)
    epcis, communes = _perimeter_rows(document)
    departement = _instructing_departement(epcis, communes)
    applicant = document.get("applicant") or {}
    siret = normalize_siret(_text(applicant.get("siret")))
    with transaction.atomic():
        organisation = Organisation.objects.filter(siret=siret).first() if siret else None
        if organisation is None:
            organisation = Organisation(
                name=_text(applicant.get("name")),
                siret=siret,
                kind=_text(applicant.get("kind")),
                address=_text(applicant.get("address")),
                departement=departement,
            )
            _save(organisation, "applicant")
        if getattr(by, "is_active", False):
            Membership.objects.get_or_create(organisation=organisation, user=by)
        fields: dict[str, Any] = {}
        for name in ("diagnostic", "complementarity", "expected_impact", "impact_measurement"):
            if _has_field(Dossier, name):
                fields[name] = _text(document.get(name))
        for key in ("legal_representative", "contact"):
            if _has_field(Dossier, f"applicant_{key}"):
                fields[f"applicant_{key}"] = _text(applicant.get(key))
        title = _text(document.get("title")).strip() or f"Pacte territorial des solidarités — {organisation.name}"
        dossier = _create_with_reference(
            call=call, organisation=organisation, title=title, departement=departement, created_by=by, **fields
        )
        dossier.epcis.set(epcis)
        if communes and _has_field(Dossier, "communes"):
            dossier.communes.set(communes)
        for i, m in enumerate(applicant.get("consortium") or []):
            member = ConsortiumMember(
                dossier=dossier,
                position=i,
                name=_text(m.get("name")),
                siret=normalize_siret(_text(m.get("siret"))),
                role=_text(m.get("role")),
            )
            _save(member, f"applicant.consortium[{i}]")
        priority_rows = []
        for i, p in enumerate(priorities_raw):
            priority = Priority(
                dossier=dossier,
                position=i,
                title=_text(p.get("title")),
                local_justification=_text(p.get("local_justification")),
                publics=[str(c) for c in p.get("publics") or []],
                other_public_justification=_text(p.get("other_public_justification")),
            )
            _save(priority, f"priorities[{i}]")
            priority.measures.set([measures[str(code)] for code in p.get("measures") or []])
            priority_rows.append(priority)
        action_rows = []
        for i, a in enumerate(actions_raw):
            action = Action(
                dossier=dossier,
                priority=priority_rows[int(a["priority"]) - 1],
                position=i,
                title=_text(a.get("title")),
                description=_text(a.get("description")),
                territorial_level=_text(a.get("territorial_level")),
                publics=[str(c) for c in a.get("publics") or []],
                partners=[str(c) for c in a.get("partners") or []],
                start=read_date(a.get("start"), f"actions[{i}].start"),
                end=read_date(a.get("end"), f"actions[{i}].end"),
                overlaps_departmental_contract=bool(a.get("overlaps_departmental_contract")),
                articulation=_text(a.get("articulation")),
            )
            _save(action, f"actions[{i}]")
            for j, m in enumerate(a.get("impact_measures") or []):
                path = f"actions[{i}].impact_measures[{j}]"
                measure = ImpactMeasure(
                    action=action,
                    position=j,
                    indicator=_text(m.get("indicator")),
                    unit=_text(m.get("unit")),
                    baseline=read_number(m.get("baseline"), f"{path}.baseline"),
                    target=read_number(m.get("target"), f"{path}.target"),
                    method=_text(m.get("method")),
                    frequency=_text(m.get("frequency")),
                )
                _save(measure, path)
            action_rows.append(action)
        partner_rows: list[Partner] = []
        for i, p in enumerate(_items(document, "partners")):
            path = f"partners[{i}]"
            valuation = p.get("valuation") or {}
            partner = Partner(
                dossier=dossier,
                position=i,
                name=_text(p.get("name")),
                siret=normalize_siret(_text(p.get("siret"))),
                contribution=_text(p.get("contribution")),
                amount=read_amount(p.get("amount"), f"{path}.amount", optional=True),
                quantity=read_number(valuation.get("quantity"), f"{path}.valuation.quantity"),
                unit=_text(valuation.get("unit")),
                unit_value=read_amount(valuation.get("unit_value"), f"{path}.valuation.unit_value", optional=True),
                basis=_text(valuation.get("basis")),
            )
            _save(partner, path)
            partner_rows.append(partner)
        for i, e in enumerate(_items(document, "budget", "expenses")):
            expense = ExpenseLine(
                dossier=dossier,
                action=action_rows[e["action"] - 1] if e.get("action") else None,
                position=i,
                category=_text(e.get("category")),
                label=_text(e.get("label")),
                amount=read_amount(e.get("amount"), f"budget.expenses[{i}].amount"),
            )
            _save(expense, f"budget.expenses[{i}]")
        for i, r in enumerate(_items(document, "budget", "resources")):
            resource = ResourceLine(
                dossier=dossier,
                position=i,
                kind=r["kind"],
                funder=_text(r.get("funder")),
                amount=read_amount(r.get("amount"), f"budget.resources[{i}].amount"),
                status=r.get("status") or ResourceStatus.REQUESTED,
            )
            resource.contributor = _contributor_of(resource.funder, resource.amount, partner_rows, financial=True)
            if resource.contributor is not None:
                resource.contributor.funder_kind, resource.contributor.funding_status = resource.kind, resource.status
                resource.contributor.save(update_fields=["funder_kind", "funding_status"])
            _save(resource, f"budget.resources[{i}]")
        for i, k in enumerate(_items(document, "budget", "in_kind")):
            line = InKindLine(
                dossier=dossier,
                position=i,
                partner=_text(k.get("partner")),
                label=_text(k.get("label")),
                amount=read_amount(k.get("amount"), f"budget.in_kind[{i}].amount"),
            )
            line.contributor = _contributor_of(line.partner, line.amount, partner_rows, financial=False)
            _save(line, f"budget.in_kind[{i}]")
    return dossier


def _contributor_of(name: str, amount: Any, partners: list[Partner], *, financial: bool) -> Partner | None:
    """The partner whose commitment a budget line of the document repeats (same name, same amount), taken once: the
    editor then shows that line as the partner's, read-only. A line that matches none stays apart, and
    ``CONTRIBUTIONS_MISMATCH`` says so when the figures disagree."""
    for partner in partners:
        if (
            (partner.contribution == PartnerContribution.FINANCIAL) == financial
            and partner.amount == amount
            and same_name(partner.name, name)
            and not getattr(partner, "_budget_line_taken", False)
        ):
            partner._budget_line_taken = True  # type: ignore[attr-defined]
            return partner
    return None


def _save(row: Any, path: str) -> None:
    """Validates a row like a form would (lengths, choices, SIRET…), then writes it; errors name the place."""
    try:
        row.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        where = path if field == NON_FIELD_ERRORS else f"{path}.{field}"
        raise DocumentError(" ".join(str(m) for m in messages), path=where) from exc
    row.save()


def _measures_by_code(priorities: Sequence[Mapping[str, Any]]) -> dict[str, Any]:

    codes = {str(c) for p in priorities for c in p.get("measures") or []}
    if codes and not Measure.objects.exists():
        # The Pacte's measures are reference data shipped with the platform: load them on first need.
        measures_import(path=Path(settings.PACTES_CALLS_DIR) / MEASURES_FILE)
    found = {m.code: m for m in Measure.objects.filter(code__in=codes)}
    for i, p in enumerate(priorities):
        for j, code in enumerate(p.get("measures") or []):
            if str(code) not in found:
                raise DocumentError(
                    f"la mesure « {code} » n'est pas une mesure connue du Pacte des solidarités.",
                    path=f"priorities[{i}].measures[{j}]",
                )
    return found


def _perimeter_rows(document: Mapping[str, Any]) -> tuple[list[Any], list[Any]]:

    perimeter = document.get("perimeter") or {}
    epcis = []
    for i, siren in enumerate(perimeter.get("epci") or []):
        epci = Epci.objects.filter(siren=str(siren)).first()
        if epci is None:
            raise DocumentError(f"aucun EPCI de SIREN « {siren} » n'est connu.", path=f"perimeter.epci[{i}]")
        epcis.append(epci)
    communes = []
    for i, code in enumerate(perimeter.get("communes") or []):
        commune = Commune.objects.select_related("departement").filter(code_insee=str(code)).first()
        if commune is None:
            raise DocumentError(
                f"aucune commune de code INSEE « {code} » n'est connue.", path=f"perimeter.communes[{i}]"
            )
        communes.append(commune)
    return epcis, communes


def _instructing_departement(epcis: Sequence[Any], communes: Sequence[Any]) -> Any:
    """The DDETS-PP that instructs: main département of the first EPCI of the perimeter, else of the first commune."""

    departement = None
    if epcis:
        departement = Departement.objects.filter(code=epcis[0].main_departement_code).first()
    elif communes:
        departement = communes[0].departement
    if departement is None:
        raise DocumentError(
            "le périmètre ne permet pas de déterminer le département instructeur : indiquez un EPCI ou une commune "
            "d'Occitanie.",
            path="perimeter",
        )
    return departement


def next_reference(call: Call, departement: Departement) -> str:
    """« PTS-2024-09-0007 »: year of the call's filing, instructing département, next number of that series."""

    year = timezone.localtime(call.filing_closes_at).year
    prefix = f"PTS-{year}-{departement.code}-"
    numbers = [
        int(ref.removeprefix(prefix))
        for ref in Dossier.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
        if ref.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _create_with_reference(**fields: Any) -> Dossier:
    for _attempt in range(5):
        dossier = Dossier(reference=next_reference(fields["call"], fields["departement"]), **fields)
        try:
            with transaction.atomic():
                _save(dossier, "dossier")
                return dossier
        except (IntegrityError, DocumentError):
            if not Dossier.objects.filter(reference=dossier.reference).exists():
                raise
    raise DocumentError("impossible d'attribuer un numéro de dossier : réessayez.")
