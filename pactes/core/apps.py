from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pactes.core"
    label = "core"
    verbose_name = "Socle (historique des transitions)"
