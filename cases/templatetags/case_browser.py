"""Template tags of the case browser: a facet's options, rendered in one pass.

A facet lists up to FACET_LIMIT options and the page shows nine facets; an include per option
cost more than all the facet queries together, so the options are built with format_html.
"""
from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _control(facet, option, ident):
    """The checkbox that adds (or keeps) the option when the form is applied; single-valued
    facets keep their selected value in a hidden input."""
    if facet.repeatable:
        return format_html(
            '<input type="checkbox" name="{}" value="{}" id="{}"{}>'
            '<label class="visually-hidden" for="{}">{} {}</label>',
            facet.name, option.value, ident, " checked" if option.selected else "",
            ident, "Keep" if option.selected else "Add", option.label,
        )
    if option.selected:
        return format_html('<input type="hidden" name="{}" value="{}">', facet.name, option.value)
    return ""


def _option(facet, option):
    ident = f"facet-{facet.name}-{option.value}"
    classes = "facet__option" + (" is-selected" if option.selected else "") + ("" if option.count else " is-empty")
    cases = "case" if option.count == 1 else "cases"
    if option.selected:
        link = format_html(
            '<a class="facet__link" href="?{}" title="Remove this filter">{}'
            '<span class="visually-hidden"> (selected; remove)</span> <span aria-hidden="true">×</span></a>',
            option.query, option.label,
        )
    else:
        link = format_html(
            '<a class="facet__link" href="?{}" title="Only {}: {} {}">{}</a>',
            option.query, option.label, option.count, cases, option.label,
        )
    return (
        classes, _control(facet, option, ident), link, option.count, cases,
    )


@register.simple_tag
def facet_options(facet, options):
    """The <li> of each option: its checkbox, its link (only this option; or remove it) and its count."""
    return format_html_join(
        "\n",
        '<li class="{}">{} {} <span class="count">{}<span class="visually-hidden"> {}</span></span></li>',
        (_option(facet, option) for option in options),
    )
