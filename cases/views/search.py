"""The search page: one search over cases, quotes, documents, challenges, success factors and topics."""

from django.shortcuts import render
from django.utils.http import urlencode

from ..search import KINDS, KINDS_BY_KEY, MAX_QUERY_LENGTH, search
from .limits import rate_limited
from .paging import BadPage, bad_page_response, check_page_exists, requested_page

PER_KIND = 5
PER_PAGE = 20


def bad_request(request, message):
    context = {"query": "", "kinds": KINDS, "error": message, "max_length": MAX_QUERY_LENGTH}
    return render(request, "cases/search.html", context, status=400)


@rate_limited("search")
def search_view(request):
    q = request.GET.get("q", "")
    kind = request.GET.get("kind", "").strip()
    if kind and kind not in KINDS_BY_KEY:
        names = ", ".join(KINDS_BY_KEY)
        return bad_request(request, f"“kind” must be one of {names}.")
    try:
        page = requested_page(request)
        results = search(q, kind=kind or None, page=page, per_kind=PER_KIND, per_page=PER_PAGE)
        selected = next((group for group in results.groups if group.kind.key == kind), None)
        if selected:  # the search's paginator would give the last page for one past it
            check_page_exists(page, selected.page.paginator.num_pages if selected.page else 1)
    except BadPage as error:
        return bad_page_response(request, error)
    searched = results.corrected_query or results.query  # what the results are for
    context = {
        "query": results.query,
        "results": results,
        "kind": kind,
        "selected": selected,
        "max_length": MAX_QUERY_LENGTH,
        "searched": searched,
        "query_string": urlencode({"q": searched}),
        "page_obj": selected.page if selected else None,
        "query_without_page": urlencode({"q": searched, "kind": kind}),
    }
    return render(request, "cases/search.html", context)
