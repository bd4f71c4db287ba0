"""Browsing published cases and the taxonomy around them: overview, case pages, challenges,
success factors, countries, themes, approaches and organisations.

Every page runs a fixed number of queries whatever the size of the library: what a template
touches is prefetched (Prefetch objects into `to_attr` lists), and long lists are paginated.
"""

import re
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.generic import DetailView, ListView, TemplateView

from .. import library_version
from ..browse.case_page import case_page_parts
from ..browse.facets import SPECS, count_options
from ..browse.filters import CaseFilter
from ..charts import bar_chart, paired_bar_chart, start_year_counts, year_chart
from ..claims import evidenced_claim_counts
from ..curation import permalinks
from ..models import (
    Approach,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Country,
    Organisation,
    Participation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
)
from ..network import layout, shared_case_counts
from ..worldmap import toggled, world_map
from .paging import BadPageMixin, page_of

CASES_PER_PAGE = 20
QUOTES_ON_TERM_PAGE = 10
HOME_ENTRY_POINTS = 12
STRONGEST_PAIRS = 15  # rows of the table beside the partner network
ISO2 = re.compile(r"[A-Za-z]{2}")


# What a case card shows (includes/_case_card.html): long bodies stay in the database.
CASE_CARD_FIELDS = ("title", "slug", "summary", "status", "stage", "start_year", "end_year", "published_at")


def published_cases():
    return Case.objects.published().for_listing().only(*CASE_CARD_FIELDS)


def redirect_old_case_slug(slug, url_name):
    """A permanent redirect from a case's old slug to `url_name` of its current one, or Http404."""
    case = permalinks.current_of(Case, slug)
    if case is None or case.status not in (Case.Status.PUBLISHED, Case.Status.ARCHIVED):
        raise Http404("No case here.")
    return redirect(url_name, slug=case.slug, permanent=True)


class OldSlugMixin:
    """A term view whose old (renamed or merged) slugs redirect permanently to the current page."""

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            term = permalinks.current_of(self.model, kwargs.get("slug", ""))
            if term is None:
                raise
            return redirect(term.get_absolute_url(), permanent=True)


def with_published_case_count(countries):
    # A country is linked to a case once (the link table's pairs are unique): no DISTINCT needed.
    return countries.annotate(published_case_count=Count("cases", filter=Q(cases__status=Case.Status.PUBLISHED)))


class HomeView(TemplateView):
    template_name = "cases/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Case.objects.published()
        context["case_count"] = published.count()
        context["country_count"] = Country.objects.filter(cases__in=published).distinct().count()
        context["quote_count"] = Quote.objects.public().count()
        context["source_count"] = Source.objects.count()
        context["newest_cases"] = published_cases().order_by("-published_at", "-created_at", "title")[:6]
        context["themes"] = (
            Theme.objects.with_published_case_count()
            .filter(published_case_count__gt=0)
            .order_by("-published_case_count", "name")[:HOME_ENTRY_POINTS]
        )
        context["countries"] = (
            with_published_case_count(Country.objects.all())
            .filter(published_case_count__gt=0)
            .order_by("-published_case_count", "name")[:HOME_ENTRY_POINTS]
        )
        context["challenges"] = Challenge.objects.with_published_case_count()
        context["charts"] = {
            "years": year_chart(start_year_counts(published), title="By start year"),
            "families": bar_chart(
                [(label, count) for _, label, count in count_options("family", cases=published)],
                title="By approach family",
            ),
            "stages": bar_chart(
                [(label, count) for _, label, count in count_options("stage", cases=published)], title="By stage"
            ),
        }
        return context


class CaseDetailView(DetailView):
    """A published case: its facts, its claims (its summary, the challenges it met, the success
    factors it shows) each with its supporting quotes or "not yet evidenced", and the cases most
    like it."""

    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_queryset(self):
        return Case.objects.published().for_case_page()

    def get(self, request, *args, **kwargs):
        """The page's parts come from the cache when the library has not changed since they were
        rendered (two queries: the version, the entry): a write to anything the page shows changes
        the version (cases/library_version.py), an unpublished or renamed case's slug included, so
        a cached page is never stale and never outlives its case's publication."""
        version = library_version.current()
        # The site's address is part of the page (absolute permalinks in the citations).
        site = request.build_absolute_uri("/")
        key = library_version.cache_key("case-page", (site, kwargs["slug"]), version=version)
        parts = cache.get(key)
        if parts is None:
            try:
                self.object = self.get_object()
            except Http404:
                # A permalink that lasts: an archived case is withdrawn (410), an old slug redirects.
                withdrawn = Case.objects.archived().filter(slug=kwargs["slug"]).prefetch_related("themes").first()
                if withdrawn is not None:
                    return TemplateResponse(request, "cases/case_withdrawn.html", {"case": withdrawn}, status=410)
                return redirect_old_case_slug(kwargs["slug"], "cases:case-detail")
            parts = case_page_parts(self.object, request=request)
            cache.set(key, parts)
        return TemplateResponse(request, self.template_name, {"page": parts})


