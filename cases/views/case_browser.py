"""The case browser (/cases/) with its facets, and the CSV and JSON exports of the same filtered set.

Bad input follows cases.browse.filters: a malformed value answers 400 with the error beside its field
(exports: a plain-text 400); an unknown value is ignored with a notice. The `page` parameter
follows the one policy of cases.views.paging (malformed: 400; past the end: 404).
"""

from urllib.parse import urlencode

from django.core.cache import cache
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject, cached_property
from django_filters.views import FilterView

from .. import library_version
from ..browse import case_index
from ..browse.charts import bar_chart, year_chart
from ..browse.exports import case_csv_lines, case_rows, json_chunks
from ..browse.facets import compute_facets
from ..browse.filters import MAX_VALUES, CaseFilter
from ..browse.worldmap import toggled, world_map
from ..models import Case
from ..search import corrected_query
from ..slugs import SLUG
from .compare import requested_slugs
from .downloads import csv_download, invalid_filter, json_download
from .limits import rate_limited
from .paging import PageMixin, page_of, requested_page

PAGE_SIZE = 20
MAX_COMPARE_KEPT = 20  # cases ticked for comparison that the browser carries along


def searches(request):
    """Whether the request runs the full-text search (a `q`): the case browser and its feed count it."""
    return bool(request.GET.get("q", "").strip())


