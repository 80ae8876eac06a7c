"""The demonstration of the import from démarches simplifiées (ADR 0038): on the real (closed) call, the dossiers of
a recorded answer of DS's API (``recorded/ds-demarche-84512.json``: the procedure's descriptors and one dossier
classé sans suite on DS), imported through ``pactes.ds`` exactly as ``ds_import`` would, without reaching DS.
Idempotent."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from pactes.calls.models import Call
from pactes.dossiers.models import DossierSource
from pactes.ds.client import demarche_info
from pactes.ds.services import procedure_import_answer

DS_ANSWER = Path(__file__).resolve().parent / "recorded" / "ds-demarche-84512.json"


def ensure_demo_ds_import(call: Call) -> list[str]:
    """Imports the recorded DS dossiers into the real call once; returns the references created (none afterwards)."""
    if call.is_demo or DossierSource.objects.filter(call=call).exists():
        return []
    answer = json.loads(DS_ANSWER.read_text(encoding="utf-8"))
    info = demarche_info(answer["demarche"], number=int(answer["demarche"]["number"]))
    _procedure, report = procedure_import_answer(
        call=call, info=info, nodes=answer["dossiers"], api_url=settings.DS_API_URL, asked_at=timezone.now()
    )
    return [entry["reference"] for entry in report.created]
