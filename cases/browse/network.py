"""The partner network: countries as nodes, an edge where two share cases, laid out server-side.

One aggregate query counts the cases each pair of countries shares (the case-country link table
joined with itself), remembered under the library version; the layout is a circle, in region then name order, drawn as static SVG.
"""

import math
from dataclasses import dataclass

from django.db.models import Count, F

from .. import library_version
from ..models import Case

SIZE = 600  # the picture's side, in SVG units
MAX_NODES = 30  # the countries with most shared cases; more would be unreadable on a circle
MAX_WIDTH = 9  # the thickest edge, in SVG units


def shared_case_counts(cases):
    """{(code, code): number of `cases` both take part in} for each pair of countries (codes upper
    case, the pair in alphabetical order) sharing at least one. One aggregate query, remembered
    under the library version (cases/library_version.py: memoized) so a repeated view costs only
    the version's query while nothing is written."""
    links = Case.countries.through.objects.filter(case_id__in=cases.order_by().values("pk"))
    rows = (
        links.filter(case__countries__code__gt=F("country_id"))
        .values_list("country_id", "case__countries__code")
        .annotate(shared=Count("case_id"))
        .order_by()
    )
    return library_version.memoized(
        "shared_case_counts",
        lambda: {(first, second): shared for first, second, shared in rows},
        key=library_version.query_key(rows),
        using=rows.db,
    )


@dataclass
class Node:
    code: str
    name: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str
    degree: int  # cases shared with the other countries shown (summed over edges)
    href: str
    centre: bool = False


@dataclass
class Edge:
    first: Node
    second: Node
    shared: int
    width: float


def layout(pairs, *, countries, centre=None, max_nodes=MAX_NODES, case_counts=None):
    """Nodes on a circle (the `centre` country, if given, in the middle) and the edges between them.

    pairs: {(code, code): shared cases}; countries: {code: Country} naming them (a code not in it
    is left out); case_counts: {code (any case): cases it takes part in}, when given, names the
    countries with cases but no partner in them (no edge to draw: listed, not drawn). Returns
    {"nodes", "edges" (thickest first), "size", "left_out" (countries not drawn), "alone" (the
    Countries without a partner, by name)}.
    """
    degree = {}
    for (first, second), shared in pairs.items():
        degree[first] = degree.get(first, 0) + shared
        degree[second] = degree.get(second, 0) + shared
    ranked = sorted(
        (code for code in degree if code in countries and code != centre),
        key=lambda code: (-degree[code], countries[code].name),
    )
    shown = ranked[:max_nodes]
    shown.sort(key=lambda code: (countries[code].region, countries[code].name))
    radius = SIZE / 2 - 120
    middle = SIZE / 2
    nodes = {}
    for index, code in enumerate(shown):
        angle = 2 * math.pi * index / max(len(shown), 1) - math.pi / 2
        cos, sin = math.cos(angle), math.sin(angle)
        nodes[code] = Node(
            code=code,
            name=countries[code].name,
            x=round(middle + radius * cos, 1),
            y=round(middle + radius * sin, 1),
            label_x=round(middle + (radius + 12) * cos, 1),
            label_y=round(middle + (radius + 12) * sin + 4, 1),
            anchor="start" if cos > 0.2 else "end" if cos < -0.2 else "middle",
            degree=degree[code],
            href=countries[code].get_absolute_url(),
        )
    if centre and centre in countries:
        nodes[centre] = Node(
            code=centre,
            name=countries[centre].name,
            x=middle,
            y=middle,
            label_x=middle,
            label_y=middle - 14,
            anchor="middle",
            degree=degree.get(centre, 0),
            href=countries[centre].get_absolute_url(),
            centre=True,
        )
    strongest = max((shared for (a, b), shared in pairs.items() if a in nodes and b in nodes), default=1)
    edges = [
        Edge(nodes[a], nodes[b], shared, round(1 + (MAX_WIDTH - 1) * shared / strongest, 1))
        for (a, b), shared in pairs.items()
        if a in nodes and b in nodes
    ]
    edges.sort(key=lambda edge: (-edge.shared, edge.first.name, edge.second.name))
    alone = sorted(
        (
            countries[code.upper()]
            for code, count in (case_counts or {}).items()
            if count and code.upper() in countries and code.upper() not in degree and code.upper() != centre
        ),
        key=lambda country: country.name,
    )
    return {
        "nodes": list(nodes.values()),
        "edges": edges,
        "size": SIZE,
        "left_out": len(ranked) - len(shown),
        "alone": alone,
    }
