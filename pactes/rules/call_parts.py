"""The parts of a call's configuration: choices, criteria, calendar steps, the indicative list's specification, the
payment schedule and the agreement section (``CallConfig`` in ``pactes.rules.call_config`` gathers them).

No Django here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class CallConfigError(ValueError):
    """The YAML of a call is missing a value or holds an invalid one (message in French)."""


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    requires_justification: bool = False
    requires_eligible_territory: bool = False
    requires_lead: bool = False
    fallback: bool = False
    eligible_alone: bool = True


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    weight: Decimal


@dataclass(frozen=True)
class CalendarStep:
    code: str
    label: str
    start: dt.date | None
    end: dt.date | None
    note: str = ""


@dataclass(frozen=True)
class IndicativeListSpec:
    indicator: str
    year: int
    lowest_count: int
    only_epci_mostly_in_region: bool
    add_poorest_per_departement_without_any: bool
    method: str


class PaymentTrigger(StrEnum):
    """The event that makes a planned payment due."""

    SIGNATURE = "signature"
    INTERIM_REPORT = "rapport_intermediaire"
    FINAL_REPORT = "rapport_final"

    @property
    def label(self) -> str:
        return PAYMENT_TRIGGER_LABELS[self]


PAYMENT_TRIGGER_LABELS: dict[PaymentTrigger, str] = {
    PaymentTrigger.SIGNATURE: "À la signature de la convention",
    PaymentTrigger.INTERIM_REPORT: "À la validation du bilan intermédiaire",
    PaymentTrigger.FINAL_REPORT: "À la validation du bilan final",
}


@dataclass(frozen=True)
class PaymentStep:
    """One line of the payment schedule: a share of the awarded amount, due on ``trigger``."""

    code: str
    label: str
    trigger: PaymentTrigger
    share: Decimal


DEFAULT_PAYMENT_SCHEDULE: tuple[PaymentStep, ...] = (
    PaymentStep("avance", "Avance à la signature de la convention", PaymentTrigger.SIGNATURE, Decimal("0.50")),
    PaymentStep("solde", "Solde à la validation du bilan final", PaymentTrigger.FINAL_REPORT, Decimal("0.50")),
)


@dataclass(frozen=True)
class AgreementSpec:
    """Parameters of the conventions, payments, follow-up and reminders (YAML section ``agreements``)."""

    payment_schedule: tuple[PaymentStep, ...] = DEFAULT_PAYMENT_SCHEDULE
    # DILA (F3180, CERFA 15059): the financial statement is due within six months after the end of the exercise.
    final_report_months_after_end: int = 6
    interim_report_required: bool = True
    # Where the interim report falls in the action period: 0.5 is mid-term.
    interim_report_at_fraction: Decimal = Decimal("0.5")
    # Days after the end of each reporting period before the indicator report is late.
    indicator_report_grace_days: int = 15
    # A line of the financial statement whose actual differs from the planned by more than this rate needs an
    # explanation (0.15 = 15 %).
    variance_threshold: Decimal = Decimal("0.15")
    reminder_offsets_days: tuple[int, ...] = (14, 7, 1)
    engagement_alert_days: int = 15
    # A convention sent for signature and not signed this many days later is flagged to the carrier and instructor.
    unsigned_alert_days: int = 15

    def problems(self) -> list[str]:
        found: list[str] = []
        if not self.payment_schedule:
            found.append("l'échéancier de versement doit compter au moins une échéance")
        if any(not (Decimal("0") < s.share <= Decimal("1")) for s in self.payment_schedule):
            found.append("chaque échéance de versement doit être une part comprise entre 0 (exclu) et 1")
        if self.payment_schedule and sum((s.share for s in self.payment_schedule), Decimal("0")) != Decimal("1"):
            found.append("les parts de l'échéancier de versement doivent totaliser 1 (100 %)")
        if len({s.code for s in self.payment_schedule}) != len(self.payment_schedule):
            found.append("deux échéances de versement portent le même code")
        if self.final_report_months_after_end < 0:
            found.append("le délai du bilan final ne peut pas être négatif")
        if not (Decimal("0") < self.interim_report_at_fraction < Decimal("1")):
            found.append("le bilan intermédiaire doit tomber strictement entre le début et la fin des actions")
        if self.indicator_report_grace_days < 0:
            found.append("le délai de remise des relevés d'indicateurs ne peut pas être négatif")
        if self.variance_threshold < 0:
            found.append("le seuil d'écart du compte rendu financier ne peut pas être négatif")
        if not self.reminder_offsets_days or len(set(self.reminder_offsets_days)) != len(self.reminder_offsets_days):
            found.append("les délais de rappel doivent être une liste non vide de jours distincts")
        if self.engagement_alert_days < 0:
            found.append("le délai d'alerte d'engagement ne peut pas être négatif")
        if self.unsigned_alert_days <= 0:
            found.append("le délai d'alerte d'une convention non signée doit être positif")
        return found


@dataclass(frozen=True)
class RetentionSpec:
    """How long Pactes keeps what people typed (YAML section ``retention``; RGPD art. 5.1.e, limitation of storage).

    A draft never filed is deleted ``draft_months_after_closing`` months after the call's filing closes, its
    carriers being reminded ``draft_reminder_days_before`` days before; the personal data of a dossier that was not
    retained (inadmissible or rejected) is erased ``refused_personal_data_years`` years after that decision. Each
    value cites where it comes from (``sections``: the call's section, or « fixé par la plateforme »).
    """

    draft_months_after_closing: int = 12
    draft_reminder_days_before: int = 30
    refused_personal_data_years: int = 5
    sections: tuple[tuple[str, str], ...] = ()

    def problems(self) -> list[str]:
        found = []
        if self.draft_months_after_closing < 1:
            found.append("les brouillons sont gardés au moins un mois après la clôture")
        if not (0 < self.draft_reminder_days_before < self.draft_months_after_closing * 28):
            found.append("le rappel précède la suppression des brouillons, d'au moins un jour")
        if self.refused_personal_data_years < 1:
            found.append("les données des dossiers non retenus sont gardées au moins un an")
        return found

    def section(self, key: str) -> str:
        return dict(self.sections).get(key, "")


RETENTION_KEYS = ("draft_months_after_closing", "draft_reminder_days_before", "refused_personal_data_years")


def retention_spec(raw: object) -> RetentionSpec:
    """The ``retention`` section of a call's YAML; absent, the platform's defaults, each saying so."""
    default = RetentionSpec()
    platform = "Fixé par la plateforme (l'appel ne fixe pas de durée de conservation)"
    if raw is None:
        return RetentionSpec(sections=tuple((key, platform) for key in RETENTION_KEYS))
    if not isinstance(raw, dict):
        raise CallConfigError("« retention » doit être un dictionnaire.")
    values: dict[str, int] = {}
    sections: list[tuple[str, str]] = []
    for key in RETENTION_KEYS:
        value = raw.get(key, getattr(default, key))
        if isinstance(value, bool) or not isinstance(value, int):
            raise CallConfigError(f"« retention.{key} » doit être un nombre entier (lu : {value!r}).")
        values[key] = value
        cited = raw.get(f"{key}_section")
        if key in raw and not (isinstance(cited, str) and cited.strip()):
            raise CallConfigError(
                f"« retention.{key}_section » doit citer la section de l'appel ou dire « Fixé par la plateforme »."
            )
        sections.append((key, str(cited).strip() if key in raw else platform))
    spec = RetentionSpec(
        draft_months_after_closing=values["draft_months_after_closing"],
        draft_reminder_days_before=values["draft_reminder_days_before"],
        refused_personal_data_years=values["refused_personal_data_years"],
        sections=tuple(sections),
    )
    if problems := spec.problems():
        raise CallConfigError("Section « retention » incohérente : " + " ; ".join(problems) + ".")
    return spec


@dataclass(frozen=True)
class DecisionSpec:
    """Who signs the committee's decision letters and the voies et délais de recours they state (YAML ``decisions``).

    Without the section, the letter is signed by the call's authority (``issuer.authority``) and the appeals are
    those of French administrative law: a recours gracieux to that authority and a recours contentieux before the
    administrative court, within two months of notification (code de justice administrative, art. R. 421-1).
    """

    signatory: str = ""
    gracious_authority: str = ""  # « auprès du préfet de la région Occitanie »
    court: str = ""  # « devant le tribunal administratif de Toulouse »
    delay_months: int = 2


def decision_spec(raw: object, *, issuer_authority: str) -> DecisionSpec:
    """The ``decisions`` section of a call's YAML; an absent key falls back on the call's authority."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise CallConfigError("« decisions » doit être un dictionnaire.")
    appeals = raw.get("appeals") or {}
    if not isinstance(appeals, dict):
        raise CallConfigError("« decisions.appeals » doit être un dictionnaire.")
    delay = appeals.get("delay_months", 2)
    if isinstance(delay, bool) or not isinstance(delay, int) or delay <= 0:
        raise CallConfigError(
            f"« decisions.appeals.delay_months » doit être un nombre de mois positif (lu : {delay!r})."
        )
    return DecisionSpec(
        signatory=str(raw.get("signatory") or issuer_authority),
        gracious_authority=str(
            appeals.get("gracious_authority") or f"auprès de l'autorité signataire ({issuer_authority})"
        ),
        court=str(appeals.get("court") or "devant le tribunal administratif territorialement compétent"),
        delay_months=delay,
    )


# A date of the real call quoted in a text: « 1er décembre 2024 », « 21 octobre », « 2024 », « Semaines 23 à 27 ».
QUOTED_DATE = re.compile(
    r"\b(?:1er|\d{1,2}) (?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)\b"
    r"|\b(?:19|20)\d\d\b|\b[Ss]emaines? \d"
)
_PARENTHESIS = re.compile(r"\s*\([^()]*\)")


def without_quoted_dates(text: str) -> str:
    """A section of a shifted call without the parentheses that quote the real call's dates:
    « 1.4 FINANCEMENT (démarrer au plus tard au 1er décembre 2024) » → « 1.4 FINANCEMENT »."""
    return _PARENTHESIS.sub(lambda m: "" if QUOTED_DATE.search(m.group(0)) else m.group(0), text).strip()
