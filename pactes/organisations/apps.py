from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "pactes.organisations"
    label = "organisations"
    verbose_name = "Organisations porteuses"
