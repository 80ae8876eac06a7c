from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "pactes.outbox"
    verbose_name = "Courriels envoyés"
