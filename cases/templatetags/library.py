"""Template filters of the library: sanitised markdown, video timestamps."""

from django import template

from ..rendering import render_markdown
from ..timestamps import format_timestamp

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render markdown source through the one sanitising renderer."""
    return render_markdown(text)


@register.filter
def hhmmss(seconds):
    if seconds in (None, ""):
        return ""
    return format_timestamp(seconds)
