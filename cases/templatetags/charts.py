"""The small SVG charts' rows (cases.browse.charts), rendered in one pass: a template loop of
`add` and `truncatechars` filters per bar and per year cost more than laying the charts out.

Plain f-strings with the text (labels) escaped: the rest are the layout's ints and floats, written
as the template wrote them (str(): en-gb formats no thousand separator and a "." decimal point)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

register = template.Library()

LABEL_CHARACTERS = 22  # a bar's label drawn beside it (the <title> holds it whole)


@register.simple_tag
def bar_rows(chart):
    """A bar chart's rows (cases.browse.charts.bar_chart): each a <g> with its label, bar and count."""
    label_x, bar_left = chart["label_width"], chart["bar_left"]
    return mark_safe(  # noqa: S308 (labels escaped; the rest are numbers)
        "".join(
            f'<g class="chart__row"><title>{escape(bar.label)}: {bar.count}</title>'
            f'<text x="{label_x}" y="{int(bar.y) + 15}" text-anchor="end">'
            f"{escape(Truncator(bar.label).chars(LABEL_CHARACTERS))}</text>"
            f'<rect x="{bar_left}" y="{int(bar.y) + 4}" width="{bar.width}" height="14"/>'
            f'<text class="chart__count" x="{bar_left + 6}" dx="{bar.width}" y="{int(bar.y) + 15}">{bar.count}</text></g>'
            for bar in chart["bars"]
        )
    )


@register.simple_tag
def year_columns(chart):
    """A year chart's columns (cases.browse.charts.year_chart): a bar where the year has cases, the
    year's number under every labelled one."""
    plot, width, label_y = chart["plot"], chart["column_width"], chart["height"] - 4
    parts = []
    for column in chart["columns"]:
        bar = (
            f'<rect x="{column.x}" y="{plot}" width="{width}" height="{column.height}" '
            f'transform="translate(0 -{column.height})"/>'
            if column.count
            else ""
        )
        label = f'<text x="{column.x}" y="{label_y}">{column.year}</text>' if column.labelled else ""
        parts.append(f'<g class="chart__column">{bar}{label}</g>')
    return mark_safe("".join(parts))  # noqa: S308 (numbers only)
