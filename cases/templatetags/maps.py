"""The world map's countries and the network's edges, rendered in one pass (a template loop over
some 250 countries cost more than the rest of the case browser)."""

from django import template
from django.template.defaultfilters import pluralize, truncatechars
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _shape(shape, radius):
    classes = f"world-map__c shade-{shape.shade}" + (" is-highlight" if shape.highlight else "")
    path = f'<path d="{shape.d}"/>' if shape.d else ""
    dot = f'<circle cx="{shape.dot[0]}" cy="{shape.dot[1]}" r="{radius}"/>' if shape.dot else ""
    return classes, path, dot


@register.simple_tag
def map_shapes(world_map, count_label):
    """Each country of `world_map` (cases.browse.worldmap.world_map): a link with its count where it has
    one (or is highlighted: the page's own country, named without a count), else a plain outline hidden from assistive technology.

    Plain f-strings with the text escaped (names, links, the label): the outlines are path data
    checked once when read (cases.browse.worldmap.world) and the rest numbers, so the per-argument
    conditional_escape of format_html, some 1,000 calls a map, is spared."""
    radius = world_map["radius"]
    parts = []
    for shape in world_map["shapes"]:
        if shape.href:
            if shape.highlight and not shape.count:
                # The page's own country (a link with no count): not "Canada: 0 shared cases".
                text = escape(f"{shape.name} (this country)")
            else:
                text = escape(f"{shape.name}: {shape.count} {count_label}{pluralize(shape.count)}")
            classes, path, dot = _shape(shape, radius)
            parts.append(
                f'<a href="{escape(shape.href)}" aria-label="{text}"><g class="{classes}">{path}{dot}'
                f"<title>{text}</title></g></a>"
            )
        elif shape.d:
            parts.append(f'<path class="world-map__c" d="{shape.d}" aria-hidden="true"/>')
    return mark_safe("\n".join(parts))  # noqa: S308 (text escaped above; path data checked; numbers)


@register.simple_tag
def map_rows(world_map):
    """The map's numbers as table rows: each country with a count, most first (its link and name
    escaped, the count a number)."""
    return mark_safe(  # noqa: S308 (text escaped; counts are ints)
        "\n".join(
            f'<tr><td><a href="{escape(shape.href)}">{escape(shape.name)}</a></td><td class="num">{int(shape.count)}</td></tr>'
            for shape in world_map["rows"]
        )
    )


@register.simple_tag
def network_edges(network):
    """The partner network's edges (cases.browse.network.layout) as SVG lines, in one pass: a template
    loop over the up to 435 edges of 30 countries cost more than the rest of /countries/. The
    names are escaped once per country; the numbers (ints and floats of the layout) need none."""
    names = {}
    for edge in network["edges"]:
        for node in (edge.first, edge.second):
            if node.code not in names:
                names[node.code] = escape(node.name)
    return mark_safe(  # noqa: S308 (every text part escaped above; the rest are numbers)
        "".join(
            f'<line x1="{float(edge.first.x)}" y1="{float(edge.first.y)}" x2="{float(edge.second.x)}" '
            f'y2="{float(edge.second.y)}" stroke-width="{float(edge.width)}"><title>{names[edge.first.code]} – '
            f"{names[edge.second.code]}: {int(edge.shared)} shared case{pluralize(int(edge.shared))}</title></line>"
            for edge in network["edges"]
        )
    )


@register.filter
def short_label(name, length):
    """`name` in at most `length` characters, cut after a whole word with "…": the label drawn
    beside a network node. A word cut in two ("Bonaire, Sint E…") is not in the link's accessible
    name, which fails WCAG 2.5.3 (label in name; axe-core: label-content-name-mismatch). A first
    word longer than that is cut in the middle, as truncatechars does (no whole-word label fits)."""
    name = str(name)
    if len(name) <= length:
        return name
    head = name[: length - 1]  # room for the ellipsis, as truncatechars leaves
    if not name[length - 1].isspace():  # the cut falls inside a word: drop that word
        head = head.rsplit(" ", 1)[0] if " " in head else ""
    head = head.rstrip(" ,;:–-")
    return f"{head}…" if head else truncatechars(name, length)
