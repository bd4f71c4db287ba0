"""Chainable filters of the domain models: views and exports name them instead of repeating them."""

import re

from django.apps import apps
from django.db import connections, models
from django.db.models import Case as Conditional
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from pyroaring import BitMap


def correlated_count(model, field):
    """How many `model` rows point at the outer row through `field` (a foreign key name, e.g.
    `Quote, "source"` or a through-model and `"case_id"`), as an annotation: a correlated
    subquery, so it is computed for the rows fetched only and never multiplies rows like a JOIN
    with COUNT would. 0, not NULL, where none point at it."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class CaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def archived(self):
        return self.filter(status="archived")

    def citable(self):
        """Cases whose citation data the public may fetch: published ones and withdrawn (archived) ones."""
        return self.filter(status__in=["published", "archived"])

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

    def at_level(self, level_of_government):
        return self.filter(level_of_government=level_of_government)

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

    def for_case_page(self):
        """Everything the case page shows, prefetched (cases.browse.case_page): its parent, its
        published children, its quotes in time order (which challenges and success factors each
        supports: cases.claims.page_claims reads the links), its story evidence and supporting
        links. Its links to terms (countries, themes, approaches, organisations, challenges and
        success factors) are the caller's to attach, in one query:
        cases.browse.case_links.attach_case_links(case). A fixed number of queries whatever the
        case holds."""
        model = self.model
        get = apps.get_model
        Quote = get("cases", "Quote")
        evidence = Quote.objects.in_time_order().shown()
        page = self.select_related("parent").defer("parent__body")
        return page.prefetch_related(
            Prefetch(
                "children",
                queryset=model.objects.published().only("pk", "title", "slug", "parent_id"),
                to_attr="published_children",
            ),
            Prefetch("quotes", queryset=evidence, to_attr="evidence"),
            Prefetch(
                "story_evidence",
                # One case's rows: by section (the model's order joins the cases to sort by title).
                queryset=get("cases", "StoryEvidence")
                .objects.order_by("section")
                .prefetch_related(
                    Prefetch("quotes", queryset=Quote.objects.in_time_order().shown(), to_attr="quote_list")
                ),
                to_attr="story_evidence_list",
            ),
            Prefetch("supporting_links", to_attr="supporting_link_list"),
        )

    def most_alike(self, case, *, themes=(), approaches=(), countries=(), limit=6):
        """The `limit` published cases of this queryset sharing most themes, approaches and
        countries with `case` (ties: most recently published, then title), as a list; each has
        `shared_count`. Never `case` itself, never a case sharing nothing.

        `themes`, `approaches`, `countries`: the case's terms as URLs name them (slugs, country
        codes in any case), which the caller holds (prefetched). The shared links are counted on
        the library's bitmaps (cases/browse/case_index.py: published cases only), with no query:
        level k holds the cases found in at least k of the bitmaps of the case's terms, a few set
        operations in C where SQL grouped thousands of link rows (2-3 ms at 10,000 cases, ten at
        50,000). Then one query fetches the best of this queryset among the levels, from the most
        links shared down, that hold `limit` cases (another only when the queryset leaves fewer).
        """
        from .browse import case_index
        from .search.service import AmongIds

        terms = [("theme", themes), ("approach", approaches), ("country", [code.lower() for code in countries])]
        if not any(values for _, values in terms):
            return []
        options = case_index.current(using=self.db).options
        levels = []  # levels[k]: the cases in at least k + 1 of the bitmaps
        for name, values in terms:
            for value in values:
                ids = options[name].get(value)
                if ids is None:
                    continue
                for k in range(len(levels) - 1, -1, -1):  # from the top, so each level reads its old self
                    shared = levels[k] & ids
                    if k + 1 == len(levels):
                        levels.append(shared)
                    else:
                        levels[k + 1] |= shared
                if levels:
                    levels[0] |= ids
                else:
                    levels.append(BitMap(ids))
        found, k = [], len(levels) - 1
        while k >= 0 and len(found) < limit:
            # The next levels down whose cases can fill the places left (by their sizes), in one query.
            chosen, size = [], 0
            while k >= 0 and size < limit - len(found):
                exactly = levels[k] - levels[k + 1] if k + 1 < len(levels) else BitMap(levels[k])
                exactly.discard(case.pk)
                if exactly:
                    chosen.append((k + 1, exactly))
                    size += len(exactly)
                k -= 1
            if not chosen:
                break
            shared = Conditional(
                *[When(AmongIds(F("pk"), ids), then=Value(count)) for count, ids in chosen],
                default=Value(0),
                output_field=IntegerField(),
            )
            best = (
                self.filter(AmongIds(F("pk"), BitMap().union(*(ids for _, ids in chosen))))
                .annotate(shared_count=shared)
                .order_by("-shared_count", F("published_at").desc(nulls_last=True), "title", "pk")
            )
            found += best[: limit - len(found)]
        return found


class TaxonomyQuerySet(models.QuerySet):
    """Themes, approaches, challenges, success factors and organisations with their published cases."""

    def public(self):
        """The terms linked to at least one published case: only what a published case links to
        is public. A semi-join (EXISTS on the link table), so no duplicate rows and no DISTINCT."""
        relation = self.model._meta.get_field("cases")
        links = relation.through.objects.filter(
            **{
                relation.field.m2m_reverse_field_name(): OuterRef("pk"),
                f"{relation.field.m2m_field_name()}__status": "published",
            }
        )
        return self.filter(Exists(links))

    def with_published_case_count(self, relation="cases"):
        return self.annotate(
            published_case_count=Count(relation, filter=Q(**{f"{relation}__status": "published"}), distinct=True)
        )


class QuoteQuerySet(models.QuerySet):
    def in_time_order(self):
        return self.order_by("source_id", "start_second", "position", "pk")

    def shown(self):
        """Quotes with their source, reading only the columns a quote shows (includes/_quote.html:
        its text, times and time status, its source's title and links): list pages build dozens."""
        return self.select_related("source").only(
            "source",
            "text",
            "start_second",
            "other_seconds",
            "time_status",
            "corrected_from_seconds",
            "source__title",
            "source__slug",
            "source__url",
            "source__youtube_id",
        )

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
        """Quotes whose text holds every one of `words` (plain words: letters, digits, `_`), in
        any case. On PostgreSQL as a case-insensitive regular expression, which the trigram index
        on the text serves (icontains compares UPPER(text), which no index serves)."""
        regex = connections[self.db].vendor == "postgresql"
        quotes = self
        for word in words:
            # re.escape only for the regular expression: icontains takes the word as it is (escaped,
            # a hyphenated word such as cross-border was looked for as "cross\-border" and never found).
            quotes = quotes.filter(text__iregex=re.escape(word)) if regex else quotes.filter(text__icontains=word)
        return quotes

    def needing_review(self):
        """Quotes of documents flagged for a curator's review."""
        return self.filter(document__needs_review=True)

    def past_end(self):
        """Quotes whose start second lies after their video's end (the curator's duration, else the
        estimate); none for a video whose length is unknown."""
        end = Coalesce("source__duration_seconds", "source__estimated_duration_seconds")
        return self.filter(start_second__gt=end)

    def under_review(self):
        return self.filter(time_status=self.model.TimeStatus.UNDER_REVIEW)

    def refresh_time_status(self):
        """Set the time status of these quotes from their document's flag, their video's end and
        their recorded correction (the one place the rule lives); only rows that change are
        written. Returns how many changed.

        Under review: the start second is past the video's end, or the document is flagged and the
        start second is the document's. Corrected: otherwise, when the importer corrected the start
        second and it is the document's. Exact: the rest.

        A start second a curator set (Quote.imported_start_second holds the document's) is neither
        doubted for its document's flag nor "corrected on import": the flag doubts the document's
        times and the correction was made to the document's value, neither of which it is (re-imports
        keep it). Past the video's end it is under review like any other: no reading makes that right.
        """
        status = self.model.TimeStatus
        end = Coalesce("source__duration_seconds", "source__estimated_duration_seconds")
        documents = Q(imported_start_second__isnull=True)
        doubtful = Q(documents, document__needs_review=True) | Q(start_second__gt=end)
        corrected = Q(documents, corrected_from_seconds__isnull=False)
        quotes = self.order_by()
        changed = (
            quotes.filter(doubtful).exclude(time_status=status.UNDER_REVIEW).update(time_status=status.UNDER_REVIEW)
        )
        fine = quotes.exclude(pk__in=quotes.filter(doubtful).values("pk"))
        changed += fine.filter(corrected).exclude(time_status=status.CORRECTED).update(time_status=status.CORRECTED)
        changed += fine.exclude(corrected).exclude(time_status=status.EXACT).update(time_status=status.EXACT)
        return changed


class DeferredJoin:
    """A queryset sliced by a deferred join, for a Paginator: `DeferredJoin(quotes)[149950:150000]`
    first reads the 50 primary keys of the slice (`SELECT id … ORDER BY … LIMIT 50 OFFSET 149950`,
    an index-only scan when an index covers the ordering, as `quote_time_order` does), then fetches
    those rows alone with the queryset's select_related and prefetches, in the slice's order.

    A plain `OFFSET` makes the database build and discard every full row before the page (joined
    source included); skipping index entries costs a fraction of it. Counting is the queryset's.
    Page numbers and links stay as they are: only how a page's rows are read changes.
    """

    def __init__(self, queryset):
        self.queryset = queryset
        self.ordered = queryset.ordered  # Paginator warns about unordered lists

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __iter__(self):
        return iter(self.queryset)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("DeferredJoin gives slices only (as a Paginator asks for them)")
        keys = list(self.queryset.values_list("pk", flat=True)[index])
        by_key = {row.pk: row for row in self.queryset.filter(pk__in=keys)} if keys else {}
        return [by_key[key] for key in keys if key in by_key]
