"""Writes of the territories app: loading the reference geography and the INSEE indicators, idempotently.

Both imports compare what is stored with what the files say and write only the differences, in one transaction:
running them twice changes nothing (the second run reports 0 created, 0 updated).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction
from django.utils import timezone

from pactes.core.facts_version import WATCHED, facts_changed
from pactes.core.reference_cache import bump_generation

from .filosofi import ParsedFile, parse_file
from .models import Commune, Departement, DepartementOutline, Epci, EpciOutline, Indicator, IndicatorValue, ValueStatus
from .names import normalize_name
from .selectors import TERRITORIES_REFERENCE

DATA_DIR = Path(__file__).resolve().parent / "data"
VARIABLES_FILE = DATA_DIR / "insee_variables.yaml"
SHIPPED_INDICATOR_FILES = ("occitanie_epci_filosofi2019.csv", "occitanie_filosofi2019_departements_region.csv")
VALUE_QUANTUM = Decimal("0.0001")
BATCH_SIZE = 500


class ReferenceDataError(ValueError):
    """A reference file is missing or malformed; the message is in French."""


@dataclass(frozen=True)
class SyncCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class TerritoriesImport:
    departements: SyncCount
    epcis: SyncCount
    communes: SyncCount
    communes_in_region: int
    communes_outside_region: int
    epci_departement_links_changed: int
    former_codes: int


@dataclass(frozen=True)
class IndicatorsImport:
    values: SyncCount
    secret: int
    ignored_unknown_territories: int
    indicators_created: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    dry_run: bool = False


@dataclass(frozen=True)
class VariableSpec:
    code: str
    label: str
    unit: str
    lower_is_poorer: bool | None
    description: str
    position: int


# --- files -----------------------------------------------------------------------------------------------------


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ReferenceDataError(f"Fichier de référence introuvable : {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _read_features(path: Path, key: str) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        raise ReferenceDataError(f"Fichier de contours introuvable : {path}")
    collection = json.loads(path.read_text(encoding="utf-8"))
    return {str(f["properties"][key]): f["geometry"] for f in collection.get("features", [])}


def _int(row: Mapping[str, str], column: str, path: str) -> int:
    try:
        return int(row[column])
    except (KeyError, ValueError):
        raise ReferenceDataError(f"{path} : valeur entière attendue dans la colonne {column} ({row})") from None


@cache
def load_variables(path: Path = VARIABLES_FILE) -> dict[str, VariableSpec]:
    """The dictionary of INSEE variables: label, unit, reading direction, in display order."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["variables"]
    return {
        code: VariableSpec(
            code=code,
            label=spec["label"],
            unit=spec.get("unit") or "",
            lower_is_poorer=spec.get("lower_is_poorer"),
            description=spec.get("description", ""),
            position=position,
        )
        for position, (code, spec) in enumerate(raw.items(), start=1)
    }


# --- generic difference writer -----------------------------------------------------------------------------------


def _sync(model: type[models.Model], key: str, wanted: Mapping[str, dict[str, Any]]) -> SyncCount:
    existing = {getattr(obj, key): obj for obj in model._default_manager.filter(**{f"{key}__in": list(wanted)})}
    to_create, to_update = [], []
    fields: set[str] = set()
    for code, values in wanted.items():
        obj = existing.get(code)
        if obj is None:
            to_create.append(model(**{key: code}, **values))
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            fields.update(changed)
            to_update.append(obj)
    model._default_manager.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        model._default_manager.bulk_update(to_update, sorted(fields), batch_size=BATCH_SIZE)
    if (to_create or to_update) and model._meta.label_lower in WATCHED:
        facts_changed()  # the bulk writes send no signal: the names of départements and EPCI are facts (ADR 0051)
    return SyncCount(len(to_create), len(to_update), len(wanted) - len(to_create) - len(to_update))


# --- territories ---------------------------------------------------------------------------------------------------


