from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "pactes.committee"
    label = "committee"
