"""CSV and JSON exports of a set of cases (one row per case, its links as slugs) and of a set of
quotes (one row per quote, with its time status and links), streamed.

Rows are read in chunks of CHUNK_SIZE cases; for each chunk one query per kind of link
fetches the slugs of all its cases (plain tuples, no model instances: ten times faster than
prefetch_related) and one more reads the claims and their evidence (cases.claims), so an export
runs eight queries a chunk whatever the size of the library.
"""

import csv
import json
import re
from itertools import islice

from django.db.models import F

from ..claims import CHALLENGE, FACTOR, STORY, SUMMARY, evidence_by_claim, evidence_rows
from ..models import (
    STORY_FIELDS,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Participation,
    Quote,
    StorySection,
    SupportingLink,
)
from ..search.service import AmongIds
from ..timestamps import format_timestamp, youtube_url
from ..url_paths import url_maker

CHUNK_SIZE = 500
# The case story (issue 18): level, organisational contact, the sections (markdown) and the marker.
STORY_COLUMNS = ["level_of_government", "contact_email", *STORY_FIELDS, "results_evidence"]
STORY_SECTIONS = [(section.value, section.field_name) for section in StorySection]  # (claim, column)
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
# field: (link rows, the value(s) it lists, their order: as the case page lists them)
LINKS = {
    "countries": (Case.countries.through.objects, ["country_id"], ["country_id"]),
    "organisations": (Participation.objects, ["organisation__slug", "role"], ["role", "organisation__name"]),
    "themes": (Case.themes.through.objects, ["theme__slug"], ["theme__name"]),
    "approaches": (Case.approaches.through.objects, ["approach__slug"], ["approach__name"]),
    "challenges": (CaseChallenge.objects, ["challenge__slug"], ["challenge__order", "challenge__name"]),
    "success_factors": (
        CaseSuccessFactor.objects,
        ["success_factor__slug"],
        ["success_factor__kind", "success_factor__order", "success_factor__name"],
    ),
    # `kind:url`, as the case page lists them
    "supporting_links": (SupportingLink.objects, ["kind", "url"], ["order", "title"]),
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
        chosen = rows.filter(AmongIds(F("case_id"), case_ids)).order_by(*order, "pk").values_list("case_id", *values)
        for case_id, *value in chosen:
            by_case.setdefault(case_id, []).append(":".join(value))
    return found


def claims_of_row(evidence, links, quote_url):
    """The claims of one case as exported: [{"claim": "summary" | "story:SECTION" | "challenge:SLUG" |
    "success-factor:SLUG", "evidenced": bool, "quotes": [quote page URL, …]}], the summary first,
    then in the case page's order.

    `evidence` is the case's {(group, slug): [quote ids]} (cases.claims.evidence_by_claim), `links`
    its exported links (challenge and success-factor slugs in order, and `story`: the values of
    the story sections with text), `quote_url(pk)` a quote's URL.
    """
    keys = [(SUMMARY, 0)]
    keys += [(STORY, section) for section in links.get("story", ())]
    keys += [(CHALLENGE, slug) for slug in links["challenges"]]
    keys += [(FACTOR, slug) for slug in links["success_factors"]]
    claims = []
    for group, slug in keys:
        quote_ids = evidence.get((group, slug), [])
        claims.append(
            {
                "claim": SUMMARY if group == SUMMARY else f"{group}:{slug}",
                "evidenced": bool(quote_ids),
                "quotes": [quote_url(pk) for pk in quote_ids],
            }
        )
    return claims


def claims_cell(claims):
    """The claims of a case in one CSV cell: `claim: url url; claim: not yet evidenced; …`."""
    return "; ".join(
        f"{claim['claim']}: {' '.join(claim['quotes']) if claim['evidenced'] else 'not yet evidenced'}"
        for claim in claims
    )


def case_rows(*, cases, absolute_url, chunk_size=None):
    """One dict per case of `cases` (in its order), links as lists, its claims with the URLs of
    their supporting quotes (`claims_of_row`); `absolute_url(path)` makes the urls."""
    size = chunk_size or CHUNK_SIZE
    columns = cases.values_list(*CASE_COLUMNS).iterator(chunk_size=size)

    quote_url = url_maker(absolute_url, "cases:quote-detail", "pk")
    case_url = url_maker(absolute_url, "cases:case-detail", "slug")

    for chunk in _chunks(columns, size):
        ids = [row[0] for row in chunk]
        links = links_of(ids)
        evidence = evidence_by_claim(evidence_rows(ids, by_slug=True), case_ids=ids)
        for (
            pk,
            slug,
            title,
            summary,
            stage,
            start_year,
            end_year,
            website,
            published_at,
            updated_at,
            parent_slug,
            parent_status,
            *story_values,
        ) in chunk:
            story = dict(zip(STORY_COLUMNS, story_values))
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
                **story,
                **{field: links[field].get(pk, []) for field in LIST_FIELDS},
                "claims": claims_of_row(
                    evidence.get(pk, {}),
                    {
                        **{field: links[field].get(pk, []) for field in ("challenges", "success_factors")},
                        "story": [value for value, name in STORY_SECTIONS if story[name].strip()],
                    },
                    quote_url,
                ),
                "url": case_url(slug),
            }


class _Echo:
    """A file-like object that hands back what is written to it, for csv.writer."""

    def write(self, value):
        return value


# What starts a formula, ASCII or fullwidth (spreadsheets fold ＝ to =), at the start of a cell or
# of anything a spreadsheet may split into a cell of its own: after a semicolon (the list
# separator of many locales), a tab or a line break, past any spaces.
FORMULA_START = re.compile(r"(^|[;\t\r\n])([ \t\r\n]*)([=+\-@\uff1d\uff0b\uff0d\uff20])")
FORMULA_CHARACTERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
SPLITTERS = re.compile(r"[;\t\r\n]")  # none in a cell: only its start can open a formula


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
    if not SPLITTERS.search(text):  # most cells (URLs, slugs, names): no regex substitution
        start = text.lstrip(" ")[:1]
        return text if not start or start not in FORMULA_CHARACTERS else FORMULA_START.sub(r"\1\2'\3", text)
    text = FORMULA_START.sub(r"\1\2'\3", text)
    return f"'{text}" if text[:1] in ("\t", "\r", "\n") else text


LINES_PER_CHUNK = 100  # CSV lines sent as one piece of the streamed response


def csv_lines(*, rows, fields=None, list_fields=None):
    """The CSV text of `rows`, a header first, then up to LINES_PER_CHUNK lines at a time; lists
    `;`-joined (the case export's columns unless `fields` and `list_fields` name others)."""
    fields = FIELDS if fields is None else fields
    list_fields = LIST_FIELDS if list_fields is None else list_fields
    kinds = [(name, name in list_fields, name == "claims") for name in fields]
    writer = csv.writer(_Echo())
    yield writer.writerow(fields)
    lines = []
    for row in rows:
        lines.append(
            writer.writerow(
                [
                    spreadsheet_safe(
                        ";".join(map(str, row[name])) if listed else claims_cell(row[name]) if claims else row[name]
                    )
                    for name, listed, claims in kinds
                ]
            )
        )
        if len(lines) == LINES_PER_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


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
