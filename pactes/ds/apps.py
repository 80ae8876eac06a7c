from django.apps import AppConfig


class DsConfig(AppConfig):
    name = "pactes.ds"
    label = "ds"
    verbose_name = "Import démarches simplifiées"
