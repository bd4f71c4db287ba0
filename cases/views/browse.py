"""Browsing published cases and the taxonomy around them."""
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from ..models import Approach, Case, Challenge, Country, Organisation, Quote, SuccessFactor, Theme


def published_cases():
    return Case.objects.published().for_listing()


class HomeView(TemplateView):
    template_name = "cases/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["newest_cases"] = published_cases().order_by("-published_at", "-created_at")[:6]
        context["case_count"] = Case.objects.published().count()
        context["themes"] = Theme.objects.with_published_case_count().filter(published_case_count__gt=0)
        context["challenges"] = Challenge.objects.with_published_case_count()
        return context


class CaseListView(ListView):
    template_name = "cases/case_list.html"
    paginate_by = 20
    context_object_name = "cases"

    def get_queryset(self):
        return published_cases()


class CaseDetailView(DetailView):
    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_queryset(self):
        evidence = Quote.objects.select_related("source")
        return Case.objects.published().prefetch_related(
            "countries",
            "themes",
            "approaches",
            "participations__organisation",
            "case_challenges__challenge",
            "case_success_factors__success_factor",
            Prefetch("quotes", queryset=evidence),
        )


class TaxonomyDetailView(DetailView):
    """A taxonomy term and the published cases filed under it."""

    template_name = "cases/taxonomy_detail.html"
    context_object_name = "term"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cases"] = published_cases().filter(**{self.case_lookup: self.object})
        return context


class ThemeDetailView(TaxonomyDetailView):
    model = Theme
    case_lookup = "themes"


class ApproachDetailView(TaxonomyDetailView):
    model = Approach
    case_lookup = "approaches"


class OrganisationDetailView(TaxonomyDetailView):
    model = Organisation
    case_lookup = "organisations"


class ChallengeListView(ListView):
    template_name = "cases/challenge_list.html"
    context_object_name = "challenges"

    def get_queryset(self):
        return Challenge.objects.with_published_case_count()


class ChallengeDetailView(TaxonomyDetailView):
    model = Challenge
    case_lookup = "challenges"


class SuccessFactorListView(ListView):
    template_name = "cases/success_factor_list.html"
    context_object_name = "success_factors"

    def get_queryset(self):
        return SuccessFactor.objects.with_published_case_count()


class SuccessFactorDetailView(TaxonomyDetailView):
    model = SuccessFactor
    case_lookup = "success_factors"


class CountryListView(ListView):
    template_name = "cases/country_list.html"
    context_object_name = "countries"

    def get_queryset(self):
        return Country.objects.annotate(
            published_case_count=Count("cases", filter=Q(cases__status="published"), distinct=True)
        ).order_by("region", "name")


class CountryDetailView(TaxonomyDetailView):
    model = Country
    case_lookup = "countries"

    def get_object(self, queryset=None):
        return get_object_or_404(Country, code=self.kwargs["code"].upper())
