"""Shapes shared by the business apps."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .journal_spec import JournalSpec


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

    journal = JournalSpec(kind="transition")

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class JournalEntry(models.Model):
    """One fact of the record in the append-only journal (docs/evidence.md, ADR 0026).

    ``payload`` is the canonical JSON of the fact; ``content_hash`` its SHA-256; ``entry_hash`` the SHA-256 of the
    canonical JSON of the entry's header (``seq``, ``at``, ``kind``, ``model``, ``object_pk``, ``action``,
    ``content_hash``, ``previous_hash``), ``previous_hash`` the ``entry_hash`` of the entry before (64 zeros for the
    first). Rows are only ever inserted (a trigger refuses UPDATE and DELETE on PostgreSQL).
    """

    seq = models.PositiveBigIntegerField("numéro d'ordre", unique=True)
    at = models.DateTimeField("enregistrée le")
    kind = models.CharField("nature", max_length=30)
    model = models.CharField("table", max_length=100)
    object_pk = models.CharField("identifiant", max_length=40)
    action = models.CharField("acte", max_length=10)
    actor = models.CharField("auteur", max_length=254, blank=True)
    dossier_id = models.BigIntegerField("dossier", null=True, blank=True, db_index=True)
    payload = models.TextField("contenu (JSON canonique)")
    content_hash = models.CharField("empreinte du contenu", max_length=64)
    previous_hash = models.CharField("empreinte de l'entrée précédente", max_length=64)
    entry_hash = models.CharField("empreinte de l'entrée", max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = "entrée du journal"
        verbose_name_plural = "entrées du journal"
        indexes = [models.Index(fields=["model", "object_pk"], name="core_journal_object")]

    def __str__(self) -> str:
        return f"Entrée n° {self.seq} ({self.kind})"


class JournalHead(models.Model):
    """The one row locked by every append: the last entry's number and hash (the chain head)."""

    seq = models.PositiveBigIntegerField("dernière entrée", default=0)
    entry_hash = models.CharField("empreinte de la tête", max_length=64, default="0" * 64)
    updated_at = models.DateTimeField("mise à jour le", null=True, blank=True)

    class Meta:
        verbose_name = "tête du journal"


class JournalTimestamp(models.Model):
    """An RFC 3161 timestamp of the chain head, issued by the authority at ``TSA_URL`` (the daily anchor)."""

    seq = models.PositiveBigIntegerField("entrée horodatée")
    entry_hash = models.CharField("empreinte horodatée", max_length=64)
    tsa_url = models.CharField("autorité d'horodatage", max_length=300)
    token = models.BinaryField("jeton d'horodatage (DER)")
    serial_number = models.CharField("numéro de série du jeton", max_length=60)
    generated_at = models.DateTimeField("date certifiée par l'autorité")
    created_at = models.DateTimeField("demandé le", default=timezone.now)

    class Meta:
        ordering = ["-generated_at"]
        verbose_name = "horodatage de la tête du journal"


class IntegrityCheck(models.Model):
    """One run of the verification (command or page): what was checked and the breaks found."""

    at = models.DateTimeField("vérifiée le", default=timezone.now)
    by = models.CharField("lancée par", max_length=254)
    intact = models.BooleanField("registre intact")
    entries = models.PositiveBigIntegerField("entrées vérifiées")
    head_seq = models.PositiveBigIntegerField("tête : numéro")
    head_hash = models.CharField("tête : empreinte", max_length=64)
    breaks = models.JSONField("ruptures", default=list)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "vérification d'intégrité"


# What a person downloaded, as the download log shows it (« Who saw what »).
DOCUMENT_KINDS = [
    ("attachment", "Pièce jointe du dossier"),
    ("message_file", "Pièce d'un échange"),
    ("receipt", "Accusé de réception"),
    ("agreement", "Convention"),
    ("minutes", "Procès-verbal du comité"),
    ("letter", "Lettre de décision"),
    ("summary", "Synthèse départementale"),
    ("report", "Bilan"),
    ("export", "Export"),
]


class DownloadLog(models.Model):
    """One download of a private document: who, when, what (``pactes.core.downloads.download_log``)."""

    at = models.DateTimeField("le", default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par", null=True
    )
    document = models.CharField("document", max_length=40, choices=DOCUMENT_KINDS)
    label = models.CharField("libellé", max_length=300)
    object_ref = models.CharField("objet", max_length=100, blank=True)
    dossier_id = models.BigIntegerField("dossier", null=True, blank=True, db_index=True)
    sha256 = models.CharField("empreinte du fichier remis", max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "téléchargement d'un document privé"


class FactsVersion(models.Model):
    """One row: the token of the current state of the facts the consolidated figures are computed from, replaced by
    every write to them (``pactes/core/facts_version.py``, ADR 0051)."""

    token = models.CharField("jeton de version", max_length=32)

    class Meta:
        verbose_name = "version des faits consolidés"
        verbose_name_plural = "versions des faits consolidés"

    def __str__(self) -> str:
        return self.token
