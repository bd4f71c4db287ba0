"""CSV and JSON exports of a set of cases (one row per case, its links as slugs) and of a set of
quotes (one row per quote, with its time status and links), streamed.

Rows are read in chunks of CHUNK_SIZE cases; for each chunk of cases ONE more query returns each
case's links and claims already aggregated by the database (export_sql): as JSON arrays for the
JSON export, which Python only parses (in C), and as the CSV cells themselves for the CSV export.
An export runs one query for the cases and one a chunk whatever the size of the library.
"""

import csv
import json
import re
from itertools import islice

from ..models import STORY_FIELDS, Case, Quote
from ..timestamps import format_timestamp, youtube_url
from ..url_paths import url_maker, url_parts
from .export_sql import LIST_SEPARATOR, NOT_EVIDENCED, case_aggregates

CHUNK_SIZE = 500
# The aggregates of a case deleted while its export streams: no links, its summary not evidenced
# (as JSON arrays, and as CSV cells).
GONE = [*(["[]"] * 7), '[{"claim": "summary", "evidenced": false, "quotes": []}]']
GONE_CELLS = [*([""] * 7), f"summary: {NOT_EVIDENCED}"]
# The case story (issue 18): level, organisational contact, the sections (markdown) and the marker.
STORY_COLUMNS = ["level_of_government", "contact_email", *STORY_FIELDS, "results_evidence"]
FIELDS = [
    "slug",
    "title",
    "summary",
    "stage",
    "start_year",
    "end_year",
    "website",
    "parent",
    "published_at",
    "updated_at",
    *STORY_COLUMNS,
    "countries",
    "organisations",
    "themes",
    "approaches",
    "challenges",
    "success_factors",
    "supporting_links",
    "claims",
    "url",
]
LIST_FIELDS = [
    "countries",
    "organisations",
    "themes",
    "approaches",
    "challenges",
    "success_factors",
    "supporting_links",
]
CASE_COLUMNS = [
    "pk",
    "slug",
    "title",
    "summary",
    "stage",
    "start_year",
    "end_year",
    "website",
    "published_at",
    "updated_at",
    "parent__slug",
    "parent__status",
    *STORY_COLUMNS,
]


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _cases_with_aggregates(cases, absolute_url, *, as_text, chunk_size):
    """(the CASE_COLUMNS of a case, its aggregates: export_sql.case_aggregates) for each case of
    `cases` in its order, and the function making a case's URL from its slug."""
    size = chunk_size or CHUNK_SIZE
    columns = cases.values_list(*CASE_COLUMNS).iterator(chunk_size=size)
    quote_url = url_parts(absolute_url, "cases:quote-detail", "pk")
    gone = GONE_CELLS if as_text else GONE

    def pairs():
        for chunk in _chunks(columns, size):
            aggregates = case_aggregates([row[0] for row in chunk], quote_url=quote_url, as_text=as_text)
            for row in chunk:
                yield row, aggregates.get(row[0], gone)

    return pairs(), url_maker(absolute_url, "cases:case-detail", "slug")


# FIELDS up to the aggregated lists: what _case_values gives, in this order.
CASE_FIELDS = FIELDS[: FIELDS.index(LIST_FIELDS[0])]


def _case_values(row):
    """The values of CASE_FIELDS for a row of CASE_COLUMNS: the parent named only when published,
    dates in ISO 8601."""
    (
        _pk,
        slug,
        title,
        summary,
        stage,
        start_year,
        end_year,
        website,
        published_at,
        updated_at,
        parent,
        status,
        *story,
    ) = row
    return [
        slug,
        title,
        summary,
        stage,
        start_year,
        end_year,
        website,
        parent if status == Case.Status.PUBLISHED else "",
        published_at.isoformat() if published_at else "",
        updated_at.isoformat() if updated_at else "",
        *story,
    ]


def case_rows(*, cases, absolute_url, chunk_size=None):
    """One dict per case of `cases` (in its order), links as lists, its claims with the URLs of
    their supporting quotes: [{"claim": "summary" | "story:SECTION" | "challenge:SLUG" |
    "success-factor:SLUG", "evidenced": bool, "quotes": [quote page URL, …]}], the summary first,
    then in the case page's order; `absolute_url(path)` makes the urls."""
    pairs, case_url = _cases_with_aggregates(cases, absolute_url, as_text=False, chunk_size=chunk_size)
    aggregated_fields = [*LIST_FIELDS, "claims"]
    for row, aggregates in pairs:
        yield {
            **dict(zip(CASE_FIELDS, _case_values(row))),
            # One parse a row: json.loads costs more to call than to read eight short arrays.
            **dict(zip(aggregated_fields, json.loads(f"[{','.join(aggregates)}]"))),
            "url": case_url(row[1]),
        }


