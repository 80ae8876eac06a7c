"""The parameters of a call, read from its YAML file: every number and date the rules use.

No Django here. ``CallConfig.from_yaml`` parses and validates the YAML text and, for a demonstration call, moves
every date by ``date_offset_days`` (one offset for the whole call, so that its rules stay the real call's rules).

The optional ``agreements:`` section (conventions, payments, follow-up, reminders) holds no date: its delays are in
months or days counted from the dates of each convention, so a demonstration call needs no shift there. When the
section or one of its keys is absent, the defaults of ``AgreementSpec`` apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from pactes.rules.call_parts import (  # re-exported: every caller imports them from here
    QUOTED_DATE,
    AgreementSpec,
    CalendarStep,
    CallConfigError,
    Choice,
    Criterion,
    DecisionSpec,
    IndicativeListSpec,
    PaymentStep,
    PaymentTrigger,
    RetentionSpec,
    decision_spec,
    retention_spec,
    without_quoted_dates,
)
from pactes.rules.formatting import date_fr

__all__ = [
    "AgreementSpec",
    "CalendarStep",
    "CallConfig",
    "CallConfigError",
    "Choice",
    "Criterion",
    "DecisionSpec",
    "IndicativeListSpec",
    "PaymentStep",
    "PaymentTrigger",
    "RetentionSpec",
    "shift_demo_offset",
]


@dataclass(frozen=True)
class CallConfig:
    slug: str
    version: str
    title: str
    short_title: str
    is_demo: bool
    date_offset_days: int
    timezone: ZoneInfo
    region_code: str
    region_name: str
    issuer_authority: str
    issuer_service: str
    published_on: dt.date
    text_file: str
    filing_opens_at: dt.datetime
    filing_closes_at: dt.datetime
    funding_label: str
    grant_cap: Decimal
    territory_cap: Decimal
    min_cofinancing_rate: Decimal
    cofinancing_excludes_in_kind: bool
    priorities_min: int
    priorities_max: int
    max_duration_months: int
    latest_start: dt.date
    latest_end: dt.date
    territorial_levels: tuple[Choice, ...]
    target_publics: tuple[Choice, ...]
    carrier_kinds: tuple[Choice, ...]
    criteria: tuple[Criterion, ...]
    scale_min: int
    scale_max: int
    scale_labels: dict[int, str]
    committee_chair: str
    quorum: int
    calendar: tuple[CalendarStep, ...]
    contact_emails: tuple[str, ...]
    mailbox: str
    subject_prefix: str
    website: str
    indicative_list: IndicativeListSpec
    sections: dict[str, str] = field(default_factory=dict)
    funding_program: str = ""
    funding_action: str = ""
    # Set by an administrator on the Call; the YAML value, when given, is only the initial one.
    regional_envelope: Decimal | None = None
    # The manual admissibility checklist of the DDETS-PP (pieces, signatures, consistency); optional in the YAML.
    admissibility_checklist: tuple[Choice, ...] = ()
    # Conventions, payments, follow-up and reminders (optional YAML section ``agreements``).
    agreements: AgreementSpec = field(default_factory=AgreementSpec)
    # How long drafts and the personal data of refused dossiers are kept (optional YAML section ``retention``).
    retention: RetentionSpec = field(default_factory=lambda: retention_spec(None))
    # The signatory of the decision letters and the voies et délais de recours (optional YAML section ``decisions``).
    decisions: DecisionSpec = field(default_factory=DecisionSpec)

    # -- construction ---------------------------------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, text: str, *, date_offset_days: int = 0) -> CallConfig:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CallConfigError(f"Le fichier YAML de l'appel est illisible : {exc}") from exc
        if not isinstance(data, dict):
            raise CallConfigError("Le fichier YAML de l'appel doit décrire un dictionnaire.")
        return cls.from_dict(data, date_offset_days=date_offset_days)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, date_offset_days: int = 0) -> CallConfig:
        r = _Reader(data, date_offset_days)
        tz = ZoneInfo(r.text("timezone"))
        criteria = tuple(
            Criterion(
                code=str(_required(c, "code", "selection.criteria")),
                label=str(_required(c, "label", "selection.criteria")),
                weight=_decimal(c.get("weight", "1"), "selection.criteria.weight"),
            )
            for c in r.items("selection.criteria")
        )
        scale = r.mapping("selection.scale")
        config = cls(
            slug=r.text("slug"),
            version=r.text("version"),
            title=r.text("title"),
            short_title=r.text("short_title"),
            is_demo=bool(data.get("is_demo", False)),
            date_offset_days=date_offset_days,
            timezone=tz,
            region_code=r.text("region.code"),
            region_name=r.text("region.name"),
            issuer_authority=r.text("issuer.authority"),
            issuer_service=r.text("issuer.service"),
            published_on=r.date("issuer.published_on"),
            text_file=r.text("text_file"),
            filing_opens_at=r.datetime("filing.opens_at", tz),
            filing_closes_at=r.datetime("filing.closes_at", tz),
            funding_label=r.text("funding.label"),
            grant_cap=r.decimal("funding.grant_cap"),
            territory_cap=r.decimal("funding.territory_cap"),
            min_cofinancing_rate=r.decimal("funding.min_cofinancing_rate"),
            cofinancing_excludes_in_kind=bool(r.get("funding.cofinancing_excludes_in_kind")),
            priorities_min=r.integer("priorities.min"),
            priorities_max=r.integer("priorities.max"),
            max_duration_months=r.integer("action_plan.max_duration_months"),
            latest_start=r.date("action_plan.latest_start"),
            latest_end=r.date("action_plan.latest_end"),
            territorial_levels=tuple(_choice(c) for c in r.items("action_plan.territorial_levels")),
            target_publics=tuple(_choice(c) for c in r.items("target_publics.items")),
            carrier_kinds=tuple(_choice(c) for c in r.items("carrier_kinds.items")),
            criteria=criteria,
            scale_min=_integer(_required(scale, "min", "selection.scale"), "selection.scale.min"),
            scale_max=_integer(_required(scale, "max", "selection.scale"), "selection.scale.max"),
            scale_labels={int(k): str(v) for k, v in dict(scale.get("labels", {})).items()},
            committee_chair=r.text("selection.committee.chair"),
            quorum=r.integer("selection.committee.quorum"),
            calendar=tuple(
                CalendarStep(
                    code=str(_required(s, "code", "calendar.steps")),
                    label=str(_required(s, "label", "calendar.steps")),
                    start=r.shift(_opt_date(s.get("start"), "calendar.steps.start")),
                    end=r.shift(_opt_date(s.get("end"), "calendar.steps.end")),
                    note=_note(s, r.shift(_opt_date(s.get("start"), "")), r.shift(_opt_date(s.get("end"), "")), r),
                )
                for s in r.items("calendar.steps")
            ),
            contact_emails=tuple(str(e) for e in r.items("contacts.emails")),
            mailbox=r.text("contacts.mailbox"),
            subject_prefix=r.text("contacts.subject_prefix"),
            website=r.text("contacts.website"),
            indicative_list=IndicativeListSpec(
                indicator=r.text("eligibility.indicative_list.indicator"),
                year=r.integer("eligibility.indicative_list.year"),
                lowest_count=r.integer("eligibility.indicative_list.lowest_count"),
                only_epci_mostly_in_region=bool(r.get("eligibility.indicative_list.only_epci_mostly_in_region")),
                add_poorest_per_departement_without_any=bool(
                    r.get("eligibility.indicative_list.add_poorest_per_departement_without_any")
                ),
                method=r.text("eligibility.indicative_list.method").strip(),
            ),
            sections=_sections(data, shifted=date_offset_days != 0),
            funding_program=str(r.optional("funding.program") or ""),
            funding_action=str(r.optional("funding.action") or ""),
            regional_envelope=r.optional_decimal("funding.regional_envelope"),
            admissibility_checklist=tuple(_choice(c) for c in r.optional_list("instruction.admissibility_checklist")),
            agreements=_agreement_spec(r.optional("agreements")),
            retention=retention_spec(r.optional("retention")),
            decisions=decision_spec(r.optional("decisions"), issuer_authority=r.text("issuer.authority")),
        )
        config._validate()
        return config

    def _validate(self) -> None:
        problems = []
        if self.filing_opens_at >= self.filing_closes_at:
            problems.append("l'ouverture du dépôt doit précéder sa clôture")
        if not (self.grant_cap > 0):
            problems.append("le plafond de subvention doit être positif")
        if not (Decimal("0") <= self.min_cofinancing_rate <= Decimal("1")):
            problems.append("le taux de cofinancement doit être compris entre 0 et 1")
        if not (1 <= self.priorities_min <= self.priorities_max):
            problems.append("le nombre de priorités doit vérifier 1 ≤ min ≤ max")
        if self.latest_start > self.latest_end:
            problems.append("la date limite de démarrage doit précéder la date limite de fin")
        if self.scale_min >= self.scale_max:
            problems.append("le barème de notation doit aller d'un minimum à un maximum plus grand")
        if self.regional_envelope is not None and self.regional_envelope < 0:
            problems.append("l'enveloppe régionale ne peut pas être négative")
        if not self.criteria or any(c.weight <= 0 for c in self.criteria):
            problems.append("chaque critère de sélection doit avoir un poids positif")
        problems += self.agreements.problems()
        codes = [c.code for c in self.admissibility_checklist]
        if len(codes) != len(set(codes)):
            problems.append("chaque point de la liste de recevabilité doit avoir un code distinct")
        if problems:
            raise CallConfigError("Configuration de l'appel invalide : " + " ; ".join(problems) + ".")

    # -- questions the platform asks --------------------------------------------------------------------------------
    def is_filing_open(self, now: dt.datetime) -> bool:
        return self.filing_opens_at <= now <= self.filing_closes_at

    def target_public(self, code: str) -> Choice | None:
        return next((p for p in self.target_publics if p.code == code), None)

    def carrier_kind(self, code: str) -> Choice | None:
        return next((k for k in self.carrier_kinds if k.code == code), None)

    def checklist_item(self, code: str) -> Choice | None:
        return next((c for c in self.admissibility_checklist if c.code == code), None)

    def calendar_step(self, code: str) -> CalendarStep | None:
        return next((s for s in self.calendar if s.code == code), None)

    def section(self, key: str) -> str:
        """The section of the call a parameter comes from (« 1.4 FINANCEMENT … »), or an empty string."""
        return self.sections.get(key, "")


def shift_demo_offset(base_filing_opens_at: dt.date, today: dt.date, days_after_opening: int) -> int:
    """Days to add to every date of a call so that ``today`` falls ``days_after_opening`` days after filing opens."""
    return (today - base_filing_opens_at).days - days_after_opening


# -- parsing helpers ----------------------------------------------------------------------------------------------
class _Reader:
    def __init__(self, data: dict[str, Any], offset: int) -> None:
        self.data = data
        self.offset = dt.timedelta(days=offset)

    def get(self, path: str) -> Any:
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise CallConfigError(f"Valeur manquante dans le YAML de l'appel : « {path} ».")
            node = node[part]
        return node

    def optional(self, path: str) -> Any:
        try:
            return self.get(path)
        except CallConfigError:
            return None

    def optional_list(self, path: str) -> list[Any]:
        value = self.optional(path)
        if value is None:
            return []
        if not isinstance(value, list):
            raise CallConfigError(f"« {path} » doit être une liste.")
        return value

    def optional_decimal(self, path: str) -> Decimal | None:
        value = self.optional(path)
        return None if value is None else _decimal(value, path)

    def text(self, path: str) -> str:
        value = self.get(path)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise CallConfigError(f"Valeur vide dans le YAML de l'appel : « {path} ».")
        return str(value)

    def integer(self, path: str) -> int:
        value = self.get(path)
        if isinstance(value, bool) or not isinstance(value, int):
            raise CallConfigError(f"« {path} » doit être un nombre entier (lu : {value!r}).")
        return value

    def decimal(self, path: str) -> Decimal:
        return _decimal(self.get(path), path)

    def items(self, path: str) -> list[Any]:
        value = self.get(path)
        if not isinstance(value, list) or not value:
            raise CallConfigError(f"« {path} » doit être une liste non vide.")
        return value

    def mapping(self, path: str) -> dict[str, Any]:
        value = self.get(path)
        if not isinstance(value, dict):
            raise CallConfigError(f"« {path} » doit être un dictionnaire.")
        return value

    def date(self, path: str) -> dt.date:
        value = _opt_date(self.get(path), path)
        if value is None:
            raise CallConfigError(f"Date manquante dans le YAML de l'appel : « {path} ».")
        return value + self.offset

    def shift(self, value: dt.date | None) -> dt.date | None:
        return None if value is None else value + self.offset

    def datetime(self, path: str, tz: ZoneInfo) -> dt.datetime:
        raw = self.get(path)
        try:
            naive = raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))
        except ValueError as exc:
            raise CallConfigError(f"« {path} » doit être une date et heure ISO (lu : {raw!r}).") from exc
        if naive.tzinfo is not None:
            raise CallConfigError(f"« {path} » s'entend à l'heure locale de l'appel : pas de fuseau dans la valeur.")
        # The offset moves the wall-clock date; the time of day stays local (23:59:59 Europe/Paris).
        return (naive + self.offset).replace(tzinfo=tz)


def _required(raw: Any, key: str, path: str) -> Any:
    if not isinstance(raw, dict) or raw.get(key) is None:
        raise CallConfigError(f"Valeur manquante dans le YAML de l'appel : « {path}.{key} » (lu : {raw!r}).")
    return raw[key]


def _integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CallConfigError(f"« {path} » doit être un nombre entier (lu : {value!r}).")
    return value


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, float):
        raise CallConfigError(f"« {path} » doit être écrit entre guillemets (montant exact, pas un flottant).")
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise CallConfigError(f"« {path} » n'est pas un nombre (lu : {value!r}).") from exc
    if not result.is_finite():
        raise CallConfigError(f"« {path} » n'est pas un nombre fini (lu : {value!r}).")
    return result


def _opt_date(value: Any, path: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise CallConfigError(f"« {path} » doit être une date AAAA-MM-JJ (lu : {value!r}).") from exc


def _choice(raw: Any) -> Choice:
    if not isinstance(raw, dict) or "code" not in raw or "label" not in raw:
        raise CallConfigError(f"Un choix doit avoir un code et un libellé (lu : {raw!r}).")
    return Choice(
        code=str(raw["code"]),
        label=str(raw["label"]),
        requires_justification=bool(raw.get("requires_justification", False)),
        requires_eligible_territory=bool(raw.get("requires_eligible_territory", False)),
        requires_lead=bool(raw.get("requires_lead", False)),
        fallback=bool(raw.get("fallback", False)),
        eligible_alone=bool(raw.get("eligible_alone", True)),
    )


def _agreement_spec(raw: Any) -> AgreementSpec:
    """The ``agreements`` section; each absent key takes the default of ``AgreementSpec``."""
    if raw is None:
        return AgreementSpec()
    if not isinstance(raw, dict):
        raise CallConfigError("« agreements » doit être un dictionnaire.")
    default = AgreementSpec()
    schedule = default.payment_schedule
    raw_schedule = raw.get("payment_schedule")
    if raw_schedule is not None:
        steps = raw_schedule.get("steps") if isinstance(raw_schedule, dict) else raw_schedule
        if not isinstance(steps, list) or not steps:
            raise CallConfigError("« agreements.payment_schedule.steps » doit être une liste non vide.")
        schedule = tuple(_payment_step(s) for s in steps)
    interim = raw.get("interim_report")
    if interim is not None and not isinstance(interim, dict):
        raise CallConfigError("« agreements.interim_report » doit être un dictionnaire.")
    interim = interim or {}
    offsets = raw.get("reminder_offsets_days")
    if offsets is not None and not isinstance(offsets, list):
        raise CallConfigError(f"« agreements.reminder_offsets_days » doit être une liste de jours (lu : {offsets!r}).")

    def integer(value: Any, path: str, fallback: int) -> int:
        return fallback if value is None else _integer(value, f"agreements.{path}")

    def decimal(value: Any, path: str, fallback: Decimal) -> Decimal:
        return fallback if value is None else _decimal(value, f"agreements.{path}")

    return AgreementSpec(
        payment_schedule=schedule,
        final_report_months_after_end=integer(
            raw.get("final_report_months_after_end"),
            "final_report_months_after_end",
            default.final_report_months_after_end,
        ),
        interim_report_required=bool(interim.get("required", default.interim_report_required)),
        interim_report_at_fraction=decimal(
            interim.get("at_fraction"), "interim_report.at_fraction", default.interim_report_at_fraction
        ),
        indicator_report_grace_days=integer(
            raw.get("indicator_report_grace_days"), "indicator_report_grace_days", default.indicator_report_grace_days
        ),
        variance_threshold=decimal(raw.get("variance_threshold"), "variance_threshold", default.variance_threshold),
        reminder_offsets_days=(
            default.reminder_offsets_days
            if offsets is None
            else tuple(_integer(o, "agreements.reminder_offsets_days") for o in offsets)
        ),
        engagement_alert_days=integer(
            raw.get("engagement_alert_days"), "engagement_alert_days", default.engagement_alert_days
        ),
        unsigned_alert_days=integer(raw.get("unsigned_alert_days"), "unsigned_alert_days", default.unsigned_alert_days),
    )


def _payment_step(raw: Any) -> PaymentStep:
    path = "agreements.payment_schedule.steps"
    trigger = str(_required(raw, "trigger", path))
    try:
        parsed_trigger = PaymentTrigger(trigger)
    except ValueError as exc:
        known = ", ".join(t.value for t in PaymentTrigger)
        raise CallConfigError(f"« {path}.trigger » inconnu : « {trigger} » (attendu : {known}).") from exc
    return PaymentStep(
        code=str(_required(raw, "code", path)),
        label=str(_required(raw, "label", path)),
        trigger=parsed_trigger,
        share=_decimal(_required(raw, "share", path), f"{path}.share"),
    )


def _note(step: dict[str, Any], start: dt.date | None, end: dt.date | None, reader: _Reader) -> str:
    """The note of a calendar step. A shifted (demonstration) call does not repeat the real call's note, which quotes
    the real dates (« Au plus tard le 1er décembre »): its note is written from its own, shifted dates."""
    note = str(step.get("note", ""))
    if not reader.offset or not QUOTED_DATE.search(note):
        return note
    if start is not None and end is None:
        return f"À compter du {date_fr(start)}"
    if end is not None and start is None:
        return f"Au plus tard le {date_fr(end)}"
    return ""


def _sections(data: dict[str, Any], *, shifted: bool = False) -> dict[str, str]:
    """Every ``…section`` key of the YAML, flattened: ``funding.grant_cap_section`` → ``funding.grant_cap``. For a
    shifted call, the parentheses quoting the real call's dates are left out (its own dates are shown beside)."""
    found: dict[str, str] = {}

    def walk(node: Any, prefix: str) -> None:
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            path = f"{prefix}{key}"
            if key == "section" and isinstance(value, str):
                found[prefix.rstrip(".")] = value
            elif isinstance(key, str) and key.endswith("_section") and isinstance(value, str):
                found[f"{prefix}{key.removesuffix('_section')}"] = value
            else:
                walk(value, f"{path}.")

    walk(data, "")
    return {key: without_quoted_dates(text) for key, text in found.items()} if shifted else found
