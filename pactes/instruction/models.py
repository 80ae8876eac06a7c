"""The DDETS-PP's instruction of a filed dossier: complements asked of the applicant, the manual admissibility
checklist, and the exchanges on a dossier.

Words: a *complement request* (demande de compléments) is a message with a due date that reopens the dossier for
editing until the applicant files its answer (a new version); a *checklist check* is the instructor's verdict on one
point of the call's manual admissibility checklist (``instruction.admissibility_checklist`` of the call's YAML); a
*message* is either an *exchange* between the applicant and the instruction, or a *private annotation* that only
the instructors of the département and the DREETS read.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pactes.core.journal_spec import Digest, JournalSpec
from pactes.rules.formatting import date_short


class ComplementRequest(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="complement_requests")
    message = models.TextField("compléments demandés")
    due_on = models.DateField("à transmettre au plus tard le")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="demandés par"
    )
    requested_at = models.DateTimeField("demandés le", default=timezone.now)
    answered_at = models.DateTimeField("transmis le", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="transmis par",
    )
    answer_version = models.ForeignKey(
        "dossiers.DossierVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="version déposée en réponse",
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "demande de compléments"
        verbose_name_plural = "demandes de compléments"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(answered_at__isnull=True),
                name="complement_request_one_open_per_dossier",
                violation_error_message="Une demande de compléments est déjà en cours pour ce dossier.",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answered_by__isnull=True, answer_version__isnull=True)
                | Q(answered_at__isnull=False, answered_by__isnull=False),
                name="complement_request_answered_with_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Compléments demandés le {date_short(self.requested_at)} ({self.dossier_id})"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ChecklistCheck(models.Model):
    """One point of the call's manual admissibility checklist, as the instruction last judged it."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="checklist_checks")
    item = models.CharField("point de contrôle (code de l'appel)", max_length=60)
    is_checked = models.BooleanField("vérifié", default=False)
    comment = models.TextField("commentaire", blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    checked_at = models.DateTimeField("le", default=timezone.now)  # stamped by ``checklist_record``

    class Meta:
        ordering = ["dossier", "item"]
        verbose_name = "point de la liste de recevabilité"
        verbose_name_plural = "points de la liste de recevabilité"
        constraints = [models.UniqueConstraint(fields=["dossier", "item"], name="checklist_check_unique")]


class MessageKind(models.TextChoices):
    EXCHANGE = "echange", "Échange avec le porteur"
    ANNOTATION = "annotation", "Annotation privée de l'instruction"


class Message(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField("nature", max_length=12, choices=MessageKind.choices, default=MessageKind.EXCHANGE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="auteur"
    )
    body = models.TextField("message")
    created_at = models.DateTimeField("envoyé le", default=timezone.now)
    # An optional piece, checked by content like the dossier's pieces, stored under a random name.
    file = models.FileField("pièce jointe", upload_to="messages/%Y/%m/", blank=True)
    original_name = models.CharField("nom du fichier", max_length=255, blank=True)
    content_type = models.CharField("type de contenu", max_length=100, blank=True)
    size = models.PositiveIntegerField("taille (octets)", null=True, blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)

    # Only a message carrying a piece is a fact of the journal (its bytes hashed at upload).
    journal = JournalSpec(
        kind="message_file",
        fields=("dossier", "kind", "author", "created_at", "file", "original_name", "size", "sha256"),
        digests=(Digest("file", "sha256", is_file=True),),
        dossier="dossier_id",
        applies=("file",),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "message"
        indexes = [models.Index(fields=["dossier", "kind", "created_at"], name="message_dossier_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {date_short(self.created_at)}"

    @property
    def is_private(self) -> bool:
        return self.kind == MessageKind.ANNOTATION
