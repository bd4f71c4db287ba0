"""The case page, and what every list of case cards shares: the published cases and the fields a card shows."""

from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.generic import DetailView

from .. import library_version
from ..browse.case_page import case_page_parts
from ..curation import permalinks
from ..models import Case

# What a case card shows (includes/_case_card.html): long bodies stay in the database.
CASE_CARD_FIELDS = ("title", "slug", "summary", "status", "stage", "start_year", "end_year", "published_at")


def published_cases():
    """The published cases as lists of case cards read them (CASE_CARD_FIELDS and their links)."""
    return Case.objects.published().for_listing().only(*CASE_CARD_FIELDS)


def redirect_old_case_slug(slug, url_name):
    """A permanent redirect from a case's old slug to `url_name` of its current one, or Http404."""
    case = permalinks.current_of(Case, slug)
    if case is None or case.status not in (Case.Status.PUBLISHED, Case.Status.ARCHIVED):
        raise Http404("No case here.")
    return redirect(url_name, slug=case.slug, permanent=True)


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
        # The site's address is part of the page (absolute permalinks in the citations).
        site = request.build_absolute_uri("/")
        try:
            parts = library_version.cached(
                "case-page",
                (site, kwargs["slug"]),
                lambda: case_page_parts(self.get_object(), request=request),
            )
        except Http404:
            # A permalink that lasts: an archived case is withdrawn (410), an old slug redirects.
            withdrawn = Case.objects.archived().filter(slug=kwargs["slug"]).prefetch_related("themes").first()
            if withdrawn is not None:
                return TemplateResponse(request, "cases/case_withdrawn.html", {"case": withdrawn}, status=410)
            return redirect_old_case_slug(kwargs["slug"], "cases:case-detail")
        return TemplateResponse(request, self.template_name, {"page": parts})
