from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "pactes.dossiers"
    label = "dossiers"
    verbose_name = "Dossiers"
