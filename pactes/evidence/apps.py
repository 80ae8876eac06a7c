from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "pactes.evidence"
    label = "evidence"
    verbose_name = "Preuve et historique"
