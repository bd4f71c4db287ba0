"""The taxonomy of cases: countries and regions, organisations, themes, approaches, challenges and success factors."""

from django.db import models
from django.db.models import Q

from ..querysets import TaxonomyQuerySet
from ..slugs import validate_lower_case
from ..url_paths import reverse_path
from .base import TimeStampedModel


class Region(models.TextChoices):
    AFRICA = "africa", "Africa"
    AMERICAS = "americas", "Americas"
    ASIA = "asia", "Asia"
    EUROPE = "europe", "Europe"
    OCEANIA = "oceania", "Oceania"
    ANTARCTICA = "antarctica", "Antarctica"


class Country(models.Model):
    """An ISO 3166-1 country; all of them exist from the first migration on."""

    code = models.CharField("ISO code", max_length=2, primary_key=True, help_text="ISO 3166-1 alpha-2, upper case")
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=20, choices=Region.choices, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{2}$"), name="country_code_two_upper_letters"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_path("cases:country-detail", "code", self.code.lower())


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        NATIONAL_GOVERNMENT = "national_government", "National government"
        CITY_GOVERNMENT = "city_government", "City government"
        AGENCY = "agency", "Agency"
        INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
        NGO = "ngo", "NGO"
        PRIVATE = "private", "Private"
        ACADEMIC = "academic", "Academic"
        NETWORK = "network", "Network"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, validators=[validate_lower_case])
    kind = models.CharField(max_length=40, choices=Kind.choices)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisations")
    website = models.URLField(blank=True)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_path("cases:organisation-detail", "slug", self.slug)


class Theme(TimeStampedModel):
    """A policy domain: food security, space, mobility, health…"""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, validators=[validate_lower_case])
    description = models.TextField(blank=True)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_path("cases:theme-detail", "slug", self.slug)


class Approach(TimeStampedModel):
    """An innovation method (challenge prize, testbed, network…) in one of three families."""

    class Family(models.TextChoices):
        COLLECTIVE_INTELLIGENCE = "collective_intelligence", "Collective intelligence (surfacing insights)"
        EXPERIMENTATION = "experimentation", "Experimentation (testing across borders)"
        GOVERNANCE = "governance", "Governance (structures and networks)"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, validators=[validate_lower_case])
    description = models.TextField(blank=True)
    family = models.CharField(max_length=30, choices=Family.choices, db_index=True)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "approaches"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_path("cases:approach-detail", "slug", self.slug)


class Challenge(TimeStampedModel):
    """A barrier to cross-border innovation."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, validators=[validate_lower_case])
    description = models.TextField(blank=True, help_text="Markdown")
    order = models.PositiveSmallIntegerField(default=0)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_path("cases:challenge-detail", "slug", self.slug)


class SuccessFactor(TimeStampedModel):
    """An enabler of cross-border innovation, of a project or of the wider ecosystem."""

    class Kind(models.TextChoices):
        PROJECT = "project", "Project"
        ECOSYSTEM = "ecosystem", "Ecosystem"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, validators=[validate_lower_case])
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    description = models.TextField(blank=True, help_text="Markdown")
    order = models.PositiveSmallIntegerField(default=0)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_path("cases:success-factor-detail", "slug", self.slug)
