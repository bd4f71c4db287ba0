"""Template tags of the case browser: a facet's options, rendered in one pass.

A facet lists up to FACET_LIMIT options and the page shows ten facets; an include per option
cost more than all the facet queries together, so the options are built in one pass.

Every option is a form control with its name as its label, so the name and the box do the same
thing: a repeatable facet's options are checkboxes (values of one facet combine with OR), a
single-valued facet's are radio buttons with an "Any" choice. Nothing is a link, so no click
drops a tick not yet applied (static/js/case-browser.js applies a tick at once where it runs).
"""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def facet_options(facet, options):
    """The <li> of each option: its checkbox (or radio button), its name as the label, its count.

    Plain f-strings with the text (the facet's name, each value and label) escaped once: the rest
    are counts and fixed words, so format_html's escape of all ten arguments of some 270 options a
    page is spared."""
    name = escape(facet.name)
    kind = "checkbox" if facet.repeatable else "radio"
    rows = []
    for option in options:
        value = escape(option.value)
        ident = f"facet-{name}-{value}"
        classes = "facet__option" + (" is-selected" if option.selected else "") + ("" if option.count else " is-empty")
        rows.append(
            f'<li class="{classes}"><input type="{kind}" name="{name}" value="{value}" id="{ident}"'
            f"{' checked' if option.selected else ''}> "
            f'<label class="facet__label" for="{ident}">{escape(option.label)}</label> '
            f'<span class="count">{int(option.count)}<span class="visually-hidden"> '
            f"{'case' if option.count == 1 else 'cases'}</span></span></li>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (text escaped above; the rest are numbers and fixed words)


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
