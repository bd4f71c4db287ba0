"""Regenerate cases/data/world_map.json, the world map's country outlines as SVG paths.

Usage: python cases/data/build_world_map.py NODE_MODULES/world-atlas

Reads the Natural Earth boundaries of the npm package `world-atlas` (countries-110m.json; and
countries-50m.json for the small states 110m leaves out), decodes the TopoJSON, projects it with
the Natural Earth projection into a 1000-unit-wide box, and writes per ISO 3166-1 alpha-2 code
(upper case, as the Country table holds them): the outline as an SVG path of whole units
(relative moves, for size), and for a state too small to see or click, the point to put a dot on.
world-atlas names countries by ISO 3166-1 numeric code; pycountry (a development dependency,
not needed at run time) turns those into alpha-2. Antarctica is left out.
"""

import csv
import json
import math
import sys
from pathlib import Path

import pycountry

HERE = Path(__file__).resolve().parent
WIDTH = 1000
NORTH, SOUTH = 84.0, -58.0  # latitudes kept: no Antarctica
MIN_SPAN = 6  # outlines smaller than this many units both ways also get a dot
BY_NAME = {"Kosovo": "XK"}  # features world-atlas gives no numeric code
# Territories Natural Earth draws inside another country (or not at all): a dot at (lon, lat).
POINTS = {
    "BQ": (-68.3, 12.2),
    "BV": (3.4, -54.4),
    "CC": (96.8, -12.2),
    "CX": (105.7, -10.5),
    "GF": (-53.1, 3.9),
    "GI": (-5.35, 36.14),
    "GP": (-61.5, 16.2),
    "MQ": (-61.0, 14.6),
    "RE": (55.5, -21.1),
    "SJ": (16.0, 78.0),
    "TK": (-171.8, -9.2),
    "TV": (179.2, -8.5),
    "UM": (166.6, 19.3),
    "YT": (45.1, -12.8),
}


def natural_earth(lon, lat):
    """The Natural Earth I projection (as d3-geo's geoNaturalEarth1Raw), radians in, unitless out."""
    phi2 = lat * lat
    phi4 = phi2 * phi2
    x = lon * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)))
    y = lat * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)))
    return x, y


X_MAX = natural_earth(math.pi, 0)[0]
SCALE = WIDTH / (2 * X_MAX)
TOP = natural_earth(0, math.radians(NORTH))[1]
BOTTOM = natural_earth(0, math.radians(SOUTH))[1]
HEIGHT = round((TOP - BOTTOM) * SCALE)


def project(lon, lat):
    lat = max(min(lat, NORTH), SOUTH)
    x, y = natural_earth(math.radians(lon), math.radians(lat))
    return (x + X_MAX) * SCALE, (TOP - y) * SCALE


def decode_arcs(topology):
    """Each arc as a list of (lon, lat): TopoJSON arcs are delta-encoded, quantised positions."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring, arcs):
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def alpha2(feature):
    numeric = feature.get("id")
    country = pycountry.countries.get(numeric=numeric) if numeric else None
    if country:
        return country.alpha_2
    return BY_NAME.get(feature.get("properties", {}).get("name"))


def outline(feature, arcs):
    """(SVG path of whole units, bounding box, centre of the largest ring's box) of a feature."""
    parts, box, largest = [], [math.inf, math.inf, -math.inf, -math.inf], (0, None)
    for polygon in polygons(feature):
        for ring_number, ring in enumerate(polygon):
            points = ring_points(ring, arcs)
            if any(lon > 150 for lon, _ in points) and any(lon < -150 for lon, _ in points):
                # world-atlas rings cross the antimeridian (Russia, Fiji): fold the far side onto the
                # map's east edge instead of drawing a line across the world.
                points = [(180.0 if lon < 0 else lon, lat) for lon, lat in points]
            projected = [project(lon, lat) for lon, lat in points]
            rounded = []
            for x, y in projected:
                point = (round(x), round(y))
                if not rounded or point != rounded[-1]:
                    rounded.append(point)
            if len(rounded) < 3:
                continue
            xs, ys = [p[0] for p in projected], [p[1] for p in projected]
            box = [min(box[0], *xs), min(box[1], *ys), max(box[2], *xs), max(box[3], *ys)]
            if ring_number == 0:
                area = (max(xs) - min(xs)) * (max(ys) - min(ys))
                if area >= largest[0] or largest[1] is None:
                    largest = (area, ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2))
            (_x0, _y0), path = rounded[0], [f"M{rounded[0][0]} {rounded[0][1]}"]
            steps = [f"{x - px} {y - py}" for (px, py), (x, y) in zip(rounded, rounded[1:])]
            parts.append(path[0] + "l" + " ".join(steps) + "z")
    return "".join(parts), box, largest[1]


def centre(feature, arcs):
    points = [
        project(lon, lat)
        for polygon in polygons(feature)
        for ring in polygon[:1]
        for lon, lat in ring_points(ring, arcs)
    ]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2


def build(atlas):
    with (HERE / "countries.csv").open(newline="", encoding="utf-8") as file:
        codes = {row["code"] for row in csv.DictReader(file)} - {"AQ"}
    shapes = {}
    coarse = json.loads((atlas / "countries-110m.json").read_text())
    arcs = decode_arcs(coarse)
    for feature in coarse["objects"]["countries"]["geometries"]:
        code = alpha2(feature)
        if code not in codes:
            continue
        path, box, middle = outline(feature, arcs)
        shape = {"d": path}
        if box[2] - box[0] < MIN_SPAN and box[3] - box[1] < MIN_SPAN and middle:
            shape["dot"] = [round(middle[0], 1), round(middle[1], 1)]
        shapes[code] = shape
    fine = json.loads((atlas / "countries-50m.json").read_text())
    fine_arcs = decode_arcs(fine)
    for feature in fine["objects"]["countries"]["geometries"]:
        code = alpha2(feature)
        if code in codes and code not in shapes:
            middle = centre(feature, fine_arcs)
            if middle:
                shapes[code] = {"d": "", "dot": [round(middle[0], 1), round(middle[1], 1)]}
    for code, (lon, lat) in POINTS.items():
        if code in codes and code not in shapes:
            x, y = project(lon, lat)
            shapes[code] = {"d": "", "dot": [round(x, 1), round(y, 1)]}
    return {"width": WIDTH, "height": HEIGHT, "countries": dict(sorted(shapes.items()))}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    world = build(Path(sys.argv[1]))
    (HERE / "world_map.json").write_text(json.dumps(world, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(world['countries'])} countries, {world['width']}x{world['height']} units")
