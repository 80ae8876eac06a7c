from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration: accounts, dossiers and a scenario built through the services, on top of every app."""

    name = "pactes.demo"
    label = "demo"
    verbose_name = "Démonstration"
