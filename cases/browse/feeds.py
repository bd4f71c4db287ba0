"""Atom feeds of newly published cases: of any filtered list of the case browser
(/feeds/cases.atom?<the browser's parameters>), and of each country, theme, approach, challenge
and success factor (/<kind>/<key>/feed.atom)."""

from django.contrib.syndication.views import Feed
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from ..characters import xml_safe
from ..models import Approach, Case, Challenge, Country, SuccessFactor, Theme
from .citations import LIBRARY_NAME
from .filters import CaseFilter

FEED_LENGTH = 30


def newest_first(cases):
    """The FEED_LENGTH most recently published of `cases` (a Case queryset), with their themes."""
    return (
        cases.prefetch_related("themes")
        .defer("body")
        .order_by(Coalesce("published_at", "created_at").desc(), "-pk")[:FEED_LENGTH]
    )


class CasesFeed(Feed):
    """What every case feed shares: entries, their dates and categories."""

    feed_type = Atom1Feed
    author_name = LIBRARY_NAME

    # Text stored before it was cleaned on save may still hold characters XML cannot carry.
    def item_title(self, case):
        return xml_safe(case.title)

    def item_description(self, case):
        return xml_safe(case.summary)

    def item_pubdate(self, case):
        return case.published_at or case.created_at

    def item_updateddate(self, case):
        return case.updated_at

    def item_categories(self, case):
        return [xml_safe(theme.name) for theme in case.themes.all()]


class NewCasesFeed(CasesFeed):
    """The newest published cases the case browser's parameters leave (none: all of them).

    The parameters are validated as the browser validates them: a malformed value answers a
    plain-text 400 naming it; a value that names nothing is ignored, as on the page."""

    subtitle = "Cross-border public sector innovation cases, newest first, as they are published."

    def __call__(self, request, *args, **kwargs):
        filterset = CaseFilter(request.GET)
        if not filterset.is_valid():
            lines = [f"{name}: {' '.join(errors)}" for name, errors in filterset.form.errors.items()]
            return HttpResponse(
                "Invalid filter.\n" + "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
            )
        request.case_filter = filterset
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return request.case_filter

    def title(self, filterset):
        chips = [chip["label"] for chip in filterset.chips()]
        # A chip quotes the search as typed: `q` may hold characters XML cannot carry.
        return xml_safe(f"New cases{': ' + ', '.join(chips) if chips else ''} · {LIBRARY_NAME}")

    def link(self, filterset):
        query = filterset.querystring(sort=[])
        return f"{reverse('cases:case-list')}?{query}" if query else reverse("cases:case-list")

    def feed_url(self, filterset):
        query = filterset.querystring(sort=[])
        return f"{reverse('cases:case-feed')}?{query}" if query else reverse("cases:case-feed")

    def items(self, filterset):
        return newest_first(filterset.filter_queryset(filterset.queryset.all(), exclude={"sort"}))


class TermCasesFeed(CasesFeed):
    """The newest published cases filed under one term; its page and its feed at `<page>feed.atom`.
    A term no published case links to is a 404, as its page is (challenges and success factors:
    every one has a page)."""

    model = None
    label = ""

    def get_object(self, request, key):
        return get_object_or_404(self.terms(), slug=key)

    def terms(self):
        return self.model.objects.public()

    def cases(self, term):
        raise NotImplementedError

    def title(self, term):
        return f"New cases · {self.label}: {xml_safe(str(term))} · {LIBRARY_NAME}"

    def link(self, term):
        return term.get_absolute_url()

    def feed_url(self, term):
        return f"{term.get_absolute_url()}feed.atom"

    def items(self, term):
        return newest_first(self.cases(term))


class CountryCasesFeed(TermCasesFeed):
    model = Country
    label = "Country"

    def get_object(self, request, key):
        if len(key) != 2 or not key.isascii() or not key.isalpha():
            raise Http404("A country is named by its two-letter ISO code.")
        return get_object_or_404(Country, code=key.upper())

    def cases(self, country):
        return Case.objects.published().in_country(country.code)


class ThemeCasesFeed(TermCasesFeed):
    model = Theme
    label = "Theme"

    def cases(self, theme):
        return Case.objects.published().with_theme(theme.slug)


class ApproachCasesFeed(TermCasesFeed):
    model = Approach
    label = "Approach"

    def cases(self, approach):
        return Case.objects.published().with_approach(approach.slug)


class ChallengeCasesFeed(TermCasesFeed):
    model = Challenge
    label = "Challenge"

    def terms(self):
        return Challenge.objects.all()

    def cases(self, challenge):
        return Case.objects.published().meeting_challenge(challenge.slug)


class SuccessFactorCasesFeed(TermCasesFeed):
    model = SuccessFactor
    label = "Success factor"

    def terms(self):
        return SuccessFactor.objects.all()

    def cases(self, factor):
        return Case.objects.published().showing_success_factor(factor.slug)
