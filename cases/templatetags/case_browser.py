"""Template tags of the case browser: a facet's options, rendered in one pass.

A facet lists up to FACET_LIMIT options and the page shows nine facets; an include per option
cost more than all the facet queries together, so the options are built with format_html.

Every option is a form control with its name as its label, so the name and the box do the same
thing: a repeatable facet's options are checkboxes (values of one facet combine with OR), a
single-valued facet's are radio buttons with an "Any" choice. Nothing is a link, so no click
drops a tick not yet applied (static/js/case-browser.js applies a tick at once where it runs).
"""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _option(facet, option):
    ident = f"facet-{facet.name}-{option.value}"
    classes = "facet__option" + (" is-selected" if option.selected else "") + ("" if option.count else " is-empty")
    cases = "case" if option.count == 1 else "cases"
    kind = "checkbox" if facet.repeatable else "radio"
    return (
        classes,
        kind,
        facet.name,
        option.value,
        ident,
        " checked" if option.selected else "",
        ident,
        option.label,
        option.count,
        cases,
    )


@register.simple_tag
def facet_options(facet, options):
    """The <li> of each option: its checkbox (or radio button), its name as the label, its count."""
    return format_html_join(
        "\n",
        '<li class="{}"><input type="{}" name="{}" value="{}" id="{}"{}> '
        '<label class="facet__label" for="{}">{}</label> '
        '<span class="count">{}<span class="visually-hidden"> {}</span></span></li>',
        (_option(facet, option) for option in options),
    )


@register.simple_tag
def facet_any(facet):
    """A single-valued facet's "Any" radio button, which clears it."""
    if facet.repeatable:
        return ""
    ident = f"facet-{facet.name}-any"
    return format_html(
        '<li class="facet__option facet__option--any"><input type="radio" name="{}" value="" id="{}"{}> '
        '<label class="facet__label" for="{}">Any {}</label></li>',
        facet.name,
        ident,
        "" if facet.selected else " checked",
        ident,
        facet.label.lower(),
    )
