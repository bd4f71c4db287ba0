"""Small SVG charts (bars by start year, by approach family, by stage, by challenge…), laid out here
and drawn by includes/_bar_chart.html and includes/_year_chart.html. No query of their own:
callers pass the counts (facet counts they hold, or one aggregate each, remembered under the
library version)."""

from dataclasses import dataclass

from django.template.defaultfilters import pluralize

ROW = 22  # height of a horizontal bar's row, in SVG units
LABEL_WIDTH = 170  # room for the labels left of the bars (22 characters of 12-unit text)
WIDTH = 360  # about the width a chart is shown at, so its 12-unit text reads as 12 pixels


@dataclass
class Bar:
    label: str
    count: int
    y: float
    width: float
    href: str = ""


def bar_chart(rows, *, title, unit="case"):
    """A horizontal bar chart of `rows` ((label, count) or (label, count, href)), in the given order.

    Returns {"title", "bars", "height", "width", "label_width", "summary"}; `summary` is the text
    alternative ("Idea: 3 cases; Pilot: 5 cases").
    """
    # "Experimentation (testing across borders)": the name before the explanation
    rows = [(row[0].split(" (")[0], *row[1:]) if len(row) == 3 else (row[0].split(" (")[0], row[1], "") for row in rows]
    largest = max((count for _, count, _ in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 40
    bars = [
        Bar(label, count, index * ROW, round(room * count / largest, 1), href)
        for index, (label, count, href) in enumerate(rows)
    ]
    summary = "; ".join(f"{bar.label}: {bar.count} {unit}{pluralize(bar.count)}" for bar in bars)
    return {
        "title": title,
        "bars": bars,
        "height": max(len(bars), 1) * ROW,
        "width": WIDTH,
        "label_width": LABEL_WIDTH,
        "bar_left": LABEL_WIDTH + 8,
        "summary": summary,
    }


@dataclass
class PairedBar:
    label: str
    count: int
    second: int  # the part of `count` the second series counts (evidenced among met)
    y: float
    width: float
    second_width: float
    href: str = ""


PAIRED_ROW = 36  # a label over two bars


def paired_bar_chart(rows, *, title, first, second, unit="case"):
    """Two bars per row on one scale: `rows` are (label, count, second count, href), in the given
    order, and `first` and `second` name the two series ("met", "evidenced"). The series differ in
    fill (a solid bar, an outlined one below it) and each bar carries its number, so colour is not
    the only difference.

    Returns {"title", "bars", "height", "width", "label_width", "bar_left", "first", "second",
    "summary"}; `summary` is the text alternative ("Funding: 5 cases met, 3 evidenced").
    """
    largest = max((count for _, count, _, _ in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 40
    bars = [
        PairedBar(
            label.split(" (")[0],
            count,
            evidenced,
            index * PAIRED_ROW,
            round(room * count / largest, 1),
            round(room * evidenced / largest, 1),
            href,
        )
        for index, (label, count, evidenced, href) in enumerate(rows)
    ]
    summary = "; ".join(
        f"{bar.label}: {bar.count} {unit}{pluralize(bar.count)} {first}, {bar.second} {second}" for bar in bars
    )
    return {
        "title": title,
        "bars": bars,
        "height": max(len(bars), 1) * PAIRED_ROW,
        "width": WIDTH,
        "label_width": LABEL_WIDTH,
        "bar_left": LABEL_WIDTH + 8,
        "first": first,
        "second": second,
        "summary": summary,
    }


@dataclass
class Column:
    year: int
    count: int
    x: float
    height: float
    labelled: bool  # the axis names every fifth year


def year_chart(counts, *, title):
    """A column per year from the first to the last year in `counts` ({year: cases}, years
    without cases drawn empty). Returns {"title", "columns", "width", "height", "summary"}."""
    counts = {year: count for year, count in counts.items() if year is not None}
    if not counts:
        return {"title": title, "columns": [], "summary": "No case gives a start year."}
    first, last = min(counts), max(counts)
    years = list(range(first, last + 1))
    largest = max(counts.values())
    step = WIDTH / len(years)
    plot = 90
    columns = [
        Column(
            year,
            counts.get(year, 0),
            round(index * step, 1),
            round(plot * counts.get(year, 0) / largest, 1),
            year % 5 == 0 or len(years) <= 10,
        )
        for index, year in enumerate(years)
    ]
    summary = "; ".join(f"{year}: {counts[year]}" for year in years if counts.get(year))
    return {
        "title": title,
        "columns": columns,
        "width": WIDTH,
        "height": plot + 20,
        "plot": plot,
        "column_width": round(max(step - 2, 1), 1),
        "largest": largest,
        "summary": summary,
    }
