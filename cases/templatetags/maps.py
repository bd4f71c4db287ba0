"""The world map's countries, rendered in one pass with format_html (a template loop over some
250 countries cost more than the rest of the case browser)."""

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import format_html, format_html_join

register = template.Library()


def _shape(shape, radius):
    classes = f"world-map__c shade-{shape.shade}" + (" is-highlight" if shape.highlight else "")
    path = format_html('<path d="{}"/>', shape.d) if shape.d else ""
    dot = format_html('<circle cx="{}" cy="{}" r="{}"/>', shape.dot[0], shape.dot[1], radius) if shape.dot else ""
    return classes, path, dot


@register.simple_tag
def map_shapes(world_map, count_label):
    """Each country of `world_map` (cases.worldmap.world_map): a link with its count where it has
    one (or is highlighted), else a plain outline hidden from assistive technology."""
    radius = world_map["radius"]
    parts = []
    for shape in world_map["shapes"]:
        if shape.href:
            text = f"{shape.name}: {shape.count} {count_label}{pluralize(shape.count)}"
            classes, path, dot = _shape(shape, radius)
            parts.append(
                (
                    format_html(
                        '<a href="{}" aria-label="{}"><g class="{}">{}{}<title>{}</title></g></a>',
                        shape.href,
                        text,
                        classes,
                        path,
                        dot,
                        text,
                    ),
                )
            )
        elif shape.d:
            parts.append((format_html('<path class="world-map__c" d="{}" aria-hidden="true"/>', shape.d),))
    return format_html_join("\n", "{}", parts)


@register.simple_tag
def map_rows(world_map):
    """The map's numbers as table rows: each country with a count, most first."""
    return format_html_join(
        "\n",
        '<tr><td><a href="{}">{}</a></td><td class="num">{}</td></tr>',
        ((shape.href, shape.name, shape.count) for shape in world_map["rows"]),
    )
