"""The one page helper of the public pages, and its one policy for the `page` query parameter.

- absent or empty: page 1;
- anything but a whole number from 1 up (ASCII digits, cases.numbers.parse_whole_number): 400;
- a page past the last one: 404, naming the last page (Django's own ListView policy, with a
  message and a link to the first page); a whole number past MAX_PAGE, which no list reaches,
  is such a page too (404), however many digits it has.

A ListView sets `paginate_by` and mixes in PageMixin; any other view calls `page_of`. Either way
a BadPage is answered by `bad_page_response` (the 400 or 404 page with the message).
"""

from django.core.paginator import Paginator
from django.shortcuts import render

from ..numbers import ASCII_WHOLE_NUMBER, SPACES, NotAWholeNumber, parse_whole_number

MAX_PAGE = 10**9
MALFORMED_PAGE = "“page” must be a whole number from 1 up."


class BadPage(Exception):
    """A `page` (or other) parameter the page cannot honour; carries the status and the message to show."""

    def __init__(self, message, status):
        super().__init__(message)
        self.message = message
        self.status = status


def page_number(request):
    """The `page` query parameter as an int from 1 up (1 when absent or empty), None when malformed
    or past MAX_PAGE. Leading zeros are dropped first: however many, "0…02" is page 2 (parse_whole_number
    refuses more than MAX_DIGITS characters)."""
    raw = request.GET.get("page", "").strip(SPACES)
    if not raw:
        return 1
    try:
        return parse_whole_number(raw.lstrip("0") or "0", minimum=1, maximum=MAX_PAGE)
    except NotAWholeNumber:
        return None


def requested_page(request):
    """The `page` query parameter as an int from 1 up; raises BadPage: 400 when malformed, 404
    for a whole number past MAX_PAGE (past the last page of any list)."""
    number = page_number(request)
    if number is None:
        digits = request.GET.get("page", "").strip(SPACES).lstrip("0")
        if digits and ASCII_WHOLE_NUMBER.fullmatch(digits):
            shown = digits if len(digits) <= 24 else f"{digits[:20]}…"
            raise BadPage(f"There is no page {shown}: no list here has that many pages.", status=404)
        raise BadPage(MALFORMED_PAGE, status=400)
    return number


def check_page_exists(number, num_pages):
    """Raises BadPage (404) when page `number` is past the last page, `num_pages`."""
    if number > num_pages:
        raise BadPage(f"There is no page {number}: the last page is {num_pages}.", status=404)


def page_of(request, items, per_page, *, count=None):
    """The requested page (a django Page) of `items` (a queryset or list), `per_page` to a page;
    raises BadPage by the policy above. `count`: the number of items when the caller knows it
    (from a cache valid for `items`), sparing the paginator's COUNT query."""
    number = requested_page(request)
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # overrides the cached_property before it runs
    check_page_exists(number, paginator.num_pages)
    return paginator.page(number)


def query_without_page(request):
    """The request's query string without its `page` parameter (for the pagination links)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def bad_page_response(request, error):
    """The 400 or 404 page for a BadPage, with its message and a link to the first page."""
    query = query_without_page(request)
    first_page = f"{request.path}?{query}" if query else request.path
    context = {"message": error.message, "first_page": first_page}
    return render(request, f"{error.status}.html", context, status=error.status)


class BadPageMixin:
    """Answers a BadPage raised while building the response with `bad_page_response`."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except BadPage as error:
            return bad_page_response(request, error)


class PageMixin(BadPageMixin):
    """For a ListView: `paginate_by` pages by this module's policy instead of Django's (which
    answers a malformed page with a bare 404)."""

    def paginate_queryset(self, queryset, page_size):
        page = page_of(self.request, queryset, page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()
