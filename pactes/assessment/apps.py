from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "pactes.assessment"
    label = "assessment"
