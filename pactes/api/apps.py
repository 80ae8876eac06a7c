from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pactes.api"
    label = "api"
    verbose_name = "API et jetons d'accès"
