"""Dossiers: the projects applicants prepare and file for a call.

Words: a *dossier* belongs to one *organisation* (the porteur, or the chef de file of a consortium) and one call;
its ``departement`` is the DDETS-PP that instructs it (the département of its perimeter). Its ``state`` (and
``submitted_at``) is written only by the lifecycle engine, ``pactes.core.transitions.fire`` (through
``pactes.dossiers.services.dossier_transition``), following ``pactes.rules.lifecycle``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from pactes.core.journal_spec import Digest, JournalSpec
from pactes.core.models import TransitionLog
from pactes.rules.lifecycle import DOSSIER_LIFECYCLE, DossierState, is_editable


class Dossier(models.Model):
    # The table its ``state`` follows; ``pactes.core.transitions.fire`` is the only writer (ADR 0014).
    lifecycle = DOSSIER_LIFECYCLE

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
    communes = models.ManyToManyField(
        "territories.Commune",
        related_name="dossiers",
        blank=True,
        verbose_name="communes du périmètre",
        help_text="Pour un périmètre restreint à une partie d'un EPCI.",
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="edited_dossiers", blank=True, verbose_name="co-éditeurs invités"
    )
    # Porteur (step 1): the organisation's identity is on Organisation; what is specific to this dossier is here.
    applicant_legal_representative = models.CharField("représentant légal (nom, qualité)", max_length=300, blank=True)
    applicant_contact = models.CharField("personne à contacter (nom, courriel, téléphone)", max_length=300, blank=True)
    # Diagnostic (step 3, §1.1, §1.2, §1.3.1)
    diagnostic = models.TextField(
        "diagnostic : besoins identifiés, statistiques et sources, lien avec le diagnostic départemental",
        blank=True,
    )
    complementarity = models.TextField(
        "articulation avec le contrat départemental ou métropolitain des solidarités et les dispositifs existants",
        blank=True,
    )
    # Impact (step 8, §1.5)
    expected_impact = models.TextField("impact réel attendu sur les bénéficiaires", blank=True)
    impact_measurement = models.TextField("manière dont l'impact est mesuré tout au long des actions", blank=True)
    # Optimistic concurrency: every save increments it; a save based on an older value is refused.
    lock_version = models.PositiveIntegerField("version d'édition", default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="dernière modification par",
    )
    state = models.CharField(
        "état", max_length=30, choices=[(s.value, s.label) for s in DossierState], default=DossierState.DRAFT.value
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)
    # Written by ``pactes.dossiers.search.dossier_search_refresh`` (the services that write a dossier call it).
    search_text = models.TextField("texte normalisé pour la recherche", blank=True, default="", editable=False)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = "dossier"
        # The instruction queue filters by département and state, the committee by call and state: its agenda is
        # counted per département and sorted by reference from this index alone, no dossier row read (issue 12).
        indexes = [
            models.Index(fields=["departement", "state"], name="dossier_departement_state"),
            models.Index(fields=["call", "state", "departement", "reference"], name="dossier_call_state_agenda"),
            # The calls of an instructor's queue: one seek per call in its département, not a pass over it (issue 12).
            models.Index(fields=["departement", "call", "state"], name="dossier_departement_call_state"),
            # The queue's default order (latest filed first) within a département, a state or the region, and « Mon
            # espace »'s (latest changed first): read backwards from the index, no sort of the whole scope (issue 12).
            models.Index(fields=["departement", "submitted_at"], name="dossier_departement_filed"),
            models.Index(fields=["state", "submitted_at"], name="dossier_state_filed"),
            models.Index(fields=["submitted_at"], name="dossier_filed"),
            models.Index(fields=["updated_at"], name="dossier_updated"),
        ]
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

    @property
    def is_editable(self) -> bool:
        """A draft, or a dossier reopened for complements: the applicant may change it."""
        return is_editable(self.state)


class DossierStepVersion(models.Model):
    """The edit version of one step of a dossier: two people may save two steps at once; on the same step, a save
    based on an older version is refused (``StaleEdit``) and shown side by side with what is stored."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="step_versions")
    step = models.CharField("étape", max_length=40)
    version = models.PositiveIntegerField("version", default=0)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField("enregistrée le", null=True, blank=True)

    class Meta:
        verbose_name = "version d'une étape"
        constraints = [models.UniqueConstraint(fields=["dossier", "step"], name="dossier_step_version_unique")]


class DossierTransitionLog(TransitionLog):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transitions")

    journal = JournalSpec(kind="transition", dossier="dossier_id")

    class Meta(TransitionLog.Meta):
        verbose_name = "transition de dossier"


