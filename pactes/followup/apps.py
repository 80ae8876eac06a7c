from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "pactes.followup"
    label = "followup"
    verbose_name = "Suivi des actions et de l'impact"