@transaction.atomic
def territories_import(*, data_dir: Path = DATA_DIR) -> TerritoriesImport:
    """Départements, EPCI (with the départements they touch and their contour), communes and former codes."""
    departement_rows = _read_csv(data_dir / "occitanie_departements.csv")
    epci_rows = _read_csv(data_dir / "occitanie_epci.csv")
    commune_rows = _read_csv(data_dir / "occitanie_communes.csv")
    former_rows = _read_csv(data_dir / "occitanie_communes_anciens_codes.csv")
    departement_shapes = _read_features(data_dir / "occitanie_departements.geojson", "code")
    epci_shapes = _read_features(data_dir / "occitanie_epci_2024.geojson", "siren")

    name = "occitanie_departements.csv"
    departements = _sync(
        Departement,
        "code",
        {
            row["code_departement"]: {
                "name": row["nom"],
                "region_code": row["code_region"],
                "region_name": row["nom_region"],
                "prefecture_code": row["chef_lieu_code_insee"],
                "prefecture_name": row["chef_lieu_nom"],
                "population_municipale": _int(row, "population_municipale", name),
                "population_totale": _int(row, "population_totale", name),
            }
            for row in departement_rows
        },
    )
    departement_ids = dict(Departement.objects.values_list("code", "id"))
    _sync_outlines(DepartementOutline, "departement_id", departement_ids, departement_shapes)

    name = "occitanie_epci.csv"
    epcis = _sync(
        Epci,
        "siren",
        {
            row["siren"]: {
                "name": row["nom"],
                "kind": row["type"],
                "financing_mode": row["mode_financement"],
                "main_departement_code": row["departement_majoritaire"],
                "main_region_code": row["region_majoritaire"],
                "is_interregional": row["interregional"] == "oui",
                "population_municipale": _int(row, "population_municipale", name),
                "population_totale": _int(row, "population_totale", name),
                "population_municipale_region": _int(row, "population_municipale_occitanie", name),
                "population_totale_region": _int(row, "population_totale_occitanie", name),
                "search_name": normalize_name(row["nom"]),
            }
            for row in epci_rows
        },
    )
    epci_ids = dict(Epci.objects.values_list("siren", "id"))
    _sync_outlines(EpciOutline, "epci_id", epci_ids, epci_shapes)
    links_changed = _sync_epci_departements(epci_rows, epci_ids, departement_ids)

    former: dict[str, list[str]] = defaultdict(list)
    for row in former_rows:
        former[row["code_insee_actuel"]].append(row["ancien_code_insee"])

    name = "occitanie_communes.csv"
    wanted_communes = {}
    for row in commune_rows:
        in_region = row["en_occitanie"] == "oui"
        if row["epci_siren"] and row["epci_siren"] not in epci_ids:
            raise ReferenceDataError(f"{name} : EPCI {row['epci_siren']} de la commune {row['code_insee']} inconnu.")
        wanted_communes[row["code_insee"]] = {
            "name": row["nom"],
            "siren": row["siren_commune"],
            "departement_code": row["code_departement"],
            "departement_id": departement_ids.get(row["code_departement"]) if in_region else None,
            "in_region": in_region,
            "epci_id": epci_ids.get(row["epci_siren"]),
            "population_municipale": _int(row, "population_municipale", name),
            "population_totale": _int(row, "population_totale", name),
            "postal_codes": row["codes_postaux"],
            "former_codes": ";".join(sorted(former.get(row["code_insee"], []))),
            "search_name": normalize_name(row["nom"]),
        }
    communes = _sync(Commune, "code_insee", wanted_communes)
    in_region_count = sum(1 for c in wanted_communes.values() if c["in_region"])
    bump_generation(TERRITORIES_REFERENCE)  # every server reads the new names at its next request
    return TerritoriesImport(
        departements=departements,
        epcis=epcis,
        communes=communes,
        communes_in_region=in_region_count,
        communes_outside_region=len(wanted_communes) - in_region_count,
        epci_departement_links_changed=links_changed,
        former_codes=len(former_rows),
    )


def _sync_outlines(
    model: type[models.Model], key: str, ids: Mapping[str, int], shapes: Mapping[str, dict[str, Any]]
) -> SyncCount:
    """The outlines of the territories ``ids`` (code → pk), in their own table (ADR 0042); none without a shape."""
    wanted = {ids[code]: {"geometry": shape} for code, shape in shapes.items() if code in ids and shape}
    model._default_manager.filter(**{f"{key}__in": list(ids.values())}).exclude(**{f"{key}__in": list(wanted)}).delete()
    return _sync(model, key, wanted)  # type: ignore[arg-type]


def _sync_epci_departements(
    epci_rows: Iterable[Mapping[str, str]], epci_ids: Mapping[str, int], departement_ids: Mapping[str, int]
) -> int:
    """Links each EPCI to the départements of Occitanie it touches (others are not in the reference)."""
    through = Epci.departements.through
    wanted = {
        (epci_ids[row["siren"]], departement_ids[code])
        for row in epci_rows
        for code in row["departements"].split(";")
        if code in departement_ids
    }
    concerned = {epci_ids[row["siren"]] for row in epci_rows}
    existing = set(
        through.objects.filter(epci_id__in=concerned).values_list("epci_id", "departement_id")  # type: ignore[attr-defined]
    )
    extra = existing - wanted
    for epci_id, departement_id in extra:
        through.objects.filter(epci_id=epci_id, departement_id=departement_id).delete()  # type: ignore[attr-defined]
    through.objects.bulk_create(  # type: ignore[attr-defined]
        [through(epci_id=e, departement_id=d) for e, d in sorted(wanted - existing)], batch_size=BATCH_SIZE
    )
    return len(extra) + len(wanted - existing)