class ConsortiumMember(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="consortium_members")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    name = models.CharField("organisation membre", max_length=300)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    role = models.CharField("rôle dans le consortium", max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "membre du consortium"


class Priority(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="priorities")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("intitulé de la priorité", max_length=300)
    measures = models.ManyToManyField("calls.Measure", blank=True, related_name="+", verbose_name="mesures du Pacte")
    local_justification = models.TextField("justification par le contexte socio-économique local", blank=True)
    publics = models.JSONField("publics visés (codes de l'appel)", default=list, blank=True)
    other_public_justification = models.TextField("précision sur l'autre public précaire", blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "priorité"

    def __str__(self) -> str:
        return self.title


class Action(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="actions")
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="actions", verbose_name="priorité")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("intitulé de l'action", max_length=300)
    description = models.TextField("description", blank=True)
    territorial_level = models.CharField("échelon territorial", max_length=30, blank=True)
    publics = models.JSONField("publics visés (codes de l'appel)", default=list, blank=True)
    partners = models.JSONField("partenaires engagés", default=list, blank=True)
    start = models.DateField("début", null=True, blank=True)
    end = models.DateField("fin", null=True, blank=True)
    overlaps_departmental_contract = models.BooleanField(
        "recoupe une action du contrat départemental des solidarités", default=False
    )
    articulation = models.TextField("articulation avec le contrat départemental", blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "action"

    def __str__(self) -> str:
        return self.title


class ImpactMeasure(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="impact_measures")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    indicator = models.CharField("indicateur", max_length=300)
    unit = models.CharField("unité", max_length=100, blank=True)
    baseline = models.DecimalField("valeur de départ", max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField("cible", max_digits=14, decimal_places=2, null=True, blank=True)
    method = models.CharField("méthode de mesure", max_length=300, blank=True)
    frequency = models.CharField("fréquence", max_length=100, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "mesure d'impact"


class ContributionNature(models.TextChoices):
    FINANCIAL = "financial", "Financière"
    IN_KIND = "in_kind", "En nature"
    STAFF = "staff", "En moyens humains"


class ResourceStatus(models.TextChoices):
    ACQUIRED = "acquired", "Acquis"
    REQUESTED = "requested", "Demandé"


class FunderKind(models.TextChoices):
    PUBLIC = "public", "Financeur public"
    PRIVATE = "private", "Financeur privé"


class Partner(models.Model):
    """A partner's commitment, entered once (step 6): a financial contribution becomes a cofinancing line of the
    budget, an in-kind or staff one its valuation line; the budget shows both read-only (``contributor``)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="partners")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    name = models.CharField("partenaire", max_length=300)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    contribution = models.CharField("nature de la contribution", max_length=10, choices=ContributionNature.choices)
    amount = models.DecimalField("montant ou valorisation (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    quantity = models.DecimalField("quantité", max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField("unité", max_length=100, blank=True)
    unit_value = models.DecimalField("valeur unitaire (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    basis = models.CharField("base du calcul", max_length=300, blank=True)
    # For a financial contribution: how it appears among the budget's resources.
    funder_kind = models.CharField(
        "nature du financeur", max_length=10, choices=FunderKind.choices, default=FunderKind.PUBLIC
    )
    funding_status = models.CharField(
        "statut du financement", max_length=10, choices=ResourceStatus.choices, default=ResourceStatus.REQUESTED
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "partenaire"


class ExpenseLine(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="expenses")
    action = models.ForeignKey(Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="expenses")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    category = models.CharField("catégorie", max_length=200, blank=True)
    label = models.CharField("libellé", max_length=300, blank=True)
    amount = models.DecimalField("montant (€)", max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "ligne de dépense"
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="expense_amount_not_negative")]


class ResourceKind(models.TextChoices):
    STATE_PTS = "state_pts", "Subvention de l'État — pacte des solidarités (BOP 304 action 23)"
    PUBLIC = "public", "Autre financement public"
    PRIVATE = "private", "Financement privé"
    OWN_FUNDS = "own_funds", "Fonds propres du porteur"


class ResourceLine(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="resources")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    kind = models.CharField("nature", max_length=10, choices=ResourceKind.choices)
    funder = models.CharField("financeur", max_length=300, blank=True)
    amount = models.DecimalField("montant (€)", max_digits=12, decimal_places=2)
    status = models.CharField("statut", max_length=10, choices=ResourceStatus.choices, default=ResourceStatus.REQUESTED)
    # Set when the line is a partner's financial contribution (step 6): then it is written only from the partner.
    contributor = models.OneToOneField(
        Partner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="resource_line",
        verbose_name="partenaire",
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "ligne de ressource"
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="resource_amount_not_negative")]
        # The requested State grant (sum of the state_pts lines) is annotated on every list of dossiers and summed per
        # département on the committee's agenda: the amount is in the index, no line read.
        indexes = [models.Index(fields=["dossier", "kind", "amount"], name="resource_dossier_kind_amount")]


class InKindLine(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="in_kind_lines")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    partner = models.CharField("partenaire", max_length=300, blank=True)
    label = models.CharField("libellé", max_length=300, blank=True)
    amount = models.DecimalField("valorisation (€)", max_digits=12, decimal_places=2)
    # Set when the line is a partner's in-kind or staff contribution (step 6): then it is written only from the partner.
    contributor = models.OneToOneField(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="in_kind_line", verbose_name="partenaire"
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "contribution volontaire en nature"
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="in_kind_amount_not_negative")]


class AttachmentKind(models.TextChoices):
    STATUTES = "statuts", "Statuts"
    RIB = "rib", "Relevé d'identité bancaire (RIB)"
    COMMITMENT_LETTER = "lettre_engagement", "Lettre d'engagement d'un partenaire"
    DELIBERATION = "deliberation", "Délibération"
    BUDGET = "budget", "Budget détaillé"
    OTHER = "autre", "Autre pièce"


class Attachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("type de pièce", max_length=20, choices=AttachmentKind.choices)
    file = models.FileField("fichier", upload_to="dossiers/%Y/%m/")
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField("type de contenu", max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)

    journal = JournalSpec(kind="attachment", dossier="dossier_id", digests=(Digest("file", "sha256", is_file=True),))

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = "pièce jointe"


class DossierVersion(models.Model):
    """A filed version, frozen: the canonical JSON snapshot (format pactes.dossier/1) and its SHA-256."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("numéro de version")
    snapshot = models.TextField("instantané JSON canonique")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    submitted_at = models.DateTimeField("déposé le")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    receipt_pdf = models.FileField("accusé de réception", upload_to="receipts/%Y/", blank=True)

    # The receipt is rendered after the filing: the fact is the snapshot's hash, checked against the snapshot.
    journal = JournalSpec(
        kind="version",
        fields=("dossier", "number", "sha256", "submitted_at", "submitted_by"),
        digests=(Digest("snapshot", "sha256"),),
        dossier="dossier_id",
    )

    class Meta:
        ordering = ["dossier", "number"]
        verbose_name = "version déposée"
        constraints = [models.UniqueConstraint(fields=["dossier", "number"], name="dossier_version_unique")]


class Invitation(models.Model):
    """A co-editor invited by e-mail; accepting it adds the person to ``Dossier.editors``."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("courriel invité")
    token = models.CharField("jeton", max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField("invité le", auto_now_add=True)
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="acceptée par",
    )
    revoked_at = models.DateTimeField("retirée le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="retirée par",
    )

    class Meta:
        verbose_name = "invitation de co-éditeur"


# The states of a dossier on démarches simplifiées (its API's codes) as DS writes them for people.
DS_STATE_LABELS = {
    "en_construction": "en construction",
    "en_instruction": "en instruction",
    "accepte": "accepté",
    "refuse": "refusé",
    "sans_suite": "classé sans suite",
}


class DossierSource(models.Model):
    """Where a dossier filed on another platform comes from: today démarches simplifiées (``pactes.ds``, ADR 0038).

    Words: the *procedure* (démarche) is DS's form, known by its number; the *number* is the DS dossier's; the
    *platform state* and *platform filing time* are DS's (``en_construction``…, ``dateDepot``) at the last import;
    ``content_sha256`` is the hash of the imported content (a change on DS gives a new version, ADR 0040). One DS
    dossier is one dossier of a call: the number is unique per call and platform.
    """

    DEMARCHES_SIMPLIFIEES = "demarches-simplifiees"

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="source")
    call = models.ForeignKey("calls.Call", on_delete=models.PROTECT, related_name="+", verbose_name="appel")
    platform = models.CharField("plateforme d'origine", max_length=40, default=DEMARCHES_SIMPLIFIEES)
    procedure = models.PositiveIntegerField("numéro de la démarche")
    number = models.PositiveBigIntegerField("numéro du dossier sur la plateforme")
    # Named apart from the dossier's own ``state`` and ``submitted_at``, which only the lifecycle engine writes.
    platform_state = models.CharField("état sur la plateforme", max_length=30)
    platform_submitted_at = models.DateTimeField("déposé sur la plateforme le")
    platform_updated_at = models.DateTimeField("modifié sur la plateforme le")
    url = models.URLField("adresse du dossier sur la plateforme", max_length=500)
    content_sha256 = models.CharField("empreinte du contenu importé", max_length=64)
    imported_at = models.DateTimeField("dernier import le")

    class Meta:
        verbose_name = "origine d'un dossier"
        constraints = [
            models.UniqueConstraint(fields=["call", "platform", "number"], name="dossier_source_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.procedure}/{self.number}"

    @property
    def platform_state_label(self) -> str:
        """« classé sans suite » for DS's ``sans_suite``: the state as démarches simplifiées shows it to people."""
        return DS_STATE_LABELS.get(self.platform_state, self.platform_state)
