"""Writes of the calls area: loading a call from its YAML file, importing the measures of the Pacte des solidarités,
building, importing and arresting the list of eligible EPCI (annex 1), setting the regional envelope.

Words: the *effective* configuration of a derived (demonstration) call is its base call's YAML with the derived
file's keys merged over it; it is what ``Call.yaml_text`` stores and what ``Call.rules`` parses.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import User
from pactes.calls.models import Axis, Call, EligibleEpci, EligibleList, EligibleListKind, Measure
from pactes.calls.selectors import epci_stats, region_departements
from pactes.rules.annex import indicative_list
from pactes.rules.call_config import CallConfig, CallConfigError, shift_demo_offset
from pactes.territories.models import Epci, IndicatorValue, TerritoryLevel


class CallDataError(ValueError):
    """A file or a choice given to the calls services is unusable (message in French)."""


# -- calls --------------------------------------------------------------------------------------------------------
def read_call_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CallDataError(f"Fichier d'appel illisible : {path} ({exc.strerror}).") from exc
    except yaml.YAMLError as exc:
        raise CallConfigError(f"Le fichier YAML de l'appel {path.name} est illisible : {exc}") from exc
    if not isinstance(data, dict):
        raise CallConfigError(f"Le fichier {path.name} doit décrire un dictionnaire.")
    return data


def is_call_file(data: dict[str, Any]) -> bool:
    """A call file has a slug and a format version (the Pacte's measures file, beside it, has neither)."""
    return "slug" in data and "format_version" in data


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` merged into a copy of ``base``: nested dictionaries merge, any other value of ``over`` wins."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def call_load(*, path: Path | str, today: dt.date | None = None) -> Call:
    """Loads one call file into ``Call`` (by slug, idempotent); a derived file is merged over its base file."""
    path = Path(path)
    data = read_call_yaml(path)
    if not is_call_file(data):
        raise CallDataError(
            f"{path.name} n'est pas un fichier d'appel (clés « slug » et « format_version » attendues)."
        )
    today = today or timezone.localdate()
    base_call: Call | None = None
    offset = 0
    base_slug = data.get("derived_from")
    if base_slug:
        base_path = path.parent / f"{base_slug}.yaml"
        if not base_path.exists():
            raise CallDataError(f"L'appel de base « {base_slug} » de {path.name} est introuvable ({base_path}).")
        base_data = read_call_yaml(base_path)
        base_call = call_load(path=base_path, today=today)
        days_after = (data.get("demo_offset") or {}).get("days_after_filing_opens")
        effective = deep_merge(base_data, data)
        if days_after is not None:
            if isinstance(days_after, bool) or not isinstance(days_after, int):
                raise CallConfigError(
                    f"« demo_offset.days_after_filing_opens » doit être un nombre entier (lu : {days_after!r})."
                )
            base_opens = CallConfig.from_dict(base_data).filing_opens_at.date()
            offset = shift_demo_offset(base_opens, today, days_after)
    else:
        effective = data
    yaml_text = yaml.safe_dump(effective, allow_unicode=True, sort_keys=False)
    config = CallConfig.from_yaml(yaml_text, date_offset_days=offset)
    if offset and not config.is_demo:
        raise CallConfigError(f"Seul un appel de démonstration peut décaler ses dates ({path.name}).")
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(slug=config.slug).first() or Call(slug=config.slug)
        call.title = config.title
        call.short_title = config.short_title
        call.is_demo = config.is_demo
        call.derived_from = base_call
        call.date_offset_days = offset
        call.source_file = path.name
        call.yaml_text = yaml_text
        call.yaml_sha256 = hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()
        call.filing_opens_at = config.filing_opens_at
        call.filing_closes_at = config.filing_closes_at
        # The envelope belongs to the administrator: the file only gives a first value.
        if call.pk is None and config.regional_envelope is not None:
            call.regional_envelope = config.regional_envelope
        call.full_clean(exclude=["regional_envelope_set_by"])
        call.save()
    call.__dict__.pop("rules", None)
    return call


def call_files_in_order(paths: Iterable[Path]) -> list[Path]:
    """The call files among ``paths``, base calls before the calls derived from them."""
    found = [(p, read_call_yaml(p)) for p in sorted(paths)]
    calls = [(p, d) for p, d in found if is_call_file(d)]
    return [p for p, d in sorted(calls, key=lambda pd: bool(pd[1].get("derived_from")))]


def call_envelope_set(*, call: Call, amount: Decimal | None, by: User) -> Call:
    if amount is not None and amount < 0:
        raise CallDataError("L'enveloppe régionale ne peut pas être négative.")
    call.regional_envelope = amount
    call.regional_envelope_set_at = timezone.now()
    call.regional_envelope_set_by = by
    call.save(update_fields=["regional_envelope", "regional_envelope_set_at", "regional_envelope_set_by"])
    return call


# -- measures of the Pacte des solidarités --------------------------------------------------------------------------
def measures_import(*, path: Path | str) -> dict[str, int]:
    """Axes and measures from the Pacte's YAML: labels updated, an administrator's choices kept, nothing deleted."""
    path = Path(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CallDataError(f"Le fichier des mesures {path} est illisible : {exc}") from exc
    axes = data.get("axes") if isinstance(data, dict) else None
    if not isinstance(axes, list) or not axes:
        raise CallDataError(f"Le fichier {path.name} ne contient pas de liste « axes ».")
    counts = {"axes_created": 0, "axes_updated": 0, "measures_created": 0, "measures_updated": 0}
    with transaction.atomic():
        for position, raw_axis in enumerate(axes, start=1):
            if not isinstance(raw_axis, dict) or not raw_axis.get("code") or not raw_axis.get("libelle"):
                raise CallDataError(f"Axe n° {position} sans code ou sans libellé dans {path.name}.")
            axis, created = Axis.objects.update_or_create(
                code=str(raw_axis["code"]),
                defaults={
                    "label": str(raw_axis["libelle"]),
                    "description": str(raw_axis.get("description") or "").strip(),
                    "source_url": str(raw_axis.get("mesures_source") or raw_axis.get("description_source") or ""),
                    "measures_status": str(raw_axis.get("mesures_statut") or ""),
                    "position": position,
                },
            )
            counts["axes_created" if created else "axes_updated"] += 1
            for raw in raw_axis.get("mesures") or []:
                if not isinstance(raw, dict) or not raw.get("code") or not raw.get("libelle"):
                    raise CallDataError(f"Mesure sans code ou sans libellé dans l'axe {axis.code} ({path.name}).")
                _, created = Measure.objects.update_or_create(
                    code=str(raw["code"]),
                    defaults={
                        "axis": axis,
                        "label": str(raw["libelle"]),
                        "sub_measures": "\n".join(str(s) for s in raw.get("sous_mesures") or []),
                        "source_url": axis.source_url,
                    },
                )
                counts["measures_created" if created else "measures_updated"] += 1
    return counts


# -- eligible lists (annex 1) -----------------------------------------------------------------------------------------
def eligible_list_build_indicative(*, call: Call) -> EligibleList:
    """Computes the indicative list of the call from the imported indicator; replaces the previous indicative list."""
    spec = call.rules.indicative_list
    if not IndicatorValue.objects.filter(
        indicator__code=spec.indicator, year=spec.year, level=TerritoryLevel.EPCI, value__isnull=False
    ).exists():
        raise CallDataError(
            f"Aucune valeur de l'indicateur {spec.indicator} ({spec.year}) n'est importée pour les EPCI : "
            "lancez d'abord « manage.py import_indicators »."
        )
    departements = region_departements(call)
    result = indicative_list(
        epci_stats(indicator_code=spec.indicator, year=spec.year),
        spec,
        [d.code for d in departements],
        departement_names={d.code: d.name for d in departements},
    )
    epci_ids = dict(Epci.objects.filter(siren__in=result.sirens).values_list("siren", "pk"))
    with transaction.atomic():
        call.eligible_lists.filter(kind=EligibleListKind.INDICATIVE).delete()
        eligible_list = EligibleList.objects.create(
            call=call,
            kind=EligibleListKind.INDICATIVE,
            indicator_code=spec.indicator,
            indicator_year=spec.year,
            method=result.method,
            source=f"Insee, Filosofi {spec.year}",
            arrested_at=timezone.now(),
        )
        EligibleEpci.objects.bulk_create(
            EligibleEpci(
                eligible_list=eligible_list,
                epci_id=epci_ids[e.siren],
                rank=e.rank,
                indicator_value=e.value,
                reason=e.reason.message[:300],
            )
            for e in result.entries
        )
    return eligible_list


def parse_siren_csv(text: str) -> list[str]:
    """SIREN read from a CSV: the ``siren`` column when the header has one, else the first column; ``;`` or ``,``."""
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        raise CallDataError("Le fichier CSV est vide : aucun SIREN à importer.")
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") and ";" in lines[0] else ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = [cell.strip().lower() for cell in rows[0]]
    column = header.index("siren") if "siren" in header else 0
    first_is_header = "siren" in header or not _clean_siren(rows[0][column] if rows[0] else "").isdigit()
    sirens: list[str] = []
    for row in rows[1 if first_is_header else 0 :]:
        if len(row) > column and row[column].strip():
            siren = _clean_siren(row[column])
            if siren not in sirens:
                sirens.append(siren)
    if not sirens:
        raise CallDataError("Le fichier CSV ne contient aucun SIREN.")
    return sirens


def _clean_siren(raw: str) -> str:
    return raw.replace(" ", "").replace("\u00a0", "").strip()


def _epcis_for(sirens: Sequence[str]) -> list[Epci]:
    if not sirens:
        raise CallDataError("Choisissez au moins un EPCI.")
    found = {e.siren: e for e in Epci.objects.filter(siren__in=sirens)}
    unknown = [s for s in sirens if s not in found]
    if unknown:
        raise CallDataError(
            f"SIREN inconnu{'s' if len(unknown) > 1 else ''} (aucun EPCI de la région ne porte "
            f"{'ces numéros' if len(unknown) > 1 else 'ce numéro'}) : {', '.join(unknown)}. Rien n'a été enregistré."
        )
    return [found[s] for s in sirens]


def eligible_list_import_official(
    *, call: Call, sirens: Sequence[str], source: str, by: User | None = None
) -> EligibleList:
    """Records the official annex 1, arrested now; refuses the whole file if one SIREN is unknown."""
    epcis = _epcis_for(sirens)
    with transaction.atomic():
        eligible_list = EligibleList.objects.create(
            call=call,
            kind=EligibleListKind.OFFICIAL,
            method="Liste officielle (annexe 1 de l'appel) importée d'un fichier.",
            source=source[:300],
            arrested_at=timezone.now(),
            arrested_by=by,
        )
        EligibleEpci.objects.bulk_create(
            EligibleEpci(eligible_list=eligible_list, epci=e, reason="Annexe 1 officielle") for e in epcis
        )
    return eligible_list


def eligible_list_arrest(
    *, call: Call, epci_sirens: Sequence[str], indicator_code: str, year: int, by: User
) -> EligibleList:
    """Arrests the list an administrator proposed from the ranking of one indicator."""
    if not by.is_platform_admin:
        raise CallDataError("Seul un administrateur peut arrêter la liste des territoires éligibles.")
    epcis = _epcis_for(list(dict.fromkeys(epci_sirens)))
    values = dict(
        IndicatorValue.objects.filter(
            indicator__code=indicator_code, year=year, level=TerritoryLevel.EPCI, territory_code__in=epci_sirens
        ).values_list("territory_code", "value")
    )
    with transaction.atomic():
        eligible_list = EligibleList.objects.create(
            call=call,
            kind=EligibleListKind.PROPOSED,
            indicator_code=indicator_code,
            indicator_year=year,
            method=(
                f"Liste arrêtée par un administrateur à partir du classement de l'indicateur {indicator_code} ({year})."
            ),
            source=f"Écran de proposition — {by}",
            arrested_at=timezone.now(),
            arrested_by=by,
        )
        EligibleEpci.objects.bulk_create(
            EligibleEpci(
                eligible_list=eligible_list,
                epci=e,
                indicator_value=values.get(e.siren),
                reason="Retenu par l'administrateur",
            )
            for e in epcis
        )
    return eligible_list
