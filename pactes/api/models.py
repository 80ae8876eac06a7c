"""Personal access tokens of the REST API and the log of its calls.

Words: a *personal access token* (jeton d'accès personnel) lets a program read ``/api/v1/`` as its owner: it sees
exactly what its owner sees in the interface. Only its SHA-256 is stored (``digest``); the token itself is shown once,
at creation. Its ``prefix`` (the first characters) lets its owner recognise it in the list. Its *scope* is read-only:
the API has no write endpoint. A revoked or expired token answers 401. An *API call* is one request to
``/api/v1/``: who (token, user), what (method, path, query), the answer's status and when.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class TokenScope(models.TextChoices):
    READ = "lecture", "Lecture seule"


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="titulaire"
    )
    name = models.CharField("nom", max_length=100, help_text="Pour le reconnaître : « tableur de la DDETS-PP »…")
    prefix = models.CharField("début du jeton", max_length=16)
    digest = models.CharField("empreinte SHA-256", max_length=64, unique=True)
    scope = models.CharField("portée", max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "jeton d'accès API"
        verbose_name_plural = "jetons d'accès API"
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="api_token_expires_later"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiCall(models.Model):
    token = models.ForeignKey(
        ApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls", verbose_name="jeton"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="utilisateur",
    )
    method = models.CharField("méthode", max_length=10)
    path = models.CharField("chemin", max_length=500)
    query = models.CharField("paramètres", max_length=1000, blank=True)
    status = models.PositiveSmallIntegerField("statut HTTP")
    at = models.DateTimeField("le", auto_now_add=True, db_index=True)
    remote_addr = models.GenericIPAddressField("adresse", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "appel de l'API"
        verbose_name_plural = "appels de l'API"

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}"
