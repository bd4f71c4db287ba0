"""Country pages: every country by region with the map and partner network, and a country's cases and partners."""

import re

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.generic import ListView

from ..browse import case_index
from ..browse.filters import CaseFilter
from ..browse.network import layout, shared_case_counts
from ..browse.worldmap import toggled, world_map
from ..models import Case, Country
from .case_page import published_cases
from .terms import TermCasesView

STRONGEST_PAIRS = 15  # rows of the table beside the partner network
ISO2 = re.compile(r"[A-Za-z]{2}")


def with_published_case_count(countries):
    """`countries` annotated with `published_case_count`, the number of their published cases."""
    # A country is linked to a case once (the link table's pairs are unique): no DISTINCT needed.
    return countries.annotate(published_case_count=Count("cases", filter=Q(cases__status=Case.Status.PUBLISHED)))


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
        if chips:  # the countries of the filtered cases, from the library's bitmaps
            cases = self.filterset.cases_without("sort")
            index = case_index.current()
            counts = {
                value.upper(): count for value, _, count in index.counts("country", self.filterset.case_ids(index))
            }
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
            notices=self.filterset.notices(),  # unknown values ignored, as the case browser says
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
