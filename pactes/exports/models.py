"""Exports written in the background (« Mes exports »): a large export is a job, with its progress, its file, and
an expiry after which the file is deleted.

Words: a *job* belongs to the person who asked for it; its ``source`` and ``params`` say what it exports (the page
and its filters, ``pactes.exports.sources``), read again — and scoped again — when it runs; ``progress`` counts the
steps done out of ``steps`` (one step: one sheet over one chunk of dossiers).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class JobState(models.TextChoices):
    QUEUED = "en_attente", "En attente"
    RUNNING = "en_cours", "En cours"
    DONE = "pret", "Prêt"
    FAILED = "echec", "Échec"
    EXPIRED = "expire", "Expiré"


class ExportJob(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name="demandé par"
    )
    source = models.CharField("page exportée", max_length=20)
    params = models.JSONField("filtres de la page", default=dict, blank=True)
    format = models.CharField("format", max_length=4)
    title = models.CharField("contenu", max_length=300)
    dossier_count = models.PositiveIntegerField("nombre de dossiers", default=0)
    status = models.CharField("statut", max_length=12, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveIntegerField("étapes faites", default=0)
    steps = models.PositiveIntegerField("étapes en tout", default=0)
    file = models.FileField("fichier", upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField("nom du fichier", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("taille (octets)", null=True, blank=True)
    error = models.TextField("erreur", blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "export en arrière-plan"
        verbose_name_plural = "exports en arrière-plan"
        indexes = [models.Index(fields=["status", "expires_at"], name="export_job_status_expiry")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=JobState.DONE) | (Q(finished_at__isnull=False) & Q(expires_at__isnull=False)),
                name="export_job_done_has_dates",
                violation_error_message="Un export prêt a une date de fin et une date d'expiration.",
            ),
            models.CheckConstraint(condition=Q(progress__lte=models.F("steps")), name="export_job_progress_le_steps"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.format.upper()}) — {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if self.status == JobState.DONE:
            return 100
        return 0 if not self.steps else min(100, self.progress * 100 // self.steps)

    @property
    def is_ready(self) -> bool:
        return self.status == JobState.DONE and bool(self.file)

    @property
    def is_pending(self) -> bool:
        return self.status in (JobState.QUEUED, JobState.RUNNING)


class ExportDownload(models.Model):
    """One export handed to a person (``export_download_record``): who, what, when, how many dossiers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="par"
    )
    source = models.CharField("page exportée", max_length=20)
    params = models.JSONField("filtres de la page", default=dict, blank=True)
    format = models.CharField("format", max_length=4)
    dossier_count = models.PositiveIntegerField("nombre de dossiers")
    job = models.ForeignKey(ExportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="downloads")
    at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "export téléchargé"
        verbose_name_plural = "exports téléchargés"
