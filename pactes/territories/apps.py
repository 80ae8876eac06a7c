from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "pactes.territories"
    label = "territories"
    verbose_name = "Territoires"