# --- indicators ----------------------------------------------------------------------------------------------------


def known_territory_codes() -> dict[str, set[str]]:
    """Codes of the reference territories per level: indicators of other territories are not stored."""
    region_codes = set(Departement.objects.values_list("region_code", flat=True))
    return {
        "commune": set(Commune.objects.values_list("code_insee", flat=True)),
        "epci": set(Epci.objects.values_list("siren", flat=True)),
        "departement": set(Departement.objects.values_list("code", flat=True)),
        "region": region_codes,
    }


def default_source(years: Iterable[int]) -> str:
    return "Insee, Filosofi " + ", ".join(str(y) for y in sorted(set(years)))


def indicators_import(*, parsed: ParsedFile, source: str | None = None, dry_run: bool = False) -> IndicatorsImport:
    """Upsert the parsed values into Indicator / IndicatorValue; with ``dry_run`` nothing is kept."""
    with transaction.atomic():
        result = _indicators_import(parsed=parsed, source=source, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _indicators_import(*, parsed: ParsedFile, source: str | None, dry_run: bool) -> IndicatorsImport:
    known = known_territory_codes()
    if not known["epci"]:
        raise ReferenceDataError(
            "Aucun territoire de référence en base : lancez d'abord « manage.py import_territories »."
        )
    values = [v for v in parsed.values if v.territory_code in known[v.level]]
    ignored = len({(v.level, v.territory_code) for v in parsed.values}) - len(
        {(v.level, v.territory_code) for v in values}
    )

    dictionary = load_variables()
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=parsed.indicator_codes)}
    created_codes = []
    for code in parsed.indicator_codes:
        if code in indicators:
            continue
        spec = dictionary.get(code)
        indicators[code] = Indicator.objects.create(
            code=code,
            label=spec.label if spec else f"Variable Insee {code}",
            unit=spec.unit if spec else "",
            description=spec.description if spec else "",
            lower_is_poorer=spec.lower_is_poorer if spec else None,
            position=spec.position if spec else 999,
        )
        created_codes.append(code)

    years = sorted({v.year for v in values})
    existing = {
        (iv.indicator_id, iv.year, iv.level, iv.territory_code): iv  # type: ignore[attr-defined]
        for iv in IndicatorValue.objects.filter(
            indicator__in=[indicators[c] for c in parsed.indicator_codes], year__in=years
        )
    }
    now = timezone.now()
    to_create, to_update = [], []
    for parsed_value in values:
        indicator = indicators[parsed_value.indicator_code]
        value = None if parsed_value.value is None else parsed_value.value.quantize(VALUE_QUANTUM)
        status = ValueStatus.SECRET if value is None else ValueStatus.AVAILABLE
        value_source = source or default_source([parsed_value.year])
        key = (indicator.id, parsed_value.year, parsed_value.level, parsed_value.territory_code)
        current = existing.get(key)
        if current is None:
            to_create.append(
                IndicatorValue(
                    indicator=indicator,
                    year=parsed_value.year,
                    level=parsed_value.level,
                    territory_code=parsed_value.territory_code,
                    value=value,
                    status=status,
                    source=value_source,
                )
            )
        elif (current.value, current.status, current.source) != (value, status, value_source):
            current.value, current.status, current.source, current.imported_at = value, status, value_source, now
            to_update.append(current)
    IndicatorValue.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    IndicatorValue.objects.bulk_update(to_update, ["value", "status", "source", "imported_at"], batch_size=BATCH_SIZE)
    return IndicatorsImport(
        values=SyncCount(len(to_create), len(to_update), len(values) - len(to_create) - len(to_update)),
        secret=sum(1 for v in values if v.value is None),
        ignored_unknown_territories=ignored,
        indicators_created=created_codes,
        years=years,
        dry_run=dry_run,
    )


def shipped_indicators_import() -> list[IndicatorsImport]:
    """The Filosofi 2019 files shipped in ``data/`` (EPCI, départements and région)."""
    known_codes = list(load_variables())
    return [
        indicators_import(parsed=parse_file(DATA_DIR / name, known_codes=known_codes))
        for name in SHIPPED_INDICATOR_FILES
    ]
