"""CSV and JSON exports of a set of cases (one row per case, its links as slugs) and of a set of
quotes (one row per quote, with its time status), streamed.

Rows are read in chunks of CHUNK_SIZE cases; for each chunk one query per kind of link
fetches the slugs of all its cases (plain tuples, no model instances: ten times faster than
prefetch_related), so an export runs seven queries a chunk whatever the size of the library.
"""
import csv
import json
import re
from itertools import islice

from django.urls import reverse

from .models import Case, CaseChallenge, CaseSuccessFactor, Participation, Quote
from .timestamps import format_timestamp, youtube_url

CHUNK_SIZE = 500
FIELDS = [
    "slug", "title", "summary", "stage", "start_year", "end_year", "website", "parent", "published_at",
    "updated_at", "countries", "organisations", "themes", "approaches", "challenges", "success_factors", "url",
]
LIST_FIELDS = ["countries", "organisations", "themes", "approaches", "challenges", "success_factors"]
CASE_COLUMNS = [
    "pk", "slug", "title", "summary", "stage", "start_year", "end_year", "website", "published_at", "updated_at",
    "parent__slug", "parent__status",
]
# field: (link rows, the value(s) it lists, their order: as the case page lists them)
LINKS = {
    "countries": (Case.countries.through.objects, ["country_id"], ["country_id"]),
    "organisations": (Participation.objects, ["organisation__slug", "role"], ["role", "organisation__name"]),
    "themes": (Case.themes.through.objects, ["theme__slug"], ["theme__name"]),
    "approaches": (Case.approaches.through.objects, ["approach__slug"], ["approach__name"]),
    "challenges": (CaseChallenge.objects, ["challenge__slug"], ["challenge__order", "challenge__name"]),
    "success_factors": (
        CaseSuccessFactor.objects, ["success_factor__slug"],
        ["success_factor__kind", "success_factor__order", "success_factor__name"],
    ),
}


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def links_of(case_ids):
    """{field: {case id: [slug, …]}} for the cases `case_ids`: one query per field."""
    found = {}
    for field, (rows, values, order) in LINKS.items():
        by_case = found[field] = {}
        for case_id, *value in rows.filter(case_id__in=case_ids).order_by(*order, "pk").values_list("case_id", *values):
            by_case.setdefault(case_id, []).append(":".join(value))
    return found


def case_rows(*, cases, absolute_url, chunk_size=None):
    """One dict per case of `cases` (in its order), links as lists; `absolute_url(path)` makes the url."""
    size = chunk_size or CHUNK_SIZE
    columns = cases.values_list(*CASE_COLUMNS).iterator(chunk_size=size)
    for chunk in _chunks(columns, size):
        links = links_of([row[0] for row in chunk])
        for (pk, slug, title, summary, stage, start_year, end_year, website, published_at, updated_at,
             parent_slug, parent_status) in chunk:
            yield {
                "slug": slug,
                "title": title,
                "summary": summary,
                "stage": stage,
                "start_year": start_year,
                "end_year": end_year,
                "website": website,
                "parent": parent_slug if parent_status == Case.Status.PUBLISHED else "",
                "published_at": published_at.isoformat() if published_at else "",
                "updated_at": updated_at.isoformat() if updated_at else "",
                **{field: links[field].get(pk, []) for field in LIST_FIELDS},
                "url": absolute_url(reverse("cases:case-detail", kwargs={"slug": slug})),
            }


class _Echo:
    """A file-like object that hands back what is written to it, for csv.writer."""

    def write(self, value):
        return value


# What starts a formula, ASCII or fullwidth (spreadsheets fold ＝ to =), at the start of a cell or
# of anything a spreadsheet may split into a cell of its own: after a semicolon (the list
# separator of many locales), a tab or a line break, past any spaces.
FORMULA_START = re.compile(r"(^|[;\t\r\n])([ \t\r\n]*)([=+\-@\uff1d\uff0b\uff0d\uff20])")


def spreadsheet_safe(value):
    """A cell a spreadsheet will not run as a formula (curated titles and summaries are free text).

    Every formula start is quoted with an apostrophe (`ok;=1+1` → `ok;'=1+1`), and a cell that
    opens with a tab or a line break is quoted as a whole.
    """
    text = "" if value is None else str(value)
    text = FORMULA_START.sub(r"\1\2'\3", text)
    return f"'{text}" if text[:1] in ("\t", "\r", "\n") else text


def csv_lines(*, rows, fields=None, list_fields=None):
    """The CSV text of `rows`, a header first, one line at a time; lists `;`-joined (the case
    export's columns unless `fields` and `list_fields` name others)."""
    fields = FIELDS if fields is None else fields
    list_fields = LIST_FIELDS if list_fields is None else list_fields
    writer = csv.writer(_Echo())
    yield writer.writerow(fields)
    for row in rows:
        yield writer.writerow(
            [spreadsheet_safe(";".join(map(str, row[name])) if name in list_fields else row[name]) for name in fields]
        )


# --- quotes ------------------------------------------------------------------------------------

QUOTE_FIELDS = [
    "id", "text", "source", "source_title", "start_second", "timestamp", "other_seconds", "time_status",
    "corrected_from_seconds", "time_note", "video_url", "heading_path", "document", "cases", "url",
]
QUOTE_LIST_FIELDS = ["other_seconds", "cases"]
QUOTE_COLUMNS = [
    "pk", "text", "source__slug", "source__title", "source__youtube_id", "source__url", "start_second",
    "other_seconds", "time_status", "corrected_from_seconds", "heading_path", "document__slug",
]


def quote_rows(*, quotes, absolute_url, chunk_size=None):
    """One dict per quote of `quotes` (in its order) with its time status in words (``time_note``)
    and the slugs of the published cases it supports; two queries a chunk."""
    size = chunk_size or CHUNK_SIZE
    columns = quotes.values_list(*QUOTE_COLUMNS).iterator(chunk_size=size)
    published = Case.objects.published().values("pk")
    for chunk in _chunks(columns, size):
        supported = {}
        links = Quote.cases.through.objects.filter(quote_id__in=[row[0] for row in chunk], case__in=published)
        for quote_id, slug in links.order_by("case__title", "pk").values_list("quote_id", "case__slug"):
            supported.setdefault(quote_id, []).append(slug)
        for (pk, text, source, source_title, video, source_url, start, others, status, corrected_from,
             heading_path, document) in chunk:
            yield {
                "id": pk,
                "text": text,
                "source": source,
                "source_title": source_title,
                "start_second": start,
                "timestamp": format_timestamp(start),
                "other_seconds": list(others or ()),
                "time_status": status,
                "corrected_from_seconds": corrected_from,
                "time_note": Quote.describe_time(status, corrected_from),
                "video_url": youtube_url(video, start) if video else source_url,
                "heading_path": heading_path,
                "document": document or "",
                "cases": supported.get(pk, []),
                "url": absolute_url(reverse("cases:quote-detail", kwargs={"pk": pk})),
            }


def json_chunks(*, count, rows):
    """`{"count": N, "results": [...]}` as text, one case at a time."""
    yield '{"count": %d, "results": [' % count
    for index, row in enumerate(rows):
        yield ("\n" if index == 0 else ",\n") + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"
