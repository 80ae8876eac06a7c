"""The outbox: every e-mail Pactes sends, recorded before it leaves.

Words: a *notification* is one e-mail about one event (a filing, a decision, a reminder); its *key* names the event
(« filing-receipt:42 ») so that it is recorded once and sent at most once, whatever retries or double clicks happen.
"""

from django.db import models
from django.db.models import Q


class OutgoingEmail(models.Model):
    key = models.CharField("clé de la notification", max_length=200, unique=True)
    template = models.CharField("modèle", max_length=200)
    subject = models.CharField("objet", max_length=400)
    body = models.TextField("texte")
    recipients = models.TextField("destinataires", help_text="Une adresse par ligne.")
    # Stored files joined to the e-mail: [{"path": storage name, "name": file name, "content_type": …}].
    attachments = models.JSONField("pièces jointes", default=list, blank=True)
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    failed_at = models.DateTimeField("dernier échec le", null=True, blank=True)
    error = models.TextField("dernière erreur", blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "courriel"
        verbose_name_plural = "courriels"
        constraints = [models.CheckConstraint(condition=~Q(recipients=""), name="outgoing_email_has_recipients")]

    def __str__(self) -> str:
        return f"{self.key} — {self.subject}"

    @property
    def recipient_list(self) -> list[str]:
        return [line for line in self.recipients.splitlines() if line]

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
