"""Taxonomy pages: themes, approaches and organisations with their cases; challenges and success
factors with their cases, notes, quotes and charts."""

from urllib.parse import urlencode

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView, ListView

from ..browse.charts import paired_bar_chart
from ..claims import evidenced_claim_counts
from ..curation import permalinks
from ..models import (
    Approach,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Organisation,
    Participation,
    SuccessFactor,
    Theme,
)
from .case_page import CASE_CARD_FIELDS, published_cases
from .paging import BadPageMixin, page_of

CASES_PER_PAGE = 20
QUOTES_ON_TERM_PAGE = 10


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


class TermCasesView(BadPageMixin, DetailView):
    """A taxonomy term (one of the model's public terms) and the published cases filed under it, a page at a time."""

    template_name = "cases/taxonomy_detail.html"
    context_object_name = "term"
    term_label = ""
    browser_parameter = ""  # the case browser's filter naming this term
    feed_name = ""  # the URL name of the term's Atom feed (cases.browse.feeds), if it has one

    def get_queryset(self):
        return self.model.objects.public()

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

    def get_cases(self):
        return published_cases().with_theme(self.object.slug)


class ApproachDetailView(OldSlugMixin, TermCasesView):
    model = Approach
    term_label = "Approach"
    browser_parameter = "approach"
    feed_name = "cases:approach-feed"

    def get_cases(self):
        return published_cases().with_approach(self.object.slug)


class OrganisationDetailView(OldSlugMixin, TermCasesView):
    model = Organisation
    term_label = "Organisation"
    browser_parameter = "organisation"
    template_name = "cases/organisation_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("country")

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
