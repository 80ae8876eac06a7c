"""Personal data (RGPD): the log of what the retention rules did.

Words: a *retention act* is one application of a rule of the call's ``retention`` section to one dossier: a
reminder sent before a draft is deleted, a draft deleted, the personal data of a refused dossier erased. The log
keeps the dossier's reference (the dossier itself may be gone) and makes every act happen once.
"""

from django.db import models


class RetentionAct(models.Model):
    class Kind(models.TextChoices):
        DRAFT_REMINDED = "brouillon_rappel", "Rappel avant suppression du brouillon"
        DRAFT_DELETED = "brouillon_supprime", "Brouillon supprimé"
        PERSONAL_DATA_ERASED = "donnees_effacees", "Données personnelles effacées (dossier non retenu)"

    kind = models.CharField("acte", max_length=30, choices=Kind.choices)
    reference = models.CharField("numéro de dossier", max_length=40)
    call_slug = models.CharField("appel", max_length=80)
    at = models.DateTimeField("le", auto_now_add=True)
    detail = models.TextField("détail", blank=True)

    class Meta:
        verbose_name = "acte de conservation"
        verbose_name_plural = "actes de conservation"
        ordering = ["-at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "reference"], name="retention_act_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.reference}"
