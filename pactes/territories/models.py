"""Territories of the call: départements, EPCI (intercommunalités à fiscalité propre), communes, and the INSEE
indicators attached to them.

Words: *EPCI* is identified by its SIREN; a *commune* by its INSEE code; an *indicator* is an INSEE variable without
its millésime suffix (``Q2`` for the median standard of living, from column ``Q219`` of Filosofi 2019).
"""

from typing import Any

from django.db import models
from django.db.models import Q


class Departement(models.Model):
    code = models.CharField("code", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region_code = models.CharField("code région", max_length=3)
    region_name = models.CharField("région", max_length=100)
    prefecture_code = models.CharField("code INSEE du chef-lieu", max_length=5)
    prefecture_name = models.CharField("chef-lieu", max_length=100)
    population_municipale = models.PositiveIntegerField("population municipale")
    population_totale = models.PositiveIntegerField("population totale")

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def geometry(self) -> dict[str, Any] | None:
        """The outline (GeoJSON), read from its own table: one query, for the map views only (ADR 0042)."""
        return _outline_of(self)


class EpciKind(models.TextChoices):
    CC = "CC", "Communauté de communes"
    CA = "CA", "Communauté d'agglomération"
    CU = "CU", "Communauté urbaine"
    METRO = "METRO", "Métropole"


class Epci(models.Model):
    siren = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=5, choices=EpciKind.choices)
    financing_mode = models.CharField("mode de financement", max_length=5)
    departements = models.ManyToManyField(Departement, related_name="epcis", verbose_name="départements touchés")
    main_departement_code = models.CharField("département majoritaire", max_length=3)
    main_region_code = models.CharField("région majoritaire", max_length=3)
    is_interregional = models.BooleanField("interrégional", default=False)
    population_municipale = models.PositiveIntegerField("population municipale")
    population_totale = models.PositiveIntegerField("population totale")
    population_municipale_region = models.PositiveIntegerField("population municipale en Occitanie")
    population_totale_region = models.PositiveIntegerField("population totale en Occitanie")
    search_name = models.CharField("nom normalisé pour la recherche", max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"

    def __str__(self) -> str:
        return self.name

    @property
    def geometry(self) -> dict[str, Any] | None:
        """The outline (GeoJSON), read from its own table: one query, for the map views only (ADR 0042)."""
        return _outline_of(self)

    @property
    def is_mostly_in_region(self) -> bool:
        return self.population_municipale_region * 2 > self.population_municipale


class DepartementOutline(models.Model):
    """The outline of a département, apart from it: no list that joins the département (``select_related``) reads
    its ≈15 KB of GeoJSON (ADR 0042). Read by the maps only (``Departement.geometry``, ``map_data``)."""

    departement = models.OneToOneField(
        Departement, on_delete=models.CASCADE, primary_key=True, related_name="outline", verbose_name="département"
    )
    geometry = models.JSONField("contour (GeoJSON)")

    class Meta:
        verbose_name = "contour de département"
        verbose_name_plural = "contours de départements"

    def __str__(self) -> str:
        return f"Contour de {self.departement_id}"


class EpciOutline(models.Model):
    """The outline of an EPCI, apart from it (see ``DepartementOutline``)."""

    epci = models.OneToOneField(
        Epci, on_delete=models.CASCADE, primary_key=True, related_name="outline", verbose_name="EPCI"
    )
    geometry = models.JSONField("contour (GeoJSON)")

    class Meta:
        verbose_name = "contour d'EPCI"
        verbose_name_plural = "contours d'EPCI"

    def __str__(self) -> str:
        return f"Contour de {self.epci_id}"


def _outline_of(territory: Departement | Epci) -> dict[str, Any] | None:
    """The outline of ``territory``, or None; the related object is cached on the instance (``select_related`` or
    ``prefetch_related("outline")`` of a map view read them all at once)."""
    try:
        outline = territory.outline  # type: ignore[union-attr]
    except (DepartementOutline.DoesNotExist, EpciOutline.DoesNotExist):
        return None
    return outline.geometry


class Commune(models.Model):
    code_insee = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=200)
    siren = models.CharField("SIREN", max_length=9)
    departement_code = models.CharField("code département", max_length=3)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, null=True, blank=True, related_name="communes"
    )
    in_region = models.BooleanField("en Occitanie")
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, null=True, blank=True, related_name="communes")
    population_municipale = models.PositiveIntegerField("population municipale")
    population_totale = models.PositiveIntegerField("population totale")
    postal_codes = models.CharField("codes postaux", max_length=200, blank=True)
    former_codes = models.CharField("anciens codes INSEE", max_length=500, blank=True)
    search_name = models.CharField("nom normalisé pour la recherche", max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "commune"
        constraints = [
            models.CheckConstraint(
                condition=Q(in_region=False) | Q(departement__isnull=False),
                name="commune_in_region_has_departement",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code_insee})"


class TerritoryLevel(models.TextChoices):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "EPCI"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"


class Indicator(models.Model):
    code = models.CharField("code INSEE (sans millésime)", max_length=20, unique=True)
    label = models.CharField("libellé", max_length=200)
    unit = models.CharField("unité", max_length=30, blank=True)
    description = models.TextField("définition", blank=True)
    lower_is_poorer = models.BooleanField(
        "une valeur basse signale plus de pauvreté",
        null=True,
        blank=True,
        help_text="Sens de lecture pour proposer les territoires les plus pauvres.",
    )
    position = models.PositiveSmallIntegerField("ordre d'affichage", default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = "indicateur"

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"


class ValueStatus(models.TextChoices):
    AVAILABLE = "disponible", "Disponible"
    SECRET = "non_diffuse", "Non diffusé"


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField("millésime")
    level = models.CharField("niveau", max_length=12, choices=TerritoryLevel.choices)
    territory_code = models.CharField("code géographique", max_length=9)
    value = models.DecimalField("valeur", max_digits=16, decimal_places=4, null=True, blank=True)
    status = models.CharField("statut", max_length=12, choices=ValueStatus.choices)
    source = models.CharField("source", max_length=200)
    imported_at = models.DateTimeField("importé le", auto_now=True)

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "level", "territory_code"], name="indicator_value_unique"
            ),
            models.CheckConstraint(
                condition=(Q(status="disponible") & Q(value__isnull=False))
                | (Q(status="non_diffuse") & Q(value__isnull=True)),
                name="indicator_value_secret_iff_no_value",
            ),
        ]
        indexes = [models.Index(fields=["level", "territory_code"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year} {self.level} {self.territory_code}"
