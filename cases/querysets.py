"""Chainable filters of the domain models: views and exports name them instead of repeating them."""
from django.db import models
from django.db.models import Count, Q


class CaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def in_country(self, *codes):
        return self.filter(countries__code__in=[code.upper() for code in codes]).distinct()

    def in_region(self, region):
        return self.filter(countries__region=region).distinct()

    def with_theme(self, *slugs):
        return self.filter(themes__slug__in=slugs).distinct()

    def with_approach(self, *slugs):
        return self.filter(approaches__slug__in=slugs).distinct()

    def in_family(self, family):
        return self.filter(approaches__family=family).distinct()

    def with_organisation(self, *slugs):
        return self.filter(organisations__slug__in=slugs).distinct()

    def meeting_challenge(self, *slugs):
        return self.filter(challenges__slug__in=slugs).distinct()

    def showing_success_factor(self, *slugs):
        return self.filter(success_factors__slug__in=slugs).distinct()

    def at_stage(self, stage):
        return self.filter(stage=stage)

    def active_between(self, year_from=None, year_to=None):
        """Cases running at some point in [year_from, year_to] (open ends allowed)."""
        cases = self
        if year_from is not None:
            cases = cases.filter(Q(end_year__gte=year_from) | Q(end_year__isnull=True))
        if year_to is not None:
            cases = cases.filter(start_year__lte=year_to)
        return cases

    def for_listing(self):
        """What a list of cases shows: countries and themes, without a query per row."""
        return self.prefetch_related("countries", "themes")

    def without_evidence(self):
        return self.annotate(evidence_count=Count("quotes")).filter(evidence_count=0)


class TaxonomyQuerySet(models.QuerySet):
    """Themes, approaches, challenges, success factors and organisations with their published cases."""

    def with_published_case_count(self, relation="cases"):
        return self.annotate(
            published_case_count=Count(relation, filter=Q(**{f"{relation}__status": "published"}), distinct=True)
        )


class QuoteQuerySet(models.QuerySet):
    def public(self):
        """Quotes a visitor may see: every quote; the cases they link to are filtered where shown."""
        return self

    def in_time_order(self):
        return self.order_by("source_id", "start_second", "position", "pk")

    def linked(self):
        return self.filter(Q(cases__isnull=False) | Q(challenges__isnull=False) | Q(success_factors__isnull=False)).distinct()

    def not_linked(self):
        return self.filter(cases__isnull=True, challenges__isnull=True, success_factors__isnull=True)

    def needing_review(self):
        return self.filter(document__needs_review=True)
