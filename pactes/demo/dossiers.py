"""Demonstration dossiers with real content: ``pactes.dossier/1`` files imported like ``dossier_import`` does, then
filed through the service, idempotently.

Words: a *demo document* is one file of ``pactes/demo/data/`` (its *key* is the file name without ``.json``), written
for the real 2024 call: ``manage.py dossier_import`` accepts each as it is. Loaded onto a call, its actions are placed
inside that call's window, so the same file serves the demonstration call, whose dates move to stay open today. For
the real, closed call the dossiers are filed on a date before its deadline; for the demonstration call one is filed
today and another stays a draft (its cofinancing too low, to show the rules panel at work).
"""

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.calls.models import Call
from pactes.dossiers.filing import dossier_file
from pactes.dossiers.interchange import document_to_dossier, load_document
from pactes.dossiers.models import Dossier

DATA_DIR = Path(__file__).resolve().parent / "data"


def document_path(key: str) -> Path:
    return DATA_DIR / f"{key}.json"


def title_of(key: str) -> str:
    """The title of the demo document ``key`` (what identifies its dossier within a call)."""
    return str(json.loads(document_path(key).read_text(encoding="utf-8"))["title"])


def dated(document: dict[str, Any], call: Call) -> dict[str, Any]:
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


def demo_document(key: str, call: Call) -> dict[str, Any]:
    """The demo document ``key``, read and checked as the interchange format reads any file, set on ``call``."""
    return dated(load_document(document_path(key).read_bytes()), call)


def import_demo_document(key: str, call: Call, *, by: User) -> Dossier:
    """A draft dossier of ``call`` from the demo document ``key``, by the same import as ``dossier_import``."""
    return document_to_dossier(demo_document(key, call), by=by)


def filing_moment(call: Call) -> dt.datetime:
    """Three days before the deadline for a closed call; now for an open one."""
    config = call.rules
    now = timezone.now()
    if config.is_filing_open(now):
        return now
    return (config.filing_closes_at - dt.timedelta(days=3)).replace(hour=16, minute=30, second=0)


@dataclass(frozen=True)
class DemoDossier:
    key: str  # the demo document
    applicant_email: str
    filed: bool


PER_CALL: dict[bool, tuple[DemoDossier, ...]] = {
    # The real 2024 call, closed: both demo organisations filed before 30 September 2024.
    False: (
        DemoDossier("couserans", "porteur.ariege@demo.test", True),
        DemoDossier("corbieres", "porteur.aude@demo.test", True),
    ),
    # The demonstration call, open today: a filed dossier in the Aude, a draft to finish in the Ariège.
    True: (
        DemoDossier("corbieres", "porteur.aude@demo.test", True),
        DemoDossier("couserans-brouillon", "porteur.ariege@demo.test", False),
    ),
}


def ensure_demo_dossiers(call: Call) -> list[Dossier]:
    """Creates the demo dossiers of ``call`` that are absent (by title and applicant); never touches existing ones."""
    created: list[Dossier] = []
    for spec in PER_CALL[call.is_demo]:
        applicant = User.objects.filter(email__iexact=spec.applicant_email, role=Role.APPLICANT).first()
        if applicant is None:
            continue
        if Dossier.objects.filter(call=call, title=title_of(spec.key), created_by=applicant).exists():
            continue
        with transaction.atomic():
            dossier = import_demo_document(spec.key, call, by=applicant)
            if spec.filed:
                dossier_file(dossier=dossier, by=applicant, now=filing_moment(call), notify=False)
        created.append(dossier)
    return created
