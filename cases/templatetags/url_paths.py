"""`{% path 'app:name' %}`: `{% url 'app:name' %}` for a pattern without arguments, reversed once
(cases.url_paths.fixed_path), for the links every page repeats (navigation, footer)."""

from django import template

from ..url_paths import fixed_path

register = template.Library()


@register.simple_tag
def path(name):
    """The path of the URL pattern `name` (no arguments); NoReverseMatch as `{% url %}` raises it."""
    return fixed_path(name)