def case_csv_lines(*, cases, absolute_url, chunk_size=None):
    """The CSV text of case_rows(cases, absolute_url): its lists `;`-joined and its claims in one
    cell (`claim: url url; claim: not yet evidenced; …`), both written by the database (export_sql,
    `as_text`); tests/test_exports.py compares it with the rows joined in Python."""
    pairs, case_url = _cases_with_aggregates(cases, absolute_url, as_text=True, chunk_size=chunk_size)
    return _lines(
        FIELDS,
        (spreadsheet_safe_line([*_case_values(row), *cells, case_url(row[1])]) for row, cells in pairs),
        plain=FIELDS.index("claims"),
    )


# What starts a formula, ASCII or fullwidth (spreadsheets fold ＝ to =), at the start of a cell or
# of anything a spreadsheet may split into a cell of its own: after a semicolon (the list
# separator of many locales), a tab or a line break, past any spaces.
FORMULA_START = re.compile(r"(^|[;\t\r\n])([ \t\r\n]*)([=+\-@\uff1d\uff0b\uff0d\uff20])")
FORMULA_CHARACTERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# FORMULA_START past the start of a cell: a search that starts at a character class runs several
# times faster than the substitution, which most cells (and every claims cell, full of `;`) never need.
FORMULA_AFTER_SPLIT = re.compile(r"[;\t\r\n][ \t\r\n]*[=+\-@\uff1d\uff0b\uff0d\uff20]")


def spreadsheet_safe(value):
    """A cell a spreadsheet will not run as a formula (curated titles and summaries are free text).

    Every formula start is quoted with an apostrophe (`ok;=1+1` → `ok;'=1+1`), and a cell that
    opens with a tab or a line break is quoted as a whole.
    """
    if value is None:
        return ""
    if type(value) is int and value >= 0:  # digits only: nothing to guard (years, ids)
        return str(value)
    text = str(value)
    if text.lstrip(" \t\r\n")[:1] in FORMULA_CHARACTERS or FORMULA_AFTER_SPLIT.search(text):
        text = FORMULA_START.sub(r"\1\2'\3", text)
    return f"'{text}" if text[:1] in ("\t", "\r", "\n") else text


# A line's cells joined by a separator that stands for a cell's start: what may start a formula
# in any cell, or a cell opening with a break. Both start with a character class or a literal, which
# the regex engine scans for quickly.
CELL = "\x1f"
LINE_FORMULA_START = re.compile(r"[;\t\r\n\x1f][ \t\r\n]*[=+\-@\uff1d\uff0b\uff0d\uff20]")
LINE_CELL_BREAK = re.compile(r"\x1f[\t\r\n]")


def spreadsheet_safe_line(values):
    """[spreadsheet_safe(value) for value in values], checked with two searches over the whole
    line: a cell that needs no guard is the text it would be given, and most lines need none."""
    texts = ["" if value is None else value if type(value) is str else str(value) for value in values]
    line = CELL + CELL.join(texts)
    if LINE_FORMULA_START.search(line) or LINE_CELL_BREAK.search(line):
        return [spreadsheet_safe(value) for value in values]
    return texts


LINES_PER_CHUNK = 100  # CSV lines sent as one piece of the streamed response
# What makes csv.writer quote a cell with csv.QUOTE_MINIMAL, the excel dialect's: the delimiter, the
# quote character or a line break (the csv module's documentation).
CSV_QUOTED = (csv.excel.delimiter, csv.excel.quotechar, "\r", "\n")
LINE_END = csv.excel.lineterminator
PLACE = "x"  # a cell the writer leaves as it is, standing in for a plain cell (_lines)


class _Echo:
    """A file-like object that hands back what is written to it, for csv.writer."""

    def write(self, value):
        return value


