"""The world map: countries shaded by a count, drawn server-side as SVG from cases/data/world_map.json.

The outlines are Natural Earth boundaries from the npm package world-atlas (ISC licence, see
cases/data/world-atlas-LICENSE.txt; Natural Earth itself is public domain), projected once by
cases/data/build_world_map.py and read once per process here. No query: callers pass counts
they already have (the case browser's country facet, a country page's partners).
"""

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.safestring import SafeString

PATH_DATA = re.compile(r"[MlLz0-9 .-]*")
SHADES = 5  # classes of the legend, from lightest to darkest
DOT_RADIUS = 5  # map units (the map is 1000 wide): a small state stays visible and clickable


@lru_cache(maxsize=1)
def world():
    """{"width", "height", "countries": {ISO alpha-2: {"d": SVG path, "dot": [x, y] (small states)}}}."""
    path = Path(__file__).resolve().parent.parent / "data" / "world_map.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for code, shape in data["countries"].items():
        # Path data is moves and numbers only: checked once here, it needs no escaping per page.
        if not PATH_DATA.fullmatch(shape["d"]):
            raise ValueError(f"world_map.json: the outline of {code} is not plain SVG path data")
        shape["d"] = SafeString(shape["d"])
    return data


@dataclass
class Shape:
    code: str  # ISO alpha-2, upper case
    name: str
    count: int
    shade: int  # 0 (none) to SHADES
    d: str
    dot: tuple | None
    href: str | None
    highlight: bool = False  # the country a page is about


@dataclass
class Band:
    shade: int
    low: int
    high: int


def bands(maximum):
    """The legend's classes: SHADES ranges of counts up to `maximum` (fewer when it is small)."""
    if maximum <= 0:
        return []
    classes = min(SHADES, maximum)
    edges = [0] + [math.ceil(maximum * step / classes) for step in range(1, classes + 1)]
    return [
        Band(number, edges[number - 1] + 1, edges[number])
        for number in range(1, classes + 1)
        if edges[number] > edges[number - 1]
    ]


def shade_of(count, legend):
    for band in legend:
        if count <= band.high:
            return band.shade
    return 0 if not legend else legend[-1].shade


def toggled(selected, code):
    """The country selection after a click on `code` on the map: `code` added when it is not in
    `selected`, removed when it is (the other values kept in order). Codes as the filter holds them."""
    return [value for value in selected if value != code] if code in selected else [*selected, code]


def world_map(*, counts, names, href=None, highlight=None):
    """The shapes and legend of a map.

    counts: {ISO alpha-2 (any case): number}; names: {ISO alpha-2 upper: name} of the countries
    that may be named (a country absent from it is drawn unnamed); href(code in lower case) ->
    URL or None, for the countries with a count; highlight: the alpha-2 code of the country the
    page is about. Returns {"shapes": [Shape] (those the map draws), "rows": [Shape with a count, most
    first, including a counted country the map cannot draw], "legend": [Band],
    "width", "height", "maximum", "radius"}.
    """
    counts = {code.upper(): count for code, count in counts.items() if count}
    maximum = max(counts.values(), default=0)
    legend = bands(maximum)
    data = world()
    shapes = []
    for code, shape in data["countries"].items():
        count = counts.get(code, 0)
        shapes.append(
            Shape(
                code=code,
                name=names.get(code, code),
                count=count,
                shade=shade_of(count, legend) if count else 0,
                d=shape["d"],
                dot=tuple(shape["dot"]) if "dot" in shape else None,
                href=href(code.lower()) if href and (count or code == highlight) else None,
                highlight=code == (highlight or "").upper(),
            )
        )
    # Dots last, so a small state is drawn above the large neighbour around it.
    shapes.sort(key=lambda shape: shape.dot is not None)
    # A counted country the map cannot draw (Antarctica, cropped) still has its row in the table,
    # so that the table always equals the counts it was given.
    undrawn = [
        Shape(
            code=code,
            name=names.get(code, code),
            count=count,
            shade=shade_of(count, legend),
            d="",
            dot=None,
            href=href(code.lower()) if href else None,
        )
        for code, count in counts.items()
        if code not in data["countries"]
    ]
    rows = sorted([*(shape for shape in shapes if shape.count), *undrawn], key=lambda shape: (-shape.count, shape.name))
    return {
        "shapes": shapes,
        "rows": rows,
        "legend": legend,
        "width": data["width"],
        "height": data["height"],
        "maximum": maximum,
        "radius": DOT_RADIUS,
    }
