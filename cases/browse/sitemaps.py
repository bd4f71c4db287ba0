"""The sitemap of every public page: published cases, taxonomy, sources, documents, topics, quotes, static pages."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse

from ..models import (
    Approach,
    Case,
    Challenge,
    Country,
    Document,
    Organisation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
    Topic,
)

STATIC_PAGES = [
    "cases:home",
    "cases:case-list",
    "cases:challenge-list",
    "cases:success-factor-list",
    "cases:country-list",
    "cases:source-list",
    "cases:quote-list",
    "cases:matrix",
    "cases:compare",
    "cases:theme-list",
    "cases:approach-list",
    "cases:organisation-list",
    "cases:document-list",
    "cases:topic-list",
    "cases:about",
]


PAGE_SIZE = 5000  # URLs per sitemap page: small pages answer fast; the index lists them all


class LatestByQuery:
    """The index's lastmod of a section in one aggregate query (Django's default loads every item)."""

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class StaticSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return STATIC_PAGES

    def location(self, name):
        return reverse(name)


class CaseSitemap(LatestByQuery, Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = PAGE_SIZE

    def items(self):
        return Case.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, case):
        return case.updated_at


class TermSitemap(LatestByQuery, Sitemap):
    """Taxonomy pages: every term has a public page listing its published cases."""

    changefreq = "monthly"
    priority = 0.5
    limit = PAGE_SIZE
    model = None

    def items(self):
        return self.model.objects.order_by("pk")

    def lastmod(self, term):
        return term.updated_at


class ChallengeSitemap(TermSitemap):
    model = Challenge


class SuccessFactorSitemap(TermSitemap):
    model = SuccessFactor


class ThemeSitemap(TermSitemap):
    model = Theme

    def items(self):
        return Theme.objects.public().order_by("pk")


class ApproachSitemap(TermSitemap):
    model = Approach

    def items(self):
        return Approach.objects.public().order_by("pk")


class OrganisationSitemap(TermSitemap):
    model = Organisation

    def items(self):
        return Organisation.objects.public().order_by("pk")


class SourceSitemap(TermSitemap):
    model = Source


class DocumentSitemap(TermSitemap):
    model = Document

    def items(self):
        return Document.objects.only("slug", "updated_at").order_by("pk")


class TopicSitemap(Sitemap):
    """Topics have no timestamps."""

    changefreq = "monthly"
    priority = 0.4
    limit = PAGE_SIZE

    def items(self):
        return Topic.objects.order_by("pk")


class CountrySitemap(Sitemap):
    """Countries with at least one published case."""

    changefreq = "monthly"
    priority = 0.5

    def items(self):
        published_here = Case.objects.published().filter(countries=OuterRef("pk"))
        return Country.objects.filter(Exists(published_here)).order_by("code")


class QuoteSitemap(LatestByQuery, Sitemap):
    """Every quote's citable permalink (many: the sitemap index pages through them)."""

    changefreq = "yearly"
    priority = 0.3
    limit = PAGE_SIZE

    def items(self):
        return Quote.objects.only("pk", "updated_at").order_by("pk")

    def location(self, quote):
        # /quotes/<pk>/ without a reverse() per quote: thousands per page.
        return f"{reverse('cases:quote-list')}{quote.pk}/"

    def lastmod(self, quote):
        return quote.updated_at


SITEMAPS = {
    "pages": StaticSitemap,
    "cases": CaseSitemap,
    "challenges": ChallengeSitemap,
    "success-factors": SuccessFactorSitemap,
    "countries": CountrySitemap,
    "themes": ThemeSitemap,
    "approaches": ApproachSitemap,
    "organisations": OrganisationSitemap,
    "sources": SourceSitemap,
    "documents": DocumentSitemap,
    "topics": TopicSitemap,
    "quotes": QuoteSitemap,
}
