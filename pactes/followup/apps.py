from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from pactes.followup import facts_version


class FollowupConfig(AppConfig):
    name = "pactes.followup"
    label = "followup"
    verbose_name = "Suivi des actions et de l'impact"

    def ready(self) -> None:
        # Every write to a fact of the consolidation replaces the facts token (facts_version.py, ADR 0051).
        for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
            signal.connect(facts_version.on_write, dispatch_uid=f"followup-facts-{name}")
        post_migrate.connect(facts_version.on_migrate, sender=self, dispatch_uid="followup-facts-migrate")
