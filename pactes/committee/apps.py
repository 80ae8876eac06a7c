from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "pactes.committee"
    label = "committee"
    verbose_name = "Comité régional"
