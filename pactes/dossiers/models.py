"""Dossiers: the projects applicants prepare and file for a call.

Words: a *dossier* belongs to one *organisation* (the porteur, or the chef de file of a consortium) and one call;
its ``departement`` is the DDETS-PP that instructs it (the département of its perimeter). Its ``state`` is written
only by ``pactes.dossiers.services.dossier_transition`` following ``pactes.rules.lifecycle``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from pactes.rules.lifecycle import DossierState


class Dossier(models.Model):
    call = models.ForeignKey("calls.Call", on_delete=models.PROTECT, related_name="dossiers", verbose_name="appel")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="dossiers", verbose_name="porteur"
    )
    reference = models.CharField("numéro de dossier", max_length=40, unique=True)
    title = models.CharField("intitulé du projet", max_length=300)
    departement = models.ForeignKey(
        "territories.Departement",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name="département instructeur",
    )
    epcis = models.ManyToManyField(
        "territories.Epci", related_name="dossiers", blank=True, verbose_name="EPCI du périmètre"
    )
    state = models.CharField(
        "état", max_length=30, choices=[(s.value, s.label) for s in DossierState], default=DossierState.DRAFT.value
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = "dossier"
        constraints = [
            models.CheckConstraint(
                condition=(Q(state=DossierState.DRAFT.value) & Q(submitted_at__isnull=True))
                | (~Q(state=DossierState.DRAFT.value) & Q(submitted_at__isnull=False)),
                name="dossier_submitted_at_iff_filed",
                violation_error_message="Un dossier déposé a une date de dépôt, un brouillon n'en a pas.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def is_draft(self) -> bool:
        return self.state == DossierState.DRAFT.value


class DossierTransitionLog(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transitions")
    transition = models.CharField("transition", max_length=40)
    from_state = models.CharField("état de départ", max_length=30)
    to_state = models.CharField("état d'arrivée", max_length=30)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par")
    at = models.DateTimeField("le", auto_now_add=True)
    reason = models.TextField("motif", blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "transition de dossier"
