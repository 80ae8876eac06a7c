from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pactes.core"
    label = "core"