class TermCasesView(BadPageMixin, DetailView):
    """A taxonomy term and the published cases filed under it, a page at a time."""

    template_name = "cases/taxonomy_detail.html"
    context_object_name = "term"
    term_label = ""
    browser_parameter = ""  # the case browser's filter naming this term
    feed_name = ""  # the URL name of the term's Atom feed (cases.browse.feeds), if it has one

    def browser_value(self):
        return self.object.slug

    def get_cases(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_obj"] = page_of(self.request, self.get_cases(), CASES_PER_PAGE)
        context["cases"] = context["page_obj"].object_list
        context["term_label"] = self.term_label
        context["browser_query"] = urlencode({self.browser_parameter: self.browser_value()})
        if self.feed_name:
            context["feed_url"] = reverse(self.feed_name, kwargs={"key": self.browser_value()})
            context["feed_title"] = f"New cases · {self.term_label}: {self.object}"
        return context


class ThemeDetailView(OldSlugMixin, TermCasesView):
    model = Theme
    term_label = "Theme"
    browser_parameter = "theme"
    feed_name = "cases:theme-feed"

    def get_queryset(self):
        return Theme.objects.public()

    def get_cases(self):
        return published_cases().with_theme(self.object.slug)


class ApproachDetailView(OldSlugMixin, TermCasesView):
    model = Approach
    term_label = "Approach"
    browser_parameter = "approach"
    feed_name = "cases:approach-feed"

    def get_queryset(self):
        return Approach.objects.public()

    def get_cases(self):
        return published_cases().with_approach(self.object.slug)


class OrganisationDetailView(OldSlugMixin, TermCasesView):
    model = Organisation
    term_label = "Organisation"
    browser_parameter = "organisation"
    template_name = "cases/organisation_detail.html"

    def get_queryset(self):
        return Organisation.objects.public().select_related("country")

    def get_cases(self):
        roles = Participation.objects.filter(organisation=self.object)
        return (
            published_cases()
            .with_organisation(self.object.slug)
            .prefetch_related(Prefetch("participations", queryset=roles, to_attr="roles_here"))
        )


def term_chart(terms, *, title, first="met"):
    """Challenges or success factors (annotated with published_case_count) as a chart of two
    series, how often each is met and how often evidenced (claims.evidenced_claim_counts: one
    aggregate query), most met first."""
    ranked = sorted(terms, key=lambda term: (-term.published_case_count, term.name))
    evidenced = evidenced_claim_counts(type(ranked[0])) if ranked else {}
    rows = [
        (term.name, term.published_case_count, evidenced.get(term.pk, 0), term.get_absolute_url()) for term in ranked
    ]
    return paired_bar_chart(rows, title=title, first=first, second="evidenced")


class ChallengeListView(ListView):
    template_name = "cases/challenge_list.html"
    context_object_name = "challenges"

    def get_queryset(self):
        return Challenge.objects.with_published_case_count()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["chart"] = term_chart(context["challenges"], title="How often each challenge is met, and evidenced")
        return context


class SuccessFactorListView(ListView):
    """Success factors grouped by kind (project, ecosystem), each with its published cases."""

    template_name = "cases/success_factor_list.html"
    context_object_name = "success_factors"

    def get_queryset(self):
        return SuccessFactor.objects.with_published_case_count()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_kind = {}
        for factor in context["success_factors"]:
            by_kind.setdefault(factor.kind, []).append(factor)
        context["kinds"] = [(label, by_kind[kind]) for kind, label in SuccessFactor.Kind.choices if kind in by_kind]
        context["chart"] = term_chart(
            context["success_factors"], title="How often each success factor is shown, and evidenced", first="shown"
        )
        return context


class EvidenceTermView(BadPageMixin, DetailView):
    """A challenge or success factor: its description, the published cases with their notes, and
    the first quotes linked to it (the rest in the quote browser)."""

    template_name = "cases/evidence_term_detail.html"
    context_object_name = "term"
    term_label = ""
    list_url = ""
    link_model = None  # the through model holding a case's note on this term
    link_field = ""
    quote_filter = ""  # the quote browser's parameter for this term

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        links = (
            self.link_model.objects.filter(**{self.link_field: self.object}, case__in=Case.objects.published())
            .select_related("case")
            .only("note", self.link_field, *(f"case__{name}" for name in CASE_CARD_FIELDS))
            .prefetch_related("case__countries")
            .order_by("case__title")
        )
        context["page_obj"] = page_of(self.request, links, CASES_PER_PAGE)
        context["case_links"] = context["page_obj"].object_list
        quotes = self.object.quotes.for_listing().in_time_order()
        # Counted on the link table alone: no join with the quotes.
        context["quote_count"] = self.model.quotes.through.objects.filter(
            **{self.model._meta.model_name: self.object}
        ).count()
        context["quotes"] = quotes[:QUOTES_ON_TERM_PAGE] if context["quote_count"] else []
        context["quote_filter"] = self.quote_filter
        context["browser_query"] = urlencode({self.quote_filter: self.object.slug})
        context["term_label"] = self.term_label
        context["list_url"] = reverse(self.list_url)
        context["feed_url"] = reverse(self.feed_name, kwargs={"key": self.object.slug})
        context["feed_title"] = f"New cases · {self.term_label}: {self.object.name}"
        return context


class ChallengeDetailView(EvidenceTermView):
    model = Challenge
    term_label = "Challenge"
    list_url = "cases:challenge-list"
    link_model = CaseChallenge
    link_field = "challenge"
    quote_filter = "challenge"
    feed_name = "cases:challenge-feed"


class SuccessFactorDetailView(EvidenceTermView):
    model = SuccessFactor
    term_label = "Success factor"
    list_url = "cases:success-factor-list"
    link_model = CaseSuccessFactor
    link_field = "success_factor"
    quote_filter = "success_factor"
    feed_name = "cases:success-factor-feed"


class CountryListView(ListView):
    """Countries by region; those with published cases first, the others behind a count. Above
    them, the map and the partner network of the published cases, or of those the case browser's
    parameters leave (an invalid parameter answers 400 with its error)."""

    template_name = "cases/country_list.html"
    context_object_name = "countries"

    def get(self, request, *args, **kwargs):
        self.filterset = CaseFilter(request.GET)
        if not self.filterset.is_valid():
            errors = [f"{name}: {' '.join(messages)}" for name, messages in self.filterset.form.errors.items()]
            return render(
                request,
                "400.html",
                {"message": "Invalid filter. " + " ".join(errors), "first_page": request.path},
                status=400,
            )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return with_published_case_count(Country.objects.all()).order_by("region", "name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        regions = {}
        for country in context["countries"]:
            with_cases, without_cases = regions.setdefault(country.region, ([], []))
            (with_cases if country.published_case_count else without_cases).append(country)
        context["regions"] = [
            {"name": label, "with_cases": regions[value][0], "without_cases": regions[value][1]}
            for value, label in Country._meta.get_field("region").choices
            if value in regions
        ]
        countries = {country.code: country for country in context["countries"]}
        chips = self.filterset.chips()
        if chips:  # one aggregate: the countries of the filtered cases
            cases = self.filterset.cases_without("sort")
            counts = {key: count for _, key, count in SPECS["country"].counts(cases=cases, ordered=False)}
        else:  # the counts the list already holds
            cases = Case.objects.published()
            counts = {code: country.published_case_count for code, country in countries.items()}
        browser = reverse("cases:case-list")
        selected = self.filterset.selected("country")

        def href(code):  # a selected country's link removes it, as on the case browser's map
            return f"{browser}?{self.filterset.querystring(country=toggled(selected, code))}".rstrip("?")

        network = layout(shared_case_counts(cases), countries=countries, case_counts=counts)
        context.update(
            chips=chips,
            browser_query=self.filterset.querystring(),
            world_map=world_map(
                counts=counts, names={code: country.name for code, country in countries.items()}, href=href
            ),
            network=network,
            strongest_pairs=network["edges"][:STRONGEST_PAIRS],
        )
        return context


class CountryDetailView(TermCasesView):
    """A country's published cases and its partner countries (those sharing cases with it)."""

    model = Country
    term_label = "Country"
    browser_parameter = "country"
    feed_name = "cases:country-feed"
    template_name = "cases/country_detail.html"
    context_object_name = "country"

    def get(self, request, *args, **kwargs):
        code = kwargs["code"]
        if not ISO2.fullmatch(code):
            raise Http404("A country is named by its two-letter ISO code.")
        if code != code.lower():
            return redirect("cases:country-detail", code=code.lower(), permanent=True)
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return get_object_or_404(Country, code=self.kwargs["code"].upper())

    def browser_value(self):
        return self.object.code.lower()

    def get_cases(self):
        return published_cases().in_country(self.object.code)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        country = self.object
        here = Case.objects.published().in_country(country.code)
        partners = list(
            Country.objects.filter(cases__in=here)
            .exclude(pk=country.pk)
            .annotate(shared_case_count=Count("cases", distinct=True))
            .order_by("-shared_case_count", "name")
        )
        countries = {partner.code: partner for partner in partners} | {country.code: country}
        network = layout(shared_case_counts(here), countries=countries, centre=country.code)
        context.update(
            partners=partners,
            world_map=world_map(
                counts={partner.code: partner.shared_case_count for partner in partners},
                names={code: other.name for code, other in countries.items()},
                href=lambda code: reverse("cases:country-detail", kwargs={"code": code}),
                highlight=country.code,
            ),
            network=network,
            strongest_pairs=network["edges"][:STRONGEST_PAIRS],
        )
        return context
