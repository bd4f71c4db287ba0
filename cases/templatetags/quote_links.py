"""Template filters of the evidence pages: a quote's source link at any second it cites."""
from django import template

from ..numbers import whole_numbers
from ..timestamps import format_timestamp

register = template.Library()


@register.filter
def link_at(source, seconds):
    """The source's link at `seconds` (a YouTube link with `&t=…s` for a video)."""
    return source.link_at(seconds)


@register.filter
def other_timestamps(quote):
    """[(HH:MM:SS, link)] for every second the quote cites besides its first, in time order."""
    seconds = sorted(set(whole_numbers(quote.other_seconds)))
    return [(format_timestamp(second), quote.source.link_at(second)) for second in seconds if second != quote.start_second]