def _lines(fields, rows, *, plain=None):
    """The header of `fields`, then the CSV lines of `rows` (lists of cell strings), up to
    LINES_PER_CHUNK lines at a time, as Python's csv.writer writes them (the excel dialect).

    `plain`: the index of a long cell the writer usually leaves as it is (the case export's claims:
    slugs and URLs, two thirds of its bytes). When that cell is not empty and holds nothing the
    writer quotes, the line is written around it and the cell joined in as it is; otherwise the
    whole line goes through the writer, which copies every cell character by character: for the
    1,190 lines of a country's cases, guard included, 59–70 → 35–42 ms (docs/performance.md).
    """
    # The standard library's writer, not our own: a hand-written one was faster (4 against 27 ms
    # for the 1,190 lines of a country's cases) but CSV quoting is not this project's to maintain.
    # Joining a plain cell in does no quoting: csv.QUOTE_MINIMAL quotes a cell for what the cell
    # holds (CSV_QUOTED), whatever its neighbours (tests/test_exports.py checks it against the writer).
    writer = csv.writer(_Echo())
    yield writer.writerow(fields)
    lines = []
    for cells in rows:
        cell = None if plain is None else cells[plain]
        # An empty cell may be a line's only one, which the writer quotes.
        if not cell or any(special in cell for special in CSV_QUOTED):
            lines.append(writer.writerow(cells))
        else:
            # A stand-in cell keeps each side a line of two cells or more (a line of one empty cell
            # is written as "", as part of a longer line as nothing).
            before = writer.writerow([*cells[:plain], PLACE])
            after = writer.writerow([PLACE, *cells[plain + 1 :]])
            lines.append(f"{before[: -len(PLACE) - len(LINE_END)]}{cell}{after[len(PLACE) :]}")
        if len(lines) == LINES_PER_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def csv_lines(*, rows, fields, list_fields):
    """The CSV text of `rows` (dicts), a header of `fields` first, then up to LINES_PER_CHUNK lines
    at a time; the values of `list_fields` (lists) `;`-joined, every line formula-guarded."""
    listed = [(name, name in list_fields) for name in fields]
    return _lines(
        fields,
        (
            spreadsheet_safe_line(
                [LIST_SEPARATOR.join(map(str, row[name])) if is_list else row[name] for name, is_list in listed]
            )
            for row in rows
        ),
    )


def json_chunks(*, count, rows):
    """`{"count": N, "results": [...]}` as text, one row at a time."""
    yield f'{{"count": {int(count)}, "results": ['
    for index, row in enumerate(rows):
        yield ("\n" if index == 0 else ",\n") + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


# The quote browser's export: exactly the filtered quotes, streamed in chunks like the cases.

QUOTE_FIELDS = [
    "id",
    "text",
    "start_second",
    "timestamp",
    "other_seconds",
    "time_status",
    "corrected_from_seconds",
    "time_note",
    "source",
    "source_title",
    "document",
    "heading_path",
    "cases",
    "challenges",
    "success_factors",
    "youtube_url",
    "url",
]
QUOTE_LIST_FIELDS = ["other_seconds", "cases", "challenges", "success_factors"]


def quote_links_of(quote_ids):
    """{field: {quote id: [slug, …]}} for the quotes `quote_ids`: published cases, challenges,
    success factors; one query per field."""
    published = Case.objects.published().values("pk")
    sources = {
        "cases": (Quote.cases.through.objects.filter(case__in=published), "case__slug"),
        "challenges": (Quote.challenges.through.objects, "challenge__slug"),
        "success_factors": (Quote.success_factors.through.objects, "successfactor__slug"),
    }
    found = {}
    for field, (rows, slug) in sources.items():
        by_quote = found[field] = {}
        for quote_id, value in rows.filter(quote_id__in=quote_ids).order_by(slug).values_list("quote_id", slug):
            by_quote.setdefault(quote_id, []).append(value)
    return found


def quote_rows(*, quotes, absolute_url, chunk_size=None):
    """One dict per quote of `quotes` (in its order): QUOTE_FIELDS, its time status in words
    (``time_note``), links as lists of slugs (only published cases); four queries a chunk."""
    size = chunk_size or CHUNK_SIZE
    columns = quotes.values_list(
        "pk",
        "text",
        "start_second",
        "other_seconds",
        "time_status",
        "corrected_from_seconds",
        "source__slug",
        "source__title",
        "source__youtube_id",
        "source__url",
        "document__slug",
        "heading_path",
    ).iterator(chunk_size=size)
    quote_url = url_maker(absolute_url, "cases:quote-detail", "pk")
    for chunk in _chunks(columns, size):
        links = quote_links_of([row[0] for row in chunk])
        for (
            pk,
            text,
            second,
            others,
            status,
            corrected_from,
            source,
            source_title,
            youtube_id,
            source_url,
            document,
            heading_path,
        ) in chunk:
            yield {
                "id": pk,
                "text": text,
                "start_second": second,
                "timestamp": format_timestamp(second),
                "other_seconds": list(others or ()),
                "time_status": status,
                "corrected_from_seconds": corrected_from,
                "time_note": Quote.describe_time(status, corrected_from),
                "source": source,
                "source_title": source_title,
                "document": document or "",
                "heading_path": heading_path,
                **{field: links[field].get(pk, []) for field in ("cases", "challenges", "success_factors")},
                "youtube_url": youtube_url(youtube_id, second) if youtube_id else source_url,
                "url": quote_url(pk),
            }


def quote_csv_lines(*, rows):
    """The CSV text of quote `rows`, a header first, one line at a time; lists `;`-joined, cells formula-guarded."""
    return csv_lines(rows=rows, fields=QUOTE_FIELDS, list_fields=QUOTE_LIST_FIELDS)
