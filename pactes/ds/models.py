"""Import of dossiers from démarches simplifiées (DS): the procedures of a call, their mapping, the runs.

Words (docs/glossary.md): a *procedure* (démarche DS) is DS's form, known by its *number*; a *champ* is one field of
a DS dossier, identified across the procedure's revisions by its *descriptor id* (``champDescriptorId``), never by
its label; the *mapping* says which field of the ``pactes.dossier/1`` document each champ fills (its *target*); a
*run* is one import (or one dry run, a preview that writes no dossier) and its report. Where each imported dossier
comes from is ``pactes.dossiers.models.DossierSource``.
"""

from django.conf import settings
from django.db import models


class Procedure(models.Model):
    """One DS procedure imported into one call: the mapping is saved per call and procedure."""

    call = models.ForeignKey("calls.Call", on_delete=models.PROTECT, related_name="ds_procedures", verbose_name="appel")
    number = models.PositiveIntegerField("numéro de la démarche")
    title = models.CharField("intitulé sur démarches simplifiées", max_length=500, blank=True)
    api_url = models.URLField("adresse de l'API", max_length=500)
    # The moment of the DS answer of the last complete import: the next one asks for what changed since (updatedSince).
    last_imported_at = models.DateTimeField("dernier import complet le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "démarche importée"
        constraints = [models.UniqueConstraint(fields=["call", "number"], name="ds_procedure_unique")]

    def __str__(self) -> str:
        return f"Démarche {self.number}"


class ChampMapping(models.Model):
    """Where a DS champ goes: a target of ``pactes.ds.targets`` (empty: not mapped yet; ``ignore``: on purpose)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="mappings")
    descriptor_id = models.CharField("identifiant du champ (champDescriptorId)", max_length=200)
    parent_id = models.CharField("bloc répétable", max_length=200, blank=True)
    label = models.CharField("libellé sur démarches simplifiées", max_length=1000)
    champ_type = models.CharField("type du champ", max_length=100)
    required = models.BooleanField("obligatoire sur démarches simplifiées", default=False)
    position = models.PositiveIntegerField("ordre", default=0)
    target = models.CharField("champ de Pactes", max_length=100, blank=True)
    proposed = models.BooleanField("proposé automatiquement", default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "correspondance d'un champ"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "descriptor_id"], name="ds_champ_mapping_unique"),
        ]


class RunStatus(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Échec"


class ImportRun(models.Model):
    """One import (or dry run) of a procedure, its progress and its report (the ``--json`` document)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="runs")
    dry_run = models.BooleanField("simulation", default=False)
    since = models.DateTimeField("dossiers modifiés depuis", null=True, blank=True)
    status = models.CharField("statut", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total = models.PositiveIntegerField("dossiers à traiter", default=0)
    processed = models.PositiveIntegerField("dossiers traités", default=0)
    report = models.JSONField("rapport", default=dict, blank=True)
    error = models.TextField("erreur", blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "import démarches simplifiées"

    @property
    def is_finished(self) -> bool:
        return self.status in {RunStatus.DONE, RunStatus.FAILED}

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return (100 * self.processed // self.total) if self.total else 0
