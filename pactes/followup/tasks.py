"""Background tasks of the follow-up (Django's tasks framework; run by ``manage.py db_worker``, django-tasks-db)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import timezone

from pactes.followup.reminders import reminders_send_due


@task()
def send_due_reminders(day: str | None = None) -> list[str]:
    """Sends the reminders due on ``day`` (ISO date, default today in Europe/Paris); returns the keys sent."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    return [row.key for row in reminders_send_due(today=today)]
