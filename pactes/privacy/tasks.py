"""The daily task of the retention rules (Django's tasks framework; run by ``manage.py db_worker``).

``apply_retention_daily`` applies the rules, then enqueues itself for the next day at ``RUN_AT`` (Europe/Paris):
once ``manage.py apply_retention --schedule`` has put the first run in the queue (``make serve`` does it when the
worker starts), the worker runs it every day without cron. ``retention_schedule`` never queues a second chain.
"""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pactes.privacy.retention import retention_apply

RUN_AT = dt.time(3, 30)
TASK_PATH = "pactes.privacy.tasks.apply_retention_daily"


def next_run(after: dt.datetime) -> dt.datetime:
    """The next ``RUN_AT`` in Paris after ``after``."""
    local = timezone.localtime(after)
    candidate = timezone.make_aware(dt.datetime.combine(local.date(), RUN_AT), local.tzinfo)
    if candidate <= local:
        candidate = timezone.make_aware(dt.datetime.combine(local.date() + dt.timedelta(days=1), RUN_AT), local.tzinfo)
    return candidate


@task()
def apply_retention_once(day: str | None = None, dry_run: bool = False) -> list[str]:
    """Applies the retention rules of ``day`` (ISO date, default today in Paris); returns the acts, in French."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    return [act.line() for act in retention_apply(today=today, dry_run=dry_run)]


@task()
def apply_retention_daily() -> list[str]:
    """Today's acts, then the same task tomorrow."""
    lines = [act.line() for act in retention_apply(today=timezone.localdate())]
    retention_schedule(force=True)
    return lines


def retention_pending() -> bool:
    """A daily run is already waiting in the database queue (django-tasks-db)."""
    return DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").exists()


def retention_schedule(*, force: bool = False) -> str:
    """Queues the next daily run unless one is waiting; returns its id (empty when one was already queued)."""
    if not force and retention_pending():
        return ""
    result = apply_retention_daily.using(run_after=next_run(timezone.now())).enqueue()
    return str(result.id)
