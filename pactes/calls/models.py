"""Calls for projects (appels) and the reference lists they use.

Words: a *call* (appel) is loaded from a versioned YAML file (``pactes/calls/data/<slug>.yaml``) that holds every
number and date of the call with the section it comes from; ``Call.rules`` parses it into the framework-free
``pactes.rules.call_config.CallConfig`` that every rule reads. A *demonstration call* is derived from a real one
with every date moved by ``date_offset_days``. The *axes* and *measures* are those of the national Pacte des
solidarités. The *eligible list* (annex 1) is the list of EPCI a call is open to.
"""

import hashlib
import threading
from decimal import Decimal
from functools import cached_property, lru_cache

from django.conf import settings
from django.db import models
from django.db.models import Q

from pactes.rules.call_config import CallConfig


@lru_cache(maxsize=64)
def _parsed_rules(yaml_text: str, date_offset_days: int) -> CallConfig:
    """The parsed call, shared by every request (a CallConfig is frozen): parsing the YAML costs milliseconds."""
    return CallConfig.from_yaml(yaml_text, date_offset_days=date_offset_days)


# The parsed calls of this process by (SHA-256 of the YAML, date offset): a call reloaded with another text has
# another hash, so every process parses it again at its next request without being told (content-addressed).
_RULES_BY_HASH: dict[tuple[str, int], CallConfig] = {}
_RULES_BY_HASH_MAX = 64
_RULES_LOCK = threading.Lock()


def _rules_for(call: "Call") -> CallConfig:
    key = (call.yaml_sha256, call.date_offset_days)
    config = _RULES_BY_HASH.get(key) if call.yaml_sha256 else None
    if config is None:
        config = _parsed_rules(call.yaml_text, call.date_offset_days)  # reads yaml_text only here (lists defer it)
        if call.yaml_sha256 and hashlib.sha256(call.yaml_text.encode("utf-8")).hexdigest() == call.yaml_sha256:
            with _RULES_LOCK:  # the threads of one process share the dictionary
                while len(_RULES_BY_HASH) >= _RULES_BY_HASH_MAX:
                    _RULES_BY_HASH.pop(next(iter(_RULES_BY_HASH)))
                _RULES_BY_HASH[key] = config
    return config


class Call(models.Model):
    slug = models.SlugField("identifiant", max_length=60, unique=True)
    title = models.CharField("intitulé", max_length=300)
    short_title = models.CharField("intitulé court", max_length=100)
    is_demo = models.BooleanField("appel de démonstration", default=False)
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derived_calls",
        verbose_name="dérivé de",
    )
    date_offset_days = models.IntegerField("décalage des dates (jours)", default=0)
    source_file = models.CharField("fichier source", max_length=200)
    yaml_text = models.TextField("configuration YAML")
    yaml_sha256 = models.CharField("empreinte SHA-256 du YAML", max_length=64)
    filing_opens_at = models.DateTimeField("ouverture du dépôt")
    filing_closes_at = models.DateTimeField("clôture du dépôt")
    regional_envelope = models.DecimalField(
        "enveloppe régionale (BOP 304 action 23)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Montant fixé par un administrateur.",
    )
    regional_envelope_set_at = models.DateTimeField("enveloppe fixée le", null=True, blank=True)
    regional_envelope_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enveloppe fixée par",
    )
    loaded_at = models.DateTimeField("chargé le", auto_now=True)

    class Meta:
        ordering = ["-filing_opens_at"]
        verbose_name = "appel"
        constraints = [
            models.CheckConstraint(
                condition=Q(filing_opens_at__lt=models.F("filing_closes_at")), name="call_filing_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(regional_envelope__isnull=True) | Q(regional_envelope__gte=Decimal("0")),
                name="call_envelope_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(is_demo=False, date_offset_days=0) | Q(is_demo=True),
                name="call_only_demo_is_shifted",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @cached_property
    def rules(self) -> CallConfig:
        return _rules_for(self)


class Axis(models.Model):
    code = models.CharField("code", max_length=10, unique=True)
    label = models.CharField("libellé", max_length=300)
    description = models.TextField("description", blank=True)
    source_url = models.URLField("source", max_length=500, blank=True)
    measures_status = models.CharField(
        "état de la liste des mesures",
        max_length=20,
        blank=True,
        help_text="certain, partiel ou non_trouve, tel que le référentiel l'indique.",
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    # With the measures' own, names the version of the « mesures » section of the call page's cached parts.
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "axe du Pacte des solidarités"
        verbose_name_plural = "axes du Pacte des solidarités"

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class Measure(models.Model):
    axis = models.ForeignKey(Axis, on_delete=models.PROTECT, related_name="measures", verbose_name="axe")
    code = models.CharField("code", max_length=10, unique=True)
    label = models.CharField("libellé", max_length=500)
    sub_measures = models.TextField("sous-mesures (une par ligne)", blank=True)
    source_url = models.URLField("source", max_length=500, blank=True)
    is_active = models.BooleanField("proposée aux porteurs", default=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        ordering = ["axis__position", "code"]
        verbose_name = "mesure du Pacte des solidarités"
        verbose_name_plural = "mesures du Pacte des solidarités"

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class EligibleListKind(models.TextChoices):
    INDICATIVE = "indicative", "Liste indicative (calculée à partir des indicateurs INSEE)"
    PROPOSED = "proposee", "Liste arrêtée sur proposition (écran d'administration)"
    OFFICIAL = "officielle", "Liste officielle importée (annexe 1)"


class EligibleList(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="eligible_lists", verbose_name="appel")
    kind = models.CharField("nature", max_length=12, choices=EligibleListKind.choices)
    indicator_code = models.CharField("indicateur utilisé", max_length=20, blank=True)
    indicator_year = models.PositiveSmallIntegerField("millésime de l'indicateur", null=True, blank=True)
    method = models.TextField("méthode", blank=True)
    source = models.CharField("source", max_length=300, blank=True)
    arrested_at = models.DateTimeField("arrêtée le")
    arrested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="arrêtée par",
    )
    epcis = models.ManyToManyField("territories.Epci", through="EligibleEpci", related_name="+")

    class Meta:
        ordering = ["-arrested_at", "-pk"]
        verbose_name = "liste des EPCI éligibles"
        verbose_name_plural = "listes des EPCI éligibles"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.call.short_title}"

    @property
    def is_indicative(self) -> bool:
        return self.kind == EligibleListKind.INDICATIVE


class EligibleEpci(models.Model):
    eligible_list = models.ForeignKey(EligibleList, on_delete=models.CASCADE, related_name="entries")
    epci = models.ForeignKey("territories.Epci", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField("rang", null=True, blank=True)
    indicator_value = models.DecimalField(
        "valeur de l'indicateur", max_digits=16, decimal_places=4, null=True, blank=True
    )
    reason = models.CharField("motif", max_length=300, blank=True)

    class Meta:
        ordering = ["rank", "epci__name"]
        constraints = [models.UniqueConstraint(fields=["eligible_list", "epci"], name="eligible_epci_unique")]
