"""Quality assessment by the DDETS-PP (§1.6): score sheets on the call's criteria, the département's proposal for
each dossier (amount, opinion, rank within its territory) and the act that transmits a département's evaluated
dossiers to the regional committee.

Words: a *score sheet* is one instructor's scoring of one dossier (a score and a written justification per criterion
of the call's YAML); the *proposal* is the département's consolidated position on a dossier; the *territory* of a
dossier, for the cumulated cap (§1.6), is the EPCI of its perimeter (the first one when it spans several).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class Opinion(models.TextChoices):
    FAVORABLE = "favorable", "Favorable"
    RESERVED = "reserve", "Réservé"
    UNFAVORABLE = "defavorable", "Défavorable"


class ScoreSheet(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="score_sheets")
    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets")
    weighted_total = models.DecimalField("note pondérée", max_digits=6, decimal_places=2, null=True, blank=True)
    proposed_amount = models.DecimalField("montant proposé (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    opinion = models.CharField("avis", max_length=12, choices=Opinion.choices, blank=True)
    comment = models.TextField("commentaire général", blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "grille d'évaluation"
        verbose_name_plural = "grilles d'évaluation"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "instructor"], name="score_sheet_one_per_instructor"),
            models.CheckConstraint(
                condition=Q(proposed_amount__isnull=True) | Q(proposed_amount__gte=Decimal("0")),
                name="score_sheet_amount_not_negative",
            ),
        ]


class CriterionScore(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField("critère (code de l'appel)", max_length=60)
    score = models.PositiveSmallIntegerField("note")
    justification = models.TextField("justification")

    class Meta:
        verbose_name = "note par critère"
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"], name="criterion_score_unique")]


class Proposal(models.Model):
    """The département's proposal on one dossier: what the committee receives."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="proposal")
    territory = models.ForeignKey(
        "territories.Epci", on_delete=models.PROTECT, related_name="+", verbose_name="territoire (EPCI)"
    )
    proposed_amount = models.DecimalField("montant proposé (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    opinion = models.CharField("avis de la DDETS-PP", max_length=12, choices=Opinion.choices, blank=True)
    rank = models.PositiveSmallIntegerField("rang dans le territoire", null=True, blank=True)
    mean_score = models.DecimalField("note moyenne", max_digits=6, decimal_places=2, null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "proposition de la DDETS-PP"
        constraints = [
            models.CheckConstraint(
                condition=Q(proposed_amount__isnull=True) | Q(proposed_amount__gte=Decimal("0")),
                name="proposal_amount_not_negative",
            ),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(rank__gte=1), name="proposal_rank_positive"),
        ]
        # The committee's agenda sums the proposed amounts per département: read from this index, no row (issue 12).
        indexes = [models.Index(fields=["dossier", "proposed_amount"], name="proposal_dossier_amount")]


class Transmission(models.Model):
    """One département's act sending its evaluated dossiers, ranked and proposed, to the regional committee."""

    call = models.ForeignKey("calls.Call", on_delete=models.PROTECT, related_name="transmissions")
    departement = models.ForeignKey("territories.Departement", on_delete=models.PROTECT, related_name="+")
    dossiers = models.ManyToManyField("dossiers.Dossier", related_name="transmissions")
    transmitted_at = models.DateTimeField("transmis le")
    transmitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary_pdf = models.FileField("synthèse départementale (PDF)", upload_to="transmissions/%Y/", blank=True)
    note = models.TextField("observations de la DDETS-PP", blank=True)

    class Meta:
        ordering = ["-transmitted_at"]
        verbose_name = "transmission au comité régional"
