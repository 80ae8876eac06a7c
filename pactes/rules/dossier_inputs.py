"""The inputs of the dossier rules (``pactes.rules.dossier``): what an app builds from its models or a document.

No Django here. Words are those of ``pactes.rules.dossier``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from pactes.rules.budget import BudgetInput


# -- inputs --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ApplicantInput:
    siret: str
    carrier_kind: str  # a code of the call's carrier_kinds (for a consortium: the kind of its chef de file)
    is_consortium: bool = False
    has_lead: bool = False  # a consortium names its chef de file, who carries the budget
    is_in_eligible_territory: bool = False  # a collectivité or groupement belongs to a territory of annex 1


@dataclass(frozen=True)
class EpciRef:
    siren: str
    name: str = ""

    @property
    def shown(self) -> str:
        return f"{self.name} ({self.siren})" if self.name else f"SIREN {self.siren}"


@dataclass(frozen=True)
class CommuneRef:
    code_insee: str
    epci_siren: str
    name: str = ""

    @property
    def shown(self) -> str:
        return f"{self.name} ({self.code_insee})" if self.name else f"commune {self.code_insee}"


@dataclass(frozen=True)
class PerimeterInput:
    epcis: tuple[EpciRef, ...] = ()
    communes: tuple[CommuneRef, ...] = ()
    eligible_epci_sirens: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PriorityInput:
    title: str
    measure_codes: tuple[str, ...] = ()
    local_justification: str = ""
    publics: tuple[str, ...] = ()  # codes of the call's target_publics
    other_public_justification: str = ""


@dataclass(frozen=True)
class ActionInput:
    priority_index: int
    title: str
    territorial_level: str = ""
    publics: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    overlaps_departmental_contract: bool = False
    articulation: str = ""  # why it complements the departmental contract when it overlaps it
    impact_measures: tuple[str, ...] = ()


class ContributionNature(StrEnum):
    FINANCIAL = "financier"
    IN_KIND = "nature"
    STAFF = "moyens_humains"

    @property
    def label(self) -> str:
        return {"financier": "financière", "nature": "en nature", "moyens_humains": "en moyens humains"}[self.value]


@dataclass(frozen=True)
class ContributionInput:
    partner: str
    nature: ContributionNature
    quantity: Decimal | None = None
    unit_value: Decimal | None = None
    valuation: Decimal | None = None


@dataclass(frozen=True)
class DossierInput:
    applicant: ApplicantInput
    perimeter: PerimeterInput
    priorities: tuple[PriorityInput, ...]
    actions: tuple[ActionInput, ...]
    contributions: tuple[ContributionInput, ...]
    budget: BudgetInput
    expected_impact: str
    impact_measurement: str
    now: dt.datetime | None  # aware: the moment of the filing; None checks the content only
