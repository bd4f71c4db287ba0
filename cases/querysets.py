"""Chainable filters of the domain models: views and exports name them instead of repeating them."""
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce


class CaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    # Each filter is a semi-join (pk IN a link-table subquery), not a join: no duplicate rows,
    # no DISTINCT over whole case rows, and filters chain as AND without multiplying rows.
    def _linked(self, relation, **lookups):
        links = self.model._meta.get_field(relation).remote_field.through.objects
        return self.filter(pk__in=links.filter(**lookups).values("case_id"))

    def in_country(self, *codes):
        return self._linked("countries", country_id__in=[code.upper() for code in codes])

    def in_region(self, region):
        return self._linked("countries", country__region=region)

    def with_theme(self, *slugs):
        return self._linked("themes", theme__slug__in=slugs)

    def with_approach(self, *slugs):
        return self._linked("approaches", approach__slug__in=slugs)

    def in_family(self, family):
        return self._linked("approaches", approach__family=family)

    def with_organisation(self, *slugs):
        return self._linked("organisations", organisation__slug__in=slugs)

    def meeting_challenge(self, *slugs):
        return self._linked("challenges", challenge__slug__in=slugs)

    def showing_success_factor(self, *slugs):
        return self._linked("success_factors", success_factor__slug__in=slugs)

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

    def sharing_with(self, case, *, theme_ids=(), approach_ids=(), country_codes=()):
        """Other cases sharing themes, approaches or countries with `case`, most shared first.

        The caller passes the ids it already holds (prefetched), so this is one query; each
        case is annotated with `shared_count`. Correlated counts on the link tables avoid the
        row explosion of joining three many-to-many relations.
        """
        links = [
            (self.model.themes.through, "theme_id", list(theme_ids)),
            (self.model.approaches.through, "approach_id", list(approach_ids)),
            (self.model.countries.through, "country_id", [code.upper() for code in country_codes]),
        ]
        links = [(through, column, values) for through, column, values in links if values]
        if not links:
            return self.none()
        sharing = Q()
        shared_count = Value(0)
        for through, column, values in links:
            matches = through.objects.filter(**{f"{column}__in": values})
            sharing |= Q(pk__in=matches.values("case_id"))
            per_case = (
                matches.filter(case_id=OuterRef("pk")).order_by().values("case_id")
                .annotate(n=Count("*")).values("n")
            )
            shared_count = shared_count + Coalesce(Subquery(per_case, output_field=IntegerField()), Value(0))
        return (
            self.filter(sharing).exclude(pk=case.pk)
            .annotate(shared_count=shared_count)
            .order_by("-shared_count", "-published_at", "title")
        )


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

    def for_listing(self):
        """What a list of quotes shows: the source, and the published cases each quote supports
        (as `published_cases`), without a query per quote."""
        case_model = self.model._meta.get_field("cases").related_model
        published_cases = case_model.objects.published().only("pk", "title", "slug")
        return self.select_related("source").prefetch_related(
            Prefetch("cases", queryset=published_cases, to_attr="published_cases")
        )

    def from_source(self, source):
        return self.filter(source=source)

    def supporting(self, case):
        return self.filter(cases=case)

    def about_challenge(self, challenge):
        return self.filter(challenges=challenge)

    def about_success_factor(self, success_factor):
        return self.filter(success_factors=success_factor)

    def containing(self, *words):
        """Quotes whose text holds every one of `words` (case-insensitive)."""
        quotes = self
        for word in words:
            quotes = quotes.filter(text__icontains=word)
        return quotes

    def linked(self):
        return self.filter(Q(cases__isnull=False) | Q(challenges__isnull=False) | Q(success_factors__isnull=False)).distinct()

    def not_linked(self):
        return self.filter(cases__isnull=True, challenges__isnull=True, success_factors__isnull=True)

    def needing_review(self):
        return self.filter(document__needs_review=True)
