"""Shapes shared by the business apps."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TransitionLog(models.Model):
    """One move of a lifecycle: who fired which transition, when, from which state to which, and why.

    Each lifecycle (dossier, convention, report, committee session) has its own concrete log with a foreign key to
    its object, ``related_name="transitions"``; the one engine that writes the object's state
    (``pactes.core.transitions.fire``) writes this row in the same transaction.
    """

    transition = models.CharField("transition", max_length=40)
    from_state = models.CharField("état de départ", max_length=30)
    to_state = models.CharField("état d'arrivée", max_length=30)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par")
    at = models.DateTimeField("le", default=timezone.now)
    reason = models.TextField("motif", blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
