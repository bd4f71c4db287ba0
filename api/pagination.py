"""Cursor pagination of the API's lists: opaque `cursor` links, `page_size` from 1 to MAX_PAGE_SIZE.

A cursor names a position in the list's order, not an offset, so any page of 200,000 quotes
costs what the first does. A malformed `page_size` is a 400 (not silently the default).
"""

from django.core.exceptions import ValidationError as FieldValueError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from cases.numbers import SPACES, NotAWholeNumber, parse_whole_number

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Cursor(CursorPagination):
    """Pages ordered by `view.ordering` (default: the primary key) or, when the view has one, by
    `view.get_ordering()`: a tuple of field names whose last is unique."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("pk",)
    invalid_cursor_message = "Invalid cursor: use the `next` and `previous` links as given."

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "").strip(SPACES)
        if not raw:
            return self.page_size
        try:
            return parse_whole_number(raw, minimum=1, maximum=self.max_page_size)
        except NotAWholeNumber:
            raise ValidationError(
                {"page_size": [f"“page_size” must be a whole number from 1 to {self.max_page_size}."]}
            ) from None

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's, with a cursor whose position is no value of the ordering's field (an id "abc", a
        date "2026-13-45": a tampered cursor, base64 being no seal) answered as an invalid cursor,
        not a server error. The value is checked by the field as the filter is built."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, FieldValueError):
            if request.query_params.get(self.cursor_query_param):
                raise NotFound(self.invalid_cursor_message) from None
            raise

    def get_ordering(self, request, queryset, view):
        if hasattr(view, "get_ordering"):
            return tuple(view.get_ordering())
        return tuple(getattr(view, "ordering", None) or self.ordering)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        notices = getattr(self, "notices", None)
        if notices is not None:
            response.data["notices"] = notices
        return response

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["notices"] = {
            "type": "array",
            "items": {"type": "string"},
            "description": "What was ignored or adjusted in the parameters (case list only), in plain words.",
        }
        return response
