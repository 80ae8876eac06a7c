from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "pactes.assessment"
    label = "assessment"
    verbose_name = "Évaluation et classement"
