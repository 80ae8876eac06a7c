"""A generated document stored once on its record (the filing receipt, the procès-verbal, a decision letter).

The document is rendered outside any transaction (a render takes from a tenth of a second to seconds and must hold no
lock), saved to the storage, then recorded by one conditional update that only fills an empty field: when two
renders race (the background task and an on-demand request, or a task run twice), the first recorded wins and the
other file is deleted. A record never gets two documents, and re-running never changes one already given out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction


def store_once[M: models.Model](record: M, field_name: str, filename: str, render: Callable[[], bytes]) -> M:
    """Fills ``record.<field_name>`` with the file ``render()`` gives, named after ``filename``, unless it holds one
    already; returns ``record`` with the field as recorded."""
    if getattr(record, field_name):
        return record
    content = render()
    field = record._meta.get_field(field_name)
    name = default_storage.save(field.generate_filename(record, filename), ContentFile(content))  # type: ignore[attr-defined]
    with transaction.atomic():
        stored = type(record)._default_manager.filter(pk=record.pk, **{field_name: ""}).update(**{field_name: name})
    if not stored:
        default_storage.delete(name)  # another render won the race: keep the one already recorded
    record.refresh_from_db(fields=[field_name])
    return record
