"""Scoped reads of the DS import: only administrators and the DREETS see procedures and runs (others get nothing)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pactes.accounts.permissions import can_import_from_ds
from pactes.ds.models import ImportRun, Procedure


def procedures_visible_to(user: Any) -> QuerySet[Procedure]:
    queryset = Procedure.objects.select_related("call").order_by("number")
    return queryset if can_import_from_ds(user) else queryset.none()


def runs_visible_to(user: Any) -> QuerySet[ImportRun]:
    queryset = ImportRun.objects.select_related("procedure__call", "started_by")
    return queryset if can_import_from_ds(user) else queryset.none()
