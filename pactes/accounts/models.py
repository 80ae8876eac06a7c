"""Accounts: people who log in, with one role each.

Words: *porteur* (applicant) belongs to an organisation; *instructeur DDETS-PP* (instructor) is scoped to one
département; *DREETS* sees the region; *membre du jury* (jury) sees what was transmitted to the committee;
*administrateur* (admin) configures calls and reference data.
"""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Role(models.TextChoices):
    APPLICANT = "porteur", "Porteur de projet"
    INSTRUCTOR = "instructeur", "Instructeur DDETS-PP"
    DREETS = "dreets", "DREETS"
    JURY = "jury", "Membre du jury"
    ADMIN = "administrateur", "Administrateur"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        # An account someone else creates (administrator, demo, tests) has an address vouched for; only the sign-up
        # service (pactes.accounts.signup) creates an account whose address is still to be confirmed.
        fields.setdefault("email_confirmed_at", timezone.now())
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField("adresse électronique", unique=True)
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.APPLICANT)
    departement = models.ForeignKey(
        "territories.Departement",
        verbose_name="département (DDETS-PP)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructors",
        help_text="Obligatoire pour un instructeur DDETS-PP, vide pour les autres rôles.",
    )
    proconnect_sub = models.CharField(
        "identifiant ProConnect (sub)",
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Identifiant stable donné par ProConnect à la première connexion ; le compte est ensuite retrouvé "
        "par lui seul, jamais par son adresse électronique.",
    )

    email_confirmed_at = models.DateTimeField(
        "adresse confirmée le",
        null=True,
        blank=True,
        help_text="Vide tant que la personne inscrite n'a pas suivi le lien de confirmation reçu par courriel.",
    )
    privacy_accepted_at = models.DateTimeField("notice « Données personnelles » acceptée le", null=True, blank=True)
    deleted_at = models.DateTimeField(
        "compte supprimé le",
        null=True,
        blank=True,
        help_text="Le compte a été supprimé à la demande de la personne : ses données sont remplacées par « ancien "
        "membre ».",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.INSTRUCTOR) & Q(departement__isnull=False))
                | (~Q(role=Role.INSTRUCTOR) & Q(departement__isnull=True)),
                name="user_departement_iff_instructor",
                violation_error_message="Un instructeur DDETS-PP a un département, et lui seul.",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def email_is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_applicant(self) -> bool:
        return self.role == Role.APPLICANT

    @property
    def is_instructor(self) -> bool:
        return self.role == Role.INSTRUCTOR

    @property
    def is_dreets(self) -> bool:
        return self.role == Role.DREETS

    @property
    def is_jury(self) -> bool:
        return self.role == Role.JURY

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff_member(self) -> bool:
        """Instructor, DREETS, jury or administrator: the roles that must log in with a second factor."""
        return self.role in STAFF_ROLES


STAFF_ROLES = frozenset({Role.INSTRUCTOR, Role.DREETS, Role.JURY, Role.ADMIN})


class StaffChange(models.Model):
    """One change to a staff account made in the product (who, when, what), listed on the staff pages."""

    class Action(models.TextChoices):
        INVITED = "invitation", "Compte créé et invitation envoyée"
        DEACTIVATED = "desactivation", "Compte désactivé"
        REACTIVATED = "reactivation", "Compte réactivé"
        JOINED_SESSION = "ajout_seance", "Ajouté à une séance du comité"
        SECOND_FACTOR_RESET = "reinitialisation_2fa", "Double authentification réinitialisée"

    at = models.DateTimeField("date", auto_now_add=True)
    by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="staff_changes_made", verbose_name="auteur"
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="staff_changes", verbose_name="compte concerné"
    )
    action = models.CharField("action", max_length=30, choices=Action.choices)
    role = models.CharField("rôle du compte", max_length=20, choices=Role.choices)
    departement = models.ForeignKey(
        "territories.Departement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département",
    )
    detail = models.CharField("précision", max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "modification d'un compte agent"
        verbose_name_plural = "journal des comptes agents"

    def __str__(self) -> str:
        return f"{self.get_action_display()} : {self.user} ({self.at:%d/%m/%Y %H:%M})"


class EmailConfirmation(models.Model):
    """A link sent to confirm the address of a new account: used once, within ``EMAIL_CONFIRMATION_VALIDITY``
    (pactes.accounts.signup); only the SHA-256 of its token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_confirmations")
    token_hash = models.CharField("empreinte du jeton", max_length=64, unique=True)
    created_at = models.DateTimeField("envoyé le", auto_now_add=True)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)

    class Meta:
        verbose_name = "confirmation d'adresse"
        verbose_name_plural = "confirmations d'adresse"

    def __str__(self) -> str:
        return f"{self.user} — {self.created_at:%d/%m/%Y %H:%M}"