@method_decorator(rate_limited("search", when=searches), name="get")
class CaseListView(PageMixin, FilterView):
    """Published cases, filtered, faceted, sorted and paginated; the URL is the permalink. A text
    query (`q`) runs the full-text search, so it counts against the search rate limit."""

    filterset_class = CaseFilter
    template_name = "cases/case_browser.html"
    context_object_name = "cases"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Case.objects.published()

    def get(self, request, *args, **kwargs):
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.notices = []
        status = 200
        if self.filterset.is_valid():
            self.notices = self.filterset.notices()
            self.read_cache()
            self.object_list = self.listing()
        else:
            self.object_list = self.filterset.queryset.none()
            status = 400
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context, status=status)

    def listing(self):
        """The valid filters' cases in the page's order: by relevance (a search), the ranked ids
        ordered in Python (CaseFilter.ranked_cases); in any other order, the filtered queryset."""
        if self.filterset.sort_key == "relevance":
            return self.filterset.ranked_cases(self.index, self.get_queryset().for_listing().defer("body"))
        return self.filterset.qs.for_listing().defer("body")

    def paginate_queryset(self, queryset, page_size):
        if not self.filterset.is_valid():  # the filters' 400 comes first; no page number is read
            page = self.get_paginator(queryset, page_size).page(1)
            return page.paginator, page, page.object_list, False
        # The count as of this library version, cached with the panels or from the index: no COUNT query.
        count = self.cached_panels["count"] if self.cached_panels is not None else len(self.case_ids)
        page = page_of(self.request, queryset, page_size, count=count)
        return page.paginator, page, page.object_list, page.has_other_pages()

    @cached_property
    def index(self):
        """The library's bitmaps (cases/browse/case_index.py) at the version read_cache read."""
        return case_index.current(version=self.version)

    @cached_property
    def case_ids(self):
        """The BitMap of the published cases the filters leave."""
        return self.filterset.case_ids(self.index)

    def read_cache(self):
        """Read the cached parts of the page (cached_html) in one cache read, before the page's
        count: the panels' entry holds the count too, so a cached page counts nothing. The page
        number is read here (a malformed one answers 400 by the page policy, as paginating would)."""
        query = self.filterset.querystring()
        self.version = library_version.current()
        self.cache_keys = {
            "panels": library_version.cache_key("browser-panels", query, version=self.version),
            "results": library_version.cache_key(
                "browser-results", (query, requested_page(self.request), self.compare_slugs()), version=self.version
            ),
        }
        found = cache.get_many(self.cache_keys.values())
        self.cached_panels = found.get(self.cache_keys["panels"])
        self.cached_results = found.get(self.cache_keys["results"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        valid = filterset.is_valid()
        query = filterset.querystring() if valid else ""
        chips = filterset.chips() if valid else []
        compare = self.compare_selection(context["cases"] if valid else [])
        if valid:
            # Lazy: computed only when the panels are not in the cache (or a test reads them).
            facets = SimpleLazyObject(lambda: compute_facets(filterset=filterset, whole=("country",), index=self.index))
            world_map = SimpleLazyObject(lambda: self.world_map(facets))
            charts = SimpleLazyObject(lambda: self.charts(facets))
            panels = self.cached_html(
                panels_context={"facets": facets, "world_map": world_map, "charts": charts},
                results_context={**context, **compare, "chips": chips},
            )
        else:
            facets, world_map, charts, panels = [], None, None, {}
        context.update(
            facets=facets,
            world_map=world_map,
            charts=charts,
            panels=panels,
            chips=chips,
            notices=self.notices,
            query=query,
            sort_key=filterset.sort_key if valid else "",
            sort_options=filterset.sort_options() if valid else [],
            # A default order is submitted as no order, so that a new search sorts by relevance.
            sort_chosen=valid and bool(filterset.form.cleaned_data.get("sort")),
            invalid_fields=self.invalid_fields(),
            invalid_count=len(filterset.errors),
            valid_query=None if valid else filterset.querystring(),
            csv_url=f"{reverse('cases:case-export-csv')}?{query}".rstrip("?"),
            json_url=f"{reverse('cases:case-export-json')}?{query}".rstrip("?"),
            suggestion=self.suggestion(context["paginator"]) if valid else None,
            feed_url=feed_url(filterset) if valid else "",
            feed_title="New cases matching these filters" if chips else "New cases",
        )
        context.update(compare)
        return context

    PANELS = {"facets": "_browser_facets.html", "charts": "_browser_charts.html", "map": "_browser_map.html"}

    def cached_html(self, *, panels_context, results_context):
        """{"facets", "charts", "map", "results": HTML}: the filter form's facets, the charts and
        the world map (the page's costliest parts to count and to render: nine facets of up to 30
        options, a map of every country), and the page's list of cases.

        They are the same for every visitor asking for the same thing, so they are cached under the
        library version and what they show: the canonical query of the valid filters (sort
        included: the map's links keep it), and for the list the page and the cases ticked for
        comparison (a ticked case's box is checked). Any write to what they show changes the
        version (cases/library_version.py), so a cached part is never stale. read_cache reads both
        entries at once; served from the cache, neither the facets, the count nor the page's cases
        are queried."""
        panels = self.cached_panels
        if panels is None:
            panels = {
                name: render_to_string(f"includes/{template}", panels_context) for name, template in self.PANELS.items()
            }
            panels["count"] = results_context["paginator"].count
            cache.set(self.cache_keys["panels"], panels)
        results = self.cached_results
        if results is None:
            results = render_to_string("includes/_browser_results.html", results_context)
            cache.set(self.cache_keys["results"], results)
        return {**panels, "results": results}

    def suggestion(self, paginator):
        """ "Did you mean": when a search finds no case, the query with its misspelt words respelt
        from the search index's vocabulary (cases/search/suggest.py: published content only),
        offered only when it finds cases under the same filters. A dict (query, url, count) or
        None; costs queries only on an empty result."""
        searched = self.filterset.searched
        if not searched or paginator is None or paginator.count:
            return None
        corrected = corrected_query(searched)
        if not corrected or corrected == searched:
            return None
        retry = CaseFilter(QueryDict(self.filterset.querystring(q=[corrected])))
        count = retry.qs.count() if retry.is_valid() else 0
        if not count:
            return None
        return {"query": corrected, "url": f"?{retry.querystring()}", "count": count}

    def world_map(self, facets):
        """The map of the country facet's counts (no query of its own); a country links to this
        page with that country added to the selection (a selected one: removed from it)."""
        countries = next(facet for facet in facets if facet.name == "country")
        selected = self.filterset.selected("country")

        def href(code):
            return f"?{self.filterset.querystring(country=toggled(selected, code))}"

        return world_map(
            counts={value: count for value, _, count in countries.all_options},
            names={value.upper(): label for value, label, _ in countries.all_options},
            href=href,
        )

    def charts(self, facets):
        """Cases by start year (the index's), by approach family and by stage (the facets'
        counts: a selected family or stage is set aside, as its filter counts)."""
        by_name = {facet.name: facet for facet in facets}
        return {
            "years": year_chart(self.index.start_year_counts(self.case_ids), title="By start year"),
            "families": bar_chart([(o.label, o.count) for o in by_name["family"].options], title="By approach family"),
            "stages": bar_chart([(o.label, o.count) for o in by_name["stage"].options], title="By stage"),
        }

    def compare_slugs(self):
        """The slugs of the cases ticked for comparison (`cases=`), well-formed ones only, at most MAX_COMPARE_KEPT."""
        return [slug for slug in requested_slugs(self.request) if SLUG.match(slug)][:MAX_COMPARE_KEPT]

    def compare_selection(self, cases_on_page):
        """The cases ticked for comparison (`cases=` parameters, kept by the filter form while the
        visitor filters and pages): their slugs, those ticked on other pages (one query, only when
        there are such), and the query string that carries them in a chip's link."""
        slugs = self.compare_slugs()
        # Only with ticks: reading the page's cases costs their query, which a cached page skips.
        on_page = {case.slug for case in cases_on_page} if slugs else set()
        elsewhere = [slug for slug in slugs if slug not in on_page]
        return {
            "compare_slugs": slugs,
            "compare_elsewhere": list(
                Case.objects.published().filter(slug__in=elsewhere).only("slug", "title").order_by("title")
            )
            if elsewhere
            else [],
            "compare_query": urlencode([("cases", slug) for slug in slugs]),
        }

    INLINE_FIELDS = ("q", "year_from", "year_to", "sort")  # the template shows their errors in place

    def invalid_fields(self):
        """The fields with errors the filter form has no input of its own for, with the value given."""
        form = self.filterset.form
        return [
            {
                "name": name,
                "label": form.fields[name].label,
                "errors": errors,
                "values": self.request.GET.getlist(name)[:MAX_VALUES] or [""],
            }
            for name, errors in form.errors.items()
            if name in form.fields and name not in self.INLINE_FIELDS
        ]


def feed_url(filterset):
    """The Atom feed of the newest cases a valid CaseFilter leaves (its order does not matter)."""
    query = filterset.querystring(sort=[])
    return f"{reverse('cases:case-feed')}?{query}" if query else reverse("cases:case-feed")


def _filtered(request):
    """A bound CaseFilter, or the plain-text 400 its errors make."""
    filterset = CaseFilter(request.GET)
    if filterset.is_valid():
        return filterset, None
    lines = [
        f"{name}: {' '.join(errors)}" if name != "__all__" else " ".join(errors)
        for name, errors in filterset.form.errors.items()
    ]
    return None, invalid_filter(lines)


@rate_limited("export")
def export_csv(request):
    """Every published case the filters leave (all pages), as CSV."""
    filterset, error = _filtered(request)
    if error:
        return error

    def lines():
        return case_csv_lines(cases=filterset.qs, absolute_url=request.build_absolute_uri)

    return csv_download(_cached_export("cases.csv", request, filterset, lines), filename="cases.csv")


@rate_limited("export")
def export_json(request):
    """Every published case the filters leave (all pages), as JSON: {"count": N, "results": [...]}."""
    filterset, error = _filtered(request)
    if error:
        return error
    cases = filterset.qs

    def chunks():
        rows = case_rows(cases=cases, absolute_url=request.build_absolute_uri)
        return json_chunks(count=cases.order_by().count(), rows=rows)

    return json_download(_cached_export("cases.json", request, filterset, chunks))


def _cached_export(name, request, filterset, generate):
    """The export's text under the library version, the canonical query of its filters and the
    site's address (its rows hold absolute URLs): a repeated export of a country's cases is one
    cache read (library_version.cached_stream: the whole library's is streamed every time)."""
    parts = (filterset.querystring(), request.build_absolute_uri("/"))  # the sort orders the rows
    return library_version.cached_stream(f"export-{name}", parts, generate)
