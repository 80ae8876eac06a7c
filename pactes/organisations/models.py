"""Organisations that carry projects (porteurs) and the people who act for them."""

from django.conf import settings
from django.db import models

from pactes.organisations.validators import validate_siret


class Verification(models.TextChoices):
    VERIFIED = "verifiee", "Vérifiée (SIRENE)"
    UNVERIFIED = "non_verifiee", "Non vérifiée"


class Organisation(models.Model):
    name = models.CharField("raison sociale", max_length=300)
    siret = models.CharField(
        "SIRET", max_length=14, blank=True, validators=[validate_siret], help_text="14 chiffres, sans espace."
    )
    kind = models.CharField(
        "nature juridique",
        max_length=40,
        blank=True,
        help_text="Une des natures de porteur éligibles de l'appel (§1.3.4).",
    )
    legal_category = models.CharField(
        "catégorie juridique (code INSEE)",
        max_length=4,
        blank=True,
        help_text="Par exemple 9220 : association déclarée.",
    )
    legal_category_label = models.CharField("catégorie juridique", max_length=200, blank=True)
    verification = models.CharField(
        "vérification SIRENE",
        max_length=20,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
        help_text="« Vérifiée » : le SIRET a été trouvé actif dans le répertoire SIRENE (API Recherche "
        "d'entreprises) ; « non vérifiée » : le répertoire n'a pas pu être consulté.",
    )
    verified_at = models.DateTimeField("vérifiée le", null=True, blank=True)
    address = models.TextField("adresse", blank=True)
    departement = models.ForeignKey(
        "territories.Departement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organisations")
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "organisation"

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verification == Verification.VERIFIED


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name="organisation"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name="utilisateur"
    )
    is_admin = models.BooleanField("gère l'organisation", default=False)
    joined_at = models.DateTimeField("depuis le", auto_now_add=True)

    class Meta:
        verbose_name = "appartenance"
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"


class MembershipRequest(models.Model):
    """A person asks to join an organisation; any current member approves (a ``Membership`` is created) or refuses.
    Until then the person sees nothing of the organisation."""

    class Status(models.TextChoices):
        PENDING = "en_attente", "En attente"
        APPROVED = "acceptee", "Acceptée"
        REFUSED = "refusee", "Refusée"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="membership_requests", verbose_name="organisation"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership_requests",
        verbose_name="demandeur",
    )
    message = models.TextField("message aux membres", blank=True, max_length=1000)
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField("demandée le", auto_now_add=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )

    class Meta:
        verbose_name = "demande d'adhésion"
        verbose_name_plural = "demandes d'adhésion"
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(status="en_attente"),
                name="membership_request_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(status="en_attente", decided_at__isnull=True)
                | (~models.Q(status="en_attente") & models.Q(decided_at__isnull=False)),
                name="membership_request_decided_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation} ({self.get_status_display()})"
