"""Template filter of the evidence pages: a quote's source links at the other seconds it cites."""

from django import template

from ..numbers import whole_numbers
from ..timestamps import format_timestamp

register = template.Library()


@register.filter
def other_timestamps(quote):
    """[(HH:MM:SS, link)] for every second the quote cites besides its first, in time order."""
    seconds = sorted(set(whole_numbers(quote.other_seconds)))
    return [
        (format_timestamp(second), quote.source.link_at(second)) for second in seconds if second != quote.start_second
    ]
