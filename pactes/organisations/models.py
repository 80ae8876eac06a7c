"""Organisations that carry projects (porteurs) and the people who act for them."""

from django.conf import settings
from django.db import models

from pactes.organisations.validators import validate_siret


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
