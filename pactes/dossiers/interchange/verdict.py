"""Every rule of the call on a document or on a dossier of the database: the verdict and the budget's figures.

Words: the *verdict* is the rules' ``Verdict`` (admissible iff no blocking reason); the *eligible list* is the list of
EPCI in force for the call (``pactes.calls.selectors.eligible_sirens``), shared by a demonstration call and its base.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pactes.calls.models import Call
from pactes.calls.selectors import eligible_sirens
from pactes.dossiers.interchange.export import dossier_to_document
from pactes.dossiers.interchange.lookups import applicant_territory, call_of, territory_lookups
from pactes.dossiers.interchange.reading import document_to_input
from pactes.dossiers.models import Dossier
from pactes.rules.budget import BudgetSummary, summarize_budget
from pactes.rules.dossier import check_dossier
from pactes.rules.verdict import Verdict


def check_document(
    document: Mapping[str, Any], *, now: dt.datetime | None = None, call: Call | None = None
) -> tuple[Verdict, BudgetSummary]:
    """Reads the call (unless given: the dossier's own, already read), its eligible list and the communes' EPCI, then
    judges the document with every rule."""
    call = call or call_of(document)
    config = call.rules
    applicant = dict(document.get("applicant") or {})
    applicant["territory"] = applicant_territory(applicant)
    document = {**document, "applicant": applicant}
    commune_epci, names = territory_lookups(document, applicant["territory"])
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
    return check_document(dossier_to_document(dossier), now=now, call=dossier.call)
