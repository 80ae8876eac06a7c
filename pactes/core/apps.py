from django.apps import AppConfig
from django.db.models import ForeignKey, IntegerField
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django_tasks_db.apps import TasksAppConfig

from pactes.core import facts_version
from pactes.core.lookups import AnyOf


class CoreConfig(AppConfig):
    name = "pactes.core"
    label = "core"
    verbose_name = "Socle (historique des transitions)"
    default = True  # the module holds another configuration (below)

    def ready(self) -> None:
        IntegerField.register_lookup(AnyOf)
        ForeignKey.register_lookup(AnyOf)
        # Every write to a watched fact replaces the facts token (facts_version.py, ADR 0051 and 0055).
        for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
            signal.connect(facts_version.on_write, dispatch_uid=f"core-facts-{name}")
        post_migrate.connect(facts_version.on_migrate, sender=self, dispatch_uid="core-facts-migrate")


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks-db, named in French in the administration."""

    verbose_name = "Tâches de fond"
