"""Demonstration dossiers with real content, built through the services (import, then filing), idempotently.

Each demo dossier is a ``pactes.dossier/1`` document derived from the shipped example
(``pactes/dossiers/interchange/exemple-dossier.json``), its dates placed inside the call's windows. For the real,
closed call the dossiers are filed on a date before its deadline; for the demonstration call one is filed today and
others stay drafts (one of them with a cofinancing too low, to show the rules panel at work).
"""

import copy
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.calls.models import Call
from pactes.dossiers.filing import dossier_file
from pactes.dossiers.interchange import document_to_dossier
from pactes.dossiers.models import Dossier

EXAMPLE = Path(settings.BASE_DIR) / "pactes" / "dossiers" / "interchange" / "exemple-dossier.json"


@dataclass(frozen=True)
class DemoDossier:
    key: str  # stable identity within a call: the title
    applicant_email: str
    filed: bool
    make: Any  # (document, config) -> document


def _example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def _dated(document: dict[str, Any], call: Call) -> dict[str, Any]:
    """Places the actions inside the call's window: start 4 weeks before the latest start, 11 months long."""
    config = call.rules
    start = config.latest_start - dt.timedelta(days=27)
    for i, action in enumerate(document["actions"]):
        action_start = start + dt.timedelta(days=14 * i)
        action["start"] = action_start.isoformat()
        action["end"] = min(start.replace(year=start.year + 1) - dt.timedelta(days=31), config.latest_end).isoformat()
    document["call"] = call.slug
    document.pop("submitted_at", None)
    return document


def _couserans(document: dict[str, Any]) -> dict[str, Any]:
    document["applicant"].update(
        {"name": "Association Solidarités Couserans", "siret": "83914701400014", "kind": "association"}
    )
    document["applicant"]["consortium"] = []
    return document


def _couserans_draft_low_cofinancing(document: dict[str, Any]) -> dict[str, Any]:
    document = _couserans(document)
    document["title"] = "Épicerie solidaire itinérante du Couserans"
    document["priorities"] = [
        {
            "title": "Garantir l'accès à une alimentation de qualité aux ménages modestes isolés",
            "measures": [],
            "local_justification": "Zone de montagne sans épicerie sociale à moins de 40 minutes pour 30 communes.",
            "publics": ["familles_monoparentales", "exclus"],
        }
    ]
    for action in document["actions"]:
        action["priority"] = 1
    # A first budget where the State is asked too much: the cofinancing stays under 50 %.
    document["budget"]["resources"] = [
        {"kind": "state_pts", "funder": "État — BOP 304 action 23", "amount": "62000.00", "status": "requested"},
        {"kind": "public", "funder": "Conseil départemental de l'Ariège", "amount": "40000.00", "status": "requested"},
        {
            "kind": "own_funds",
            "funder": "Association Solidarités Couserans",
            "amount": "12000.00",
            "status": "acquired",
        },
    ]
    document["budget"]["expenses"][0]["amount"] = "60000.00"  # 114 000 € in all: 52 000 € of cofinancing, 45.6 %
    return document


def _corbieres(document: dict[str, Any]) -> dict[str, Any]:
    document["applicant"].update(
        {
            "name": "Association Entraide Corbières-Minervois",
            "siret": "88253614700011",
            "kind": "association",
            "address": "4 avenue des Corbières, 11200 Lézignan-Corbières",
            "contact": "contact@entraide-corbieres.example",
        }
    )
    document["applicant"]["consortium"] = []
    document["title"] = "Accompagnement vers l'emploi des familles monoparentales du Lézignanais"
    document["perimeter"] = {"epci": ["200035863"], "communes": []}
    document["diagnostic"] = (
        "Médiane du niveau de vie de 19 060 € (Filosofi 2019) dans la CC Région Lézignanaise, Corbières et Minervois, "
        "contre 19 550 € dans l'Aude ; part des minima sociaux dans le revenu disponible supérieure à la moyenne "
        "départementale. Le diagnostic départemental signale l'isolement des familles monoparentales."
    )
    document["partners"][1]["name"] = "Commune de Lézignan-Corbières"
    document["partners"][1]["siret"] = ""
    document["budget"]["in_kind"][0]["partner"] = "Commune de Lézignan-Corbières"
    document["actions"][0]["partners"] = ["Commune de Lézignan-Corbières", "CAF de l'Aude"]
    document["actions"][1]["partners"] = ["CAF de l'Aude"]
    document["partners"][0]["name"] = "CAF de l'Aude"
    document["budget"]["resources"][1]["funder"] = "CAF de l'Aude"
    document["budget"]["resources"][2]["funder"] = "Conseil départemental de l'Aude"
    document["budget"]["resources"][4]["funder"] = "Association Entraide Corbières-Minervois"
    return document


PER_CALL: dict[bool, tuple[DemoDossier, ...]] = {
    # The real 2024 call, closed: both demo organisations filed before 30 September 2024.
    False: (
        DemoDossier("couserans", "porteur.ariege@demo.test", True, _couserans),
        DemoDossier("corbieres", "porteur.aude@demo.test", True, _corbieres),
    ),
    # The demonstration call, open today: a filed dossier in the Aude, a draft to finish in the Ariège.
    True: (
        DemoDossier("corbieres", "porteur.aude@demo.test", True, _corbieres),
        DemoDossier("couserans-brouillon", "porteur.ariege@demo.test", False, _couserans_draft_low_cofinancing),
    ),
}


def _filing_moment(call: Call) -> dt.datetime:
    """Three days before the deadline for a closed call; now for an open one."""
    config = call.rules
    now = timezone.now()
    if config.is_filing_open(now):
        return now
    return (config.filing_closes_at - dt.timedelta(days=3)).replace(hour=16, minute=30, second=0)


def ensure_demo_dossiers(call: Call) -> list[Dossier]:
    """Creates the demo dossiers of ``call`` that are absent (by title and applicant); never touches existing ones."""
    created: list[Dossier] = []
    for spec in PER_CALL[call.is_demo]:
        applicant = User.objects.filter(email__iexact=spec.applicant_email, role=Role.APPLICANT).first()
        if applicant is None:
            continue
        document = _dated(spec.make(copy.deepcopy(_example())), call)
        if Dossier.objects.filter(call=call, title=document["title"], created_by=applicant).exists():
            continue
        with transaction.atomic():
            dossier = document_to_dossier(document, by=applicant)
            if spec.filed:
                dossier_file(dossier=dossier, by=applicant, now=_filing_moment(call), notify=False)
        created.append(dossier)
    return created
