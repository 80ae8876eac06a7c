"""Follow-up of a retained dossier: progress of its actions, measured impact, reports, reversal, reminders sent.

Words: a *progress note* (point d'avancement) says, on a date, how far an action is (text and % done); a
*measurement* (relevé) is one measured value of an impact indicator (``dossiers.ImpactMeasure``) on a date; a
*report* is the interim or the final report (bilan intermédiaire, bilan final with the compte rendu financier, CERFA
15059-like), whose ``state`` is written only by the lifecycle engine ``pactes.core.transitions.fire`` (through
``pactes.followup.services.report_transition``) following ``pactes.rules.report_lifecycle``; its *lines* are the
planned (filed budget) and actual amounts of the financial statement; a *reversal* (reversement) is the unspent
grant the applicant owes back, recorded with the reference of its title of receipt (titre de perception); a
*reminder sent* is the idempotency key of an e-mail reminder (``pactes.rules.reminders``): a key is stored once, so
a reminder is never sent twice.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pactes.core.journal_spec import Digest, JournalSpec
from pactes.core.models import TransitionLog
from pactes.rules.followup import StatementSide
from pactes.rules.report_lifecycle import (
    REPORT_LIFECYCLE,
    REPORT_SUBMITTED_STATES,
    ReportKind,
    ReportState,
    is_report_editable,
    report_kind_label,
    report_state_label,
)

_SUBMITTED = sorted(s.value for s in REPORT_SUBMITTED_STATES)  # sorted: a frozenset has no stable order


class ActionProgress(models.Model):
    action = models.ForeignKey(
        "dossiers.Action", on_delete=models.CASCADE, related_name="progress_notes", verbose_name="action"
    )
    reported_on = models.DateField("date du point d'avancement")
    percent_done = models.PositiveSmallIntegerField(
        "taux de réalisation (%)", validators=[MaxValueValidator(100)], help_text="De 0 à 100."
    )
    text = models.TextField("avancement de l'action")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="saisi par"
    )
    entered_at = models.DateTimeField("saisi le", auto_now_add=True)

    class Meta:
        ordering = ["action", "reported_on", "pk"]
        verbose_name = "point d'avancement"
        verbose_name_plural = "points d'avancement"
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_done__lte=100),
                name="action_progress_percent_at_most_100",
                violation_error_message="Le taux de réalisation est compris entre 0 et 100 %.",
            )
        ]


class IndicatorMeasurement(models.Model):
    measure = models.ForeignKey(
        "dossiers.ImpactMeasure", on_delete=models.CASCADE, related_name="measurements", verbose_name="indicateur"
    )
    value = models.DecimalField("valeur mesurée", max_digits=14, decimal_places=2)
    measured_on = models.DateField("date de la mesure")
    comment = models.TextField("commentaire", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="saisi par"
    )
    entered_at = models.DateTimeField("saisi le", default=timezone.now)

    class Meta:
        ordering = ["measure", "measured_on", "pk"]
        verbose_name = "valeur mesurée d'un indicateur"
        verbose_name_plural = "valeurs mesurées des indicateurs"


class Report(models.Model):
    # The table its ``state`` follows; ``pactes.core.transitions.fire`` is the only writer (ADR 0014).
    lifecycle = REPORT_LIFECYCLE

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="followup_reports", verbose_name="dossier"
    )
    kind = models.CharField("bilan", max_length=20, choices=[(k.value, k.label) for k in ReportKind])
    state = models.CharField(
        "état",
        max_length=20,
        choices=[(s.value, s.label) for s in ReportState],
        default=ReportState.DRAFT.value,
    )
    qualitative_assessment = models.TextField(
        "bilan qualitatif",
        blank=True,
        help_text="Actions réalisées, publics touchés, difficultés rencontrées, effets observés sur les bénéficiaires.",
    )
    submitted_at = models.DateTimeField("remis le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_motivation = models.TextField("motif du dernier renvoi", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["dossier", "kind"]
        verbose_name = "bilan"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind"], name="followup_report_one_per_kind"),
            models.CheckConstraint(
                condition=(Q(state=ReportState.DRAFT.value) & Q(submitted_at__isnull=True))
                | (Q(state__in=_SUBMITTED) & Q(submitted_at__isnull=False))
                | Q(state=ReportState.RETURNED.value),
                name="followup_report_submitted_at_iff_submitted",
                violation_error_message="Un bilan remis a une date de remise, un brouillon n'en a pas.",
            ),
            models.CheckConstraint(
                condition=(Q(state=ReportState.VALIDATED.value) & Q(validated_at__isnull=False))
                | (~Q(state=ReportState.VALIDATED.value) & Q(validated_at__isnull=True)),
                name="followup_report_validated_at_iff_validated",
                violation_error_message="Un bilan validé a une date de validation, et lui seul.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} — {self.dossier.reference}"

    @property
    def kind_label(self) -> str:
        return report_kind_label(self.kind)

    @property
    def state_label(self) -> str:
        return report_state_label(self.state)

    @property
    def is_final(self) -> bool:
        return self.kind == ReportKind.FINAL.value

    @property
    def is_editable(self) -> bool:
        return is_report_editable(self.state)


class ReportTransitionLog(TransitionLog):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="transitions")

    journal = JournalSpec(kind="transition", dossier="report.dossier_id")

    class Meta(TransitionLog.Meta):
        verbose_name = "transition de bilan"

    @property
    def from_label(self) -> str:
        return report_state_label(self.from_state)

    @property
    def to_label(self) -> str:
        return report_state_label(self.to_state)


class ReportLine(models.Model):
    """One line of the financial statement: planned (the filed budget) and actual, with the variance explained."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="lines", verbose_name="bilan")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    side = models.CharField("nature", max_length=10, choices=[(s.value, s.label) for s in StatementSide])
    label = models.CharField("libellé", max_length=400)
    expense_line = models.ForeignKey(
        "dossiers.ExpenseLine", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resource_line = models.ForeignKey(
        "dossiers.ResourceLine", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_state_grant = models.BooleanField("subvention de l'État (BOP 304)", default=False)
    planned = models.DecimalField("prévu (€)", max_digits=12, decimal_places=2)
    actual = models.DecimalField("réalisé (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    explanation = models.TextField("explication de l'écart", blank=True)

    class Meta:
        ordering = ["report", "side", "position", "pk"]
        verbose_name = "ligne du compte rendu financier"
        verbose_name_plural = "lignes du compte rendu financier"
        constraints = [
            models.CheckConstraint(condition=Q(planned__gte=Decimal("0")), name="report_line_planned_not_negative"),
            models.CheckConstraint(
                condition=Q(actual__isnull=True) | Q(actual__gte=Decimal("0")), name="report_line_actual_not_negative"
            ),
        ]


class Reversal(models.Model):
    """The unspent grant owed back by the applicant (reversement), with the title of receipt issued for it."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="reversals", verbose_name="dossier"
    )
    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="reversal", verbose_name="bilan final")
    amount = models.DecimalField("montant à reverser (€)", max_digits=12, decimal_places=2)
    reference = models.CharField("titre de perception (référence)", max_length=100)
    recorded_on = models.DateField("enregistré le")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="enregistré par"
    )
    recorded_at = models.DateTimeField("saisi le", auto_now_add=True)

    journal = JournalSpec(kind="reversal", dossier="dossier_id")

    class Meta:
        ordering = ["recorded_on", "pk"]
        verbose_name = "reversement"
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=Decimal("0")),
                name="reversal_amount_positive",
                violation_error_message="Le montant d'un reversement est positif.",
            )
        ]


class ReminderSent(models.Model):
    """A reminder e-mail sent, by its idempotency key (``kind:object_id:due:offset``, ``pactes.rules.reminders``)."""

    key = models.CharField("clé", max_length=200, unique=True)
    kind = models.CharField("échéance", max_length=40)
    object_id = models.CharField("objet", max_length=60)
    due = models.DateField("date d'échéance")
    offset_days = models.IntegerField("jours avant l'échéance")
    recipients = models.TextField("destinataires", blank=True)
    sent_on = models.DateField("envoyé le")
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "key"]
        verbose_name = "rappel envoyé"
        verbose_name_plural = "rappels envoyés"

    def __str__(self) -> str:
        return self.key


class ReportAttachment(models.Model):
    """A supporting document of an interim or final report (justificatif), checked like every upload and served only
    by the scoped view."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments", verbose_name="bilan")
    file = models.FileField("fichier", upload_to="followup/reports/%Y/")
    name = models.CharField("nom du fichier", max_length=255)
    description = models.CharField("objet de la pièce", max_length=300, blank=True)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    content_type = models.CharField("type", max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="déposée par"
    )
    uploaded_at = models.DateTimeField("déposée le", default=timezone.now)

    journal = JournalSpec(
        kind="attachment", dossier="report.dossier_id", digests=(Digest("file", "sha256", is_file=True),)
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = "pièce justificative d'un bilan"
        verbose_name_plural = "pièces justificatives des bilans"

    def __str__(self) -> str:
        return self.name
