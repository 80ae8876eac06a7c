"""The shapes of the API's answers (OpenAPI 3 components), in the field names of ``pactes.dossier/1``.

Amounts are strings with two decimals (« 62000.00 », as in the interchange format: no binary float ever carries
money); dates are ISO 8601 (times with their Paris offset).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class Error(Schema):
    code: str = Field(description="Code stable, pour les programmes.")
    message: str = Field(description="Message en français, pour les personnes.")
    details: list[dict[str, Any]] | None = Field(default=None, description="Erreurs de validation (422).")


class CalendarStep(Schema):
    code: str
    label: str
    start: dt.date | None
    end: dt.date | None
    note: str


class CallSummary(Schema):
    slug: str
    title: str
    short_title: str
    is_demo: bool = Field(description="Appel de démonstration : ses chiffres ne sont jamais des chiffres réels.")
    filing_opens_at: dt.datetime
    filing_closes_at: dt.datetime
    is_filing_open: bool
    url: str


class CallDetail(CallSummary):
    regional_envelope: str | None = Field(description="Enveloppe régionale (€), si elle est fixée.")
    grant_cap: str = Field(description="Plafond de la subvention par projet (€).")
    territory_cap: str = Field(description="Plafond cumulé par territoire (€).")
    min_cofinancing_rate: str = Field(description="Taux minimal de cofinancement (0.5 = 50 %).")
    target_publics: list[dict[str, str]]
    calendar: list[CalendarStep]


class EligibleEpci(Schema):
    siren: str
    name: str
    main_departement: str
    rank: int | None
    indicator_value: str | None
    reason: str


class EligibleList(Schema):
    call: str
    kind: str | None = Field(description="indicative, proposee ou officielle ; null sans liste.")
    kind_label: str
    is_indicative: bool
    indicator_code: str
    indicator_year: int | None
    arrested_at: dt.datetime | None
    epci: list[EligibleEpci]


class IndicatorValue(Schema):
    code: str
    label: str
    unit: str
    year: int
    value: str | None = Field(description="null quand l'Insee ne diffuse pas la valeur (secret statistique).")
    status: str = Field(description="disponible ou non_diffuse.")
    source: str


class Epci(Schema):
    siren: str
    name: str
    kind: str
    kind_label: str
    departements: list[str]
    main_departement: str
    is_interregional: bool
    population_municipale: int
    population_totale: int
    communes: int
    url: str
    indicators: list[IndicatorValue]


class DossierSummary(Schema):
    reference: str
    call: str
    title: str
    state: str
    state_label: str
    departement: str
    applicant: dict[str, str] = Field(description="name et siret du porteur (format pactes.dossier/1).")
    requested_grant: str
    submitted_at: dt.datetime | None
    updated_at: dt.datetime


class DossierPage(Schema):
    results: list[DossierSummary]
    next_cursor: str | None = Field(description="À passer en « cursor » pour la page suivante ; null à la fin.")
    count: int = Field(description="Nombre de dossiers répondant aux filtres.")


class Version(Schema):
    number: int
    sha256: str
    submitted_at: dt.datetime


class Decision(Schema):
    decision: str
    decision_label: str
    awarded_amount: str | None
    motivation: str
    decided_at: dt.datetime
    session_date: dt.date


class DossierDetail(Schema):
    reference: str
    state: str
    state_label: str
    departement: str
    updated_at: dt.datetime
    document: dict[str, Any] = Field(description="Le dossier au format d'échange pactes.dossier/1.")
    versions: list[Version]
    decision: Decision | None


class HistoryEntry(Schema):
    transition: str
    from_state: str
    to_state: str
    at: dt.datetime
    by_role: str
    reason: str


class Payment(Schema):
    step_code: str
    amount: str
    paid_on: dt.date
    reference: str
    accounting_year: int


class Agreement(Schema):
    reference: str = Field(description="Numéro du dossier.")
    state: str
    state_label: str
    awarded_amount: str
    sent_on: dt.date | None
    applicant_signed_on: dt.date | None
    state_signed_on: dt.date | None
    settled_on: dt.date | None
    commitment_number: str = Field(description="Numéro de l'engagement juridique (EJ, Chorus) ; vide sans EJ.")
    commitment_date: dt.date | None
    paid: str
    remaining_to_pay: str
    payments: list[Payment]


class IndicatorGroup(Schema):
    key: str
    label: str
    unit: str
    projects: int
    indicators: int
    measured: int
    baseline: str
    target: str
    latest: str


class Indicators(Schema):
    dossiers: int
    by_measure: list[IndicatorGroup]
    by_public: list[IndicatorGroup]
    by_departement: list[IndicatorGroup]
