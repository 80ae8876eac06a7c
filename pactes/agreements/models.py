"""Conventions (agreements) of retained dossiers: template, generated documents, signatures, engagement, payments.

Words: a *template* (modèle de convention) is the body of the convention of one call in Django template syntax,
versioned (every change is a new version, older ones are kept); the *agreement* is the convention of one retained
dossier, generated from the current template with the awarded amount of the committee's decision; its ``state`` is
written only by the lifecycle engine ``pactes.core.transitions.fire`` (through
``pactes.agreements.services.agreement_transition``) following ``pactes.rules.agreement``. The
*engagement* is the legal commitment (EJ, engagement juridique, Chorus): its number and date. A *payment* is a
payment made (versement) on the convention, tied to an accounting year (§1.4).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from pactes.core.journal_spec import Digest, JournalSpec
from pactes.core.models import TransitionLog
from pactes.rules.agreement import AGREEMENT_LIFECYCLE, AGREEMENT_STATE_DATES, AgreementState, is_agreement_editable

DATE_FIELDS: tuple[str, ...] = ("sent_on", "applicant_signed_on", "state_signed_on", "settled_on", "terminated_on")

validate_commitment_number = RegexValidator(
    r"^\d{10}$",
    message="Le numéro d'engagement juridique (EJ) compte 10 chiffres, sans espace ni lettre (ex. : 2103456789).",
)


def _dates_match_state() -> Q:
    """Each state has exactly the dates it requires (an abandoned convention keeps those it had)."""
    condition = Q(state=AgreementState.ABANDONED.value)
    for state, required in AGREEMENT_STATE_DATES.items():
        if state == AgreementState.ABANDONED:
            continue
        clause = Q(state=state.value)
        for name in DATE_FIELDS:
            clause &= Q(**{f"{name}__isnull": name not in required})
        condition |= clause
    return condition


class AgreementTemplate(models.Model):
    call = models.ForeignKey(
        "calls.Call", on_delete=models.PROTECT, related_name="agreement_templates", verbose_name="appel"
    )
    version = models.PositiveIntegerField("version")
    body = models.TextField(
        "texte du modèle",
        help_text=(
            "Syntaxe des gabarits Django (HTML) : titres <h2>/<h3>, paragraphes, listes et tableaux ; variables "
            "{{ dossier }}, {{ organisation }}, {{ agreement }}, {{ rules }}, {{ actions }}, {{ schedule }}… "
            "Chaque enregistrement crée une nouvelle version."
        ),
    )
    note = models.CharField("objet de la modification", max_length=300, blank=True)
    is_current = models.BooleanField("version en vigueur", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créée par",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        ordering = ["call", "-version"]
        verbose_name = "modèle de convention"
        verbose_name_plural = "modèles de convention"
        constraints = [
            models.UniqueConstraint(fields=["call", "version"], name="agreement_template_version_unique"),
            models.UniqueConstraint(
                fields=["call"], condition=Q(is_current=True), name="agreement_template_one_current_per_call"
            ),
        ]

    def __str__(self) -> str:
        return f"Modèle de convention — {self.call.short_title} — version {self.version}"


class Agreement(models.Model):
    # The table its ``state`` follows; ``pactes.core.transitions.fire`` is the only writer (ADR 0014).
    lifecycle = AGREEMENT_LIFECYCLE

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="agreement", verbose_name="dossier"
    )
    state = models.CharField(
        "état",
        max_length=20,
        choices=[(s.value, s.label) for s in AgreementState],
        default=AgreementState.DRAFT.value,
    )
    awarded_amount = models.DecimalField("subvention attribuée (€)", max_digits=12, decimal_places=2)
    template = models.ForeignKey(
        AgreementTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name="version du modèle utilisée",
    )
    # Documents of the last generation (regenerated while a draft).
    pdf_file = models.FileField("convention (PDF)", upload_to="agreements/%Y/", blank=True)
    docx_file = models.FileField("convention modifiable (DOCX)", upload_to="agreements/%Y/", blank=True)
    generated_at = models.DateTimeField("générée le", null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="générée par",
    )
    generation_count = models.PositiveIntegerField("nombre de générations", default=0)
    # Signatures
    sent_on = models.DateField("envoyée au porteur le", null=True, blank=True)
    applicant_signed_on = models.DateField("signée par le porteur le", null=True, blank=True)
    state_signed_on = models.DateField("signée par l'État le", null=True, blank=True)
    settled_on = models.DateField("soldée le", null=True, blank=True)
    terminated_on = models.DateField("résiliée le", null=True, blank=True)
    signed_scan = models.FileField(
        "convention signée par le porteur (PDF)", upload_to="agreements/signed/%Y/", blank=True
    )
    signed_scan_name = models.CharField("nom du fichier signé", max_length=255, blank=True)
    signed_scan_sha256 = models.CharField("empreinte SHA-256 du fichier signé", max_length=64, blank=True)
    signed_scan_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="fichier signé déposé par",
    )
    signed_scan_uploaded_at = models.DateTimeField("fichier signé déposé le", null=True, blank=True)
    # Engagement (EJ, Chorus)
    commitment_number = models.CharField(
        "numéro d'engagement juridique (EJ)",
        max_length=10,
        blank=True,
        validators=[validate_commitment_number],
        help_text="Numéro Chorus de l'engagement juridique : 10 chiffres.",
    )
    commitment_date = models.DateField("date de l'engagement juridique", null=True, blank=True)
    commitment_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="engagement saisi par",
    )
    # Set when the final report is validated (ADR 0017): the grant finally due (justified, at most the award); the
    # balance still to pay is then « mis en paiement » and the convention is settled once it is paid.
    final_amount = models.DecimalField(
        "subvention définitivement due (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    balance_requested_on = models.DateField("mise en paiement du solde demandée le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="créée par"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    # A convention is a fact of the journal once its EJ is entered or its signed copy filed.
    journal = JournalSpec(
        kind="agreement",
        fields=(
            "commitment_number",
            "commitment_date",
            "commitment_entered_by",
            "signed_scan",
            "signed_scan_sha256",
            "signed_scan_uploaded_by",
        ),
        digests=(Digest("signed_scan", "signed_scan_sha256", is_file=True),),
        dossier="dossier_id",
        applies=("commitment_number", "signed_scan"),
    )

    class Meta:
        ordering = ["dossier__departement__code", "dossier__reference"]
        verbose_name = "convention"
        constraints = [
            models.CheckConstraint(
                condition=_dates_match_state(),
                name="agreement_dates_match_state",
                violation_error_message="Les dates de la convention ne correspondent pas à son état.",
            ),
            models.CheckConstraint(
                condition=Q(awarded_amount__gt=Decimal("0")),
                name="agreement_awarded_positive",
                violation_error_message="La subvention attribuée d'une convention est positive.",
            ),
            models.CheckConstraint(
                condition=(Q(commitment_number="") & Q(commitment_date__isnull=True))
                | (~Q(commitment_number="") & Q(commitment_date__isnull=False)),
                name="agreement_commitment_number_iff_date",
                violation_error_message="Un engagement juridique a un numéro et une date, ou ni l'un ni l'autre.",
            ),
            models.CheckConstraint(
                condition=Q(commitment_number="") | Q(commitment_number__regex=r"^[0-9]{10}$"),
                name="agreement_commitment_number_digits",
                violation_error_message="Le numéro d'engagement juridique compte 10 chiffres.",
            ),
        ]

    def __str__(self) -> str:
        return f"Convention — {self.dossier.reference}"

    @property
    def template_version(self) -> int | None:
        return None if self.template is None else self.template.version

    @property
    def has_commitment(self) -> bool:
        return bool(self.commitment_number)

    @property
    def amount_due(self) -> Decimal:
        """What the State owes under the convention: the award, or once the final report is validated the grant
        finally due (one owner for « reste à verser » everywhere)."""
        return self.awarded_amount if self.final_amount is None else self.final_amount

    @property
    def is_editable(self) -> bool:
        return is_agreement_editable(self.state)

    @property
    def state_label(self) -> str:
        return AgreementState(self.state).label


class AgreementTransitionLog(TransitionLog):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="transitions")

    journal = JournalSpec(kind="transition", dossier="agreement.dossier_id")

    class Meta(TransitionLog.Meta):
        verbose_name = "transition de convention"

    @property
    def from_label(self) -> str:
        return AgreementState(self.from_state).label

    @property
    def to_label(self) -> str:
        return AgreementState(self.to_state).label


class Payment(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="payments", verbose_name="convention"
    )
    step_code = models.CharField(
        "échéance", max_length=40, blank=True, help_text="Code de l'échéance de l'échéancier (avance, solde…)."
    )
    amount = models.DecimalField("montant (€)", max_digits=12, decimal_places=2)
    paid_on = models.DateField("date du versement")
    reference = models.CharField("référence (Chorus)", max_length=100, blank=True)
    accounting_year = models.PositiveSmallIntegerField("année comptable")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="enregistré par"
    )
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)

    journal = JournalSpec(kind="payment", dossier="agreement.dossier_id")

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = "versement"
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=Decimal("0")),
                name="payment_amount_positive",
                violation_error_message="Le montant d'un versement est positif.",
            )
        ]

    def __str__(self) -> str:
        return f"Versement de {self.amount} € — {self.agreement.dossier.reference}"
