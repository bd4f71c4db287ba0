"""Pagination of the public pages: a bad page number is a clear 400, a page past the end a clear 404."""
from django.core.paginator import Paginator
from django.shortcuts import render


class BadPage(Exception):
    """A `page` parameter the page cannot honour; carries the status and the message to show."""

    def __init__(self, message, status):
        super().__init__(message)
        self.message = message
        self.status = status


def page_number(request):
    """The `page` query parameter as a number from 1 up (1 when absent); BadPage (400) otherwise."""
    raw = request.GET.get("page", "").strip()
    if raw in ("", "1"):
        return 1
    if raw.isdigit() and len(raw) <= 9 and int(raw) >= 1:
        return int(raw)
    raise BadPage("“page” must be a whole number from 1 up.", status=400)


def page_of(request, items, per_page):
    """The requested page of `items` (a queryset or list), from the `page` query parameter."""
    number = page_number(request)
    paginator = Paginator(items, per_page)
    if number > paginator.num_pages:
        raise BadPage(f"There is no page {number}: the last page is {paginator.num_pages}.", status=404)
    return paginator.page(number)


class BadPageMixin:
    """Answers a BadPage raised while building the page with the 400 or 404 page and its message."""

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except BadPage as error:
            query = request.GET.copy()
            query.pop("page", None)
            first_page = f"{request.path}?{query.urlencode()}" if query else request.path
            context = {"message": error.message, "first_page": first_page}
            return render(request, f"{error.status}.html", context, status=error.status)
