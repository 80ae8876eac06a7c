from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "pactes.privacy"
    verbose_name = "Données personnelles"
