from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "pactes.calls"
    label = "calls"
    verbose_name = "Appels"
