from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "pactes.agreements"
    label = "agreements"
    verbose_name = "Conventions"
