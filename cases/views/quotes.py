"""The quote browser (a FilterView over browse.quote_filters.QuoteFilter), its exports, and a quote's permalink page."""

from django.db.models import Prefetch
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.views.generic import DetailView
from django_filters.views import FilterView

from .. import library_version
from ..browse.exports import json_chunks, quote_csv_lines, quote_rows
from ..browse.quote_filters import QuoteFilter
from ..curation import permalinks
from ..models import Case, Quote
from ..querysets import DeferredJoin
from .downloads import csv_download, invalid_filter, json_download
from .limits import rate_limited
from .paging import PageMixin, page_of, query_without_page

QUOTES_PER_PAGE = 50
CONTENT_TEMPLATE = "cases/quote_list_content.html"


def _export_filtered(request):
    """The quotes the browser's filters leave (all pages), or the plain-text 400 their errors make."""
    filterset = QuoteFilter(request.GET or None, queryset=Quote.objects.all().in_time_order())
    if filterset.is_bound and not filterset.is_valid():
        return None, invalid_filter(filterset.error_lines())
    return filterset.qs, None


@rate_limited("export")
def quotes_csv(request):
    """Every quote the browser's filters leave, as CSV (formula-guarded cells), streamed."""
    quotes, error = _export_filtered(request)
    if error:
        return error
    rows = quote_rows(quotes=quotes, absolute_url=request.build_absolute_uri)
    return csv_download(quote_csv_lines(rows=rows), filename="quotes.csv")


@rate_limited("export")
def quotes_json(request):
    """Every quote the browser's filters leave, as JSON {"count": N, "results": [...]}, streamed."""
    quotes, error = _export_filtered(request)
    if error:
        return error
    rows = quote_rows(quotes=quotes, absolute_url=request.build_absolute_uri)
    return json_download(json_chunks(count=quotes.order_by().count(), rows=rows))


class QuoteListView(PageMixin, FilterView):
    """Every quote, filtered by source, case, challenge, success factor and text, 50 a page.
    Filter values that name nothing answer 400 with the error beside the field."""

    filterset_class = QuoteFilter
    template_name = "cases/quote_list.html"
    context_object_name = "quotes"
    paginate_by = QUOTES_PER_PAGE

    def get_queryset(self):
        return Quote.objects.all().for_listing().shown().in_time_order()

    def get(self, request, *args, **kwargs):
        """A valid page's content is rendered once per query and library version, then served from
        the cache (two queries: the version, the entry; no count, no page of keys): any write to
        the quotes, their sources or the cases they support changes the version
        (cases/library_version.py), so a cached page is never stale. A page past the end is never
        cached (BadPage is raised before), nor is a 400."""
        self.filterset = self.get_filterset(self.get_filterset_class())
        if self.filterset.is_bound and not self.filterset.is_valid():
            moved = self.moved_case_url()
            if moved is not None:
                return HttpResponsePermanentRedirect(moved)
            context = {"filter": self.filterset, "form": self.filterset.form, "quotes": []}
            return render(request, self.template_name, context, status=400)
        # Every parameter, not only the filters': the pagination links carry them all.
        content = library_version.cached("quote-list", sorted(request.GET.lists()), self.render_content)
        return TemplateResponse(request, self.template_name, {"content": content})

    def render_content(self):
        """The page's content (HTML): the filtered quotes of the page asked for, rendered."""
        self.object_list = self.filterset.qs
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return render_to_string(CONTENT_TEMPLATE, context, request=self.request)

    def moved_case_url(self):
        """This list under the current slug of a renamed case, when `case` (the only invalid
        filter) is an old slug of a published case, else None: a case's evidence link lasts as its
        page's permalink does (cases.curation.permalinks; found by QA)."""
        slug = self.request.GET.get("case", "").strip().lower()
        if not slug or set(self.filterset.form.errors) != {"case"}:
            return None
        case = permalinks.current_of(Case, slug)
        if case is None or case.status != Case.Status.PUBLISHED:
            return None
        query = self.request.GET.copy()
        query["case"] = case.slug
        return f"{self.request.path}?{query.urlencode()}"

    def get_context_data(self, **kwargs):
        query = query_without_page(self.request)
        kwargs.update(form=self.filterset.form, query_without_page=query, export_query=f"?{query}" if query else "")
        return super().get_context_data(**kwargs)

    def paginate_queryset(self, queryset, page_size):
        # Every page of a filter has the same count: remembered under the library version, so the
        # unfiltered list counts its 200,000 quotes once per version, not on every page.
        count = library_version.memoized("quote-count", queryset.count, key=library_version.query_key(queryset))
        # A deferred join reads a page's keys first: /quotes/?page=3000 no longer builds 150,000 rows to skip.
        page = page_of(self.request, DeferredJoin(queryset), page_size, count=count)
        return page.paginator, page, page.object_list, page.has_other_pages()


class QuoteDetailView(DetailView):
    """A quote's permalink: its text, where it was said, and what it is evidence of."""

    template_name = "cases/quote_detail.html"
    context_object_name = "quote"

    def get_queryset(self):
        return (
            Quote.objects.all()
            .for_listing()
            .select_related("document")
            .prefetch_related(
                Prefetch("challenges", to_attr="challenge_list"),
                Prefetch("success_factors", to_attr="success_factor_list"),
            )
        )
