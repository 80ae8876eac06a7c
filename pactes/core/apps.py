from django.apps import AppConfig
from django.db.models import ForeignKey, IntegerField
from django_tasks_db.apps import TasksAppConfig

from pactes.core.lookups import AnyOf


class CoreConfig(AppConfig):
    name = "pactes.core"
    label = "core"
    verbose_name = "Socle (historique des transitions)"
    default = True  # the module holds another configuration (below)

    def ready(self) -> None:
        IntegerField.register_lookup(AnyOf)
        ForeignKey.register_lookup(AnyOf)


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks-db, named in French in the administration."""

    verbose_name = "Tâches de fond"
