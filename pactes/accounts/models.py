"""Accounts: people who log in, with one role each.

Words: *porteur* (applicant) belongs to an organisation; *instructeur DDETS-PP* (instructor) is scoped to one
département; *DREETS* sees the region; *membre du jury* (jury) sees what was transmitted to the committee;
*administrateur* (admin) configures calls and reference data.
"""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q


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
