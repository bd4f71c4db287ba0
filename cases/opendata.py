"""The whole published library as downloads (/data/, `manage.py export_library`): a zipped CSV
bundle (one file per table and a README of its columns), JSON Lines (gzipped, one object a row,
its table named in "table") and a SQLite file, written side by side in one pass over each table.

Published content only, by the pages' rules: published cases and their links; the themes,
approaches and organisations a published case links to; every country, challenge, success
factor, source, document, topic and quote (a quote's links name only published cases). Rows are
read with `.iterator(chunk_size=CHUNK_SIZE)` as plain tuples, so memory stays flat whatever the
size of the library. The files are built under temporary names and swapped in when complete.
"""

import csv
import gzip
import io
import json
import os
import sqlite3
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

from django.conf import settings

from .browse.citations import LIBRARY_NAME
from .browse.exports import spreadsheet_safe
from .models import (
    Approach,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Country,
    Document,
    Organisation,
    Participation,
    Quote,
    Source,
    StorySection,
    SuccessFactor,
    SupportingLink,
    Theme,
    Topic,
)

CHUNK_SIZE = 2000
# The case story's sections (issue 18) as columns of the cases table, in the case page's order.
STORY_COLUMNS = [(section, section.field_name) for section in StorySection]
CSV_BUNDLE = "library-csv.zip"
JSON_LINES = "library.jsonl.gz"
SQLITE = "library.sqlite"
MANIFEST = "manifest.json"
FILES = {
    CSV_BUNDLE: "CSV bundle: one file per table, zipped, with a README of the columns",
    JSON_LINES: 'JSON Lines (gzipped): one object per row, its table in "table"',
    SQLITE: "SQLite database: opens in Datasette or any SQLite client",
}
LICENCE = (
    "The library's case descriptions and the summary documents its evidence was imported from are "
    "published under the MIT licence. The recordings and reports they summarise remain their "
    "publishers' own: follow a quote's link to the original source."
)


def citation(built_at, address="/data/"):
    """How to cite the whole download (a str), dated by its build time; `address`: the /data/ page's
    absolute URL when known (the page gives it; the bundle's README, built offline, cannot)."""
    return f"{LIBRARY_NAME}. ({built_at:%Y}). Whole-library download, built {built_at:%Y-%m-%d}. {address}"


@dataclass(frozen=True)
class Table:
    """One exported table: its name, what it holds, its columns ((name, SQLite type, meaning)),
    and `rows()`: the queryset whose values_list gives the columns in order."""

    name: str
    description: str
    columns: tuple
    rows: object  # a function returning a values_list queryset

    @property
    def column_names(self):
        return [name for name, _, _ in self.columns]


def _published_cases():
    return Case.objects.published()


def _public(model):
    return model.objects.public().order_by("pk")


def _links(model, *values, **extra):
    return model.objects.filter(case__in=_published_cases()).order_by("pk").values_list(*values, **extra)


def _case_ids():
    return _published_cases().values("pk")


TABLES = (
    Table(
        "cases",
        "Published cases",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", "the case page is /cases/<slug>/"),
            ("title", "TEXT", ""),
            ("summary", "TEXT", "one paragraph, plain text"),
            ("body", "TEXT", "Markdown source"),
            ("stage", "TEXT", "idea, pilot, scaling, institutionalised or empty"),
            ("start_year", "INTEGER", ""),
            ("end_year", "INTEGER", "empty: still running or unknown"),
            ("website", "TEXT", ""),
            ("level_of_government", "TEXT", "local, regional, national, supranational, several or empty"),
            ("contact_email", "TEXT", "the organisation's contact address, or empty"),
            *((field, "TEXT", f"case story, Markdown: {section.label}") for section, field in STORY_COLUMNS),
            ("results_evidence", "TEXT", "the results are evidence_based, expected, not_yet_known or empty"),
            ("parent_id", "INTEGER", "cases.id of the initiative it is part of (published only)"),
            ("published_at", "TEXT", "ISO 8601, UTC"),
            ("updated_at", "TEXT", "ISO 8601, UTC"),
        ),
        lambda: (
            _published_cases()
            .order_by("pk")
            .values_list(
                "pk",
                "slug",
                "title",
                "summary",
                "body",
                "stage",
                "start_year",
                "end_year",
                "website",
                "level_of_government",
                "contact_email",
                *(field for _, field in STORY_COLUMNS),
                "results_evidence",
                "parent_id",
                "parent__status",
                "published_at",
                "updated_at",
            )
        ),
    ),
    Table(
        "supporting_links",
        "Documents about a published case elsewhere on the web (the case page's further reading)",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("title", "TEXT", ""),
            ("url", "TEXT", ""),
            ("kind", "TEXT", "report, video, dataset or article"),
        ),
        lambda: _links(SupportingLink, "case_id", "title", "url", "kind"),
    ),
    Table(
        "case_countries",
        "Countries taking part in each case",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("country_code", "TEXT", "countries.code"),
        ),
        lambda: _links(Case.countries.through, "case_id", "country_id"),
    ),
    Table(
        "case_themes",
        "Themes of each case",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("theme_id", "INTEGER", "themes.id"),
        ),
        lambda: _links(Case.themes.through, "case_id", "theme_id"),
    ),
    Table(
        "case_approaches",
        "Innovation approaches of each case",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("approach_id", "INTEGER", "approaches.id"),
        ),
        lambda: _links(Case.approaches.through, "case_id", "approach_id"),
    ),
    Table(
        "participations",
        "Organisations taking part in each case, with their role",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("organisation_id", "INTEGER", "organisations.id"),
            ("role", "TEXT", "lead, partner, funder, host or member"),
        ),
        lambda: _links(Participation, "case_id", "organisation_id", "role"),
    ),
    Table(
        "case_challenges",
        "Challenges each case met (a claim), with the curator's note",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("challenge_id", "INTEGER", "challenges.id"),
            ("note", "TEXT", ""),
        ),
        lambda: _links(CaseChallenge, "case_id", "challenge_id", "note"),
    ),
    Table(
        "case_success_factors",
        "Success factors each case shows (a claim), with the curator's note",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("success_factor_id", "INTEGER", "success_factors.id"),
            ("note", "TEXT", ""),
        ),
        lambda: _links(CaseSuccessFactor, "case_id", "success_factor_id", "note"),
    ),
    Table(
        "countries",
        "ISO 3166-1 countries",
        (
            ("code", "TEXT PRIMARY KEY", "alpha-2, upper case"),
            ("name", "TEXT", ""),
            ("region", "TEXT", ""),
        ),
        lambda: Country.objects.order_by("code").values_list("code", "name", "region"),
    ),
    Table(
        "themes",
        "Policy domains a published case is filed under",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("name", "TEXT", ""),
            ("description", "TEXT", ""),
        ),
        lambda: _public(Theme).values_list("pk", "slug", "name", "description"),
    ),
    Table(
        "approaches",
        "Innovation approaches of published cases",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("name", "TEXT", ""),
            ("family", "TEXT", "collective_intelligence, experimentation or governance"),
            ("description", "TEXT", ""),
        ),
        lambda: _public(Approach).values_list("pk", "slug", "name", "family", "description"),
    ),
    Table(
        "organisations",
        "Organisations taking part in published cases",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("name", "TEXT", ""),
            ("kind", "TEXT", ""),
            ("country_code", "TEXT", "countries.code or empty"),
            ("website", "TEXT", ""),
        ),
        lambda: _public(Organisation).values_list("pk", "slug", "name", "kind", "country_id", "website"),
    ),
    Table(
        "challenges",
        "Barriers to cross-border innovation",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("name", "TEXT", ""),
            ("description", "TEXT", "Markdown"),
            ("position", "INTEGER", "order in the list"),
        ),
        lambda: Challenge.objects.order_by("pk").values_list("pk", "slug", "name", "description", "order"),
    ),
    Table(
        "success_factors",
        "Enablers of cross-border innovation",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("name", "TEXT", ""),
            ("kind", "TEXT", "project or ecosystem"),
            ("description", "TEXT", "Markdown"),
            ("position", "INTEGER", "order in its kind"),
        ),
        lambda: SuccessFactor.objects.order_by("pk").values_list("pk", "slug", "name", "kind", "description", "order"),
    ),
    Table(
        "sources",
        "Recorded webinars, reports and web pages the evidence comes from",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", "for a video: its YouTube id"),
            ("kind", "TEXT", "video, report or web"),
            ("title", "TEXT", ""),
            ("url", "TEXT", ""),
            ("youtube_id", "TEXT", ""),
            ("channel", "TEXT", ""),
            ("publisher", "TEXT", ""),
            ("published_on", "TEXT", "ISO 8601 date"),
            ("duration_seconds", "INTEGER", "checked by a curator"),
        ),
        lambda: Source.objects.order_by("pk").values_list(
            "pk",
            "slug",
            "kind",
            "title",
            "url",
            "youtube_id",
            "channel",
            "publisher",
            "published_on",
            "duration_seconds",
        ),
    ),
    Table(
        "documents",
        "Imported webinar summary articles",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("title", "TEXT", ""),
            ("source_id", "INTEGER", "sources.id"),
            ("body", "TEXT", "Markdown with timestamp links"),
            ("needs_review", "INTEGER", "1: its timestamps are under review"),
        ),
        lambda: Document.objects.order_by("pk").values_list("pk", "slug", "title", "source_id", "body", "needs_review"),
    ),
    Table(
        "topics",
        "Wiki-link targets of the documents",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("label", "TEXT", ""),
        ),
        lambda: Topic.objects.order_by("pk").values_list("pk", "slug", "label"),
    ),
    Table(
        "quotes",
        "Timestamped statements from the sources",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id: the quote page is /quotes/<id>/"),
            ("text", "TEXT", ""),
            ("source_id", "INTEGER", "sources.id"),
            ("document_id", "INTEGER", "documents.id or empty"),
            ("start_second", "INTEGER", "second of the recording the statement starts at"),
            ("other_seconds", "TEXT", "JSON list of every other second cited for it"),
            ("time_status", "TEXT", "exact, corrected or under_review"),
            ("corrected_from_seconds", "INTEGER", "the second the import corrected (time_status corrected)"),
            ("heading_path", "TEXT", "headings it stood under, ' > '-joined"),
        ),
        lambda: Quote.objects.order_by("pk").values_list(
            "pk",
            "text",
            "source_id",
            "document_id",
            "start_second",
            "other_seconds",
            "time_status",
            "corrected_from_seconds",
            "heading_path",
        ),
    ),
    Table(
        "quote_cases",
        "Published cases each quote is evidence for",
        (
            ("quote_id", "INTEGER", "quotes.id"),
            ("case_id", "INTEGER", "cases.id"),
        ),
        lambda: (
            Quote.cases.through.objects.filter(case__in=_case_ids()).order_by("pk").values_list("quote_id", "case_id")
        ),
    ),
    Table(
        "quote_challenges",
        "Challenges each quote is evidence of",
        (
            ("quote_id", "INTEGER", "quotes.id"),
            ("challenge_id", "INTEGER", "challenges.id"),
        ),
        lambda: Quote.challenges.through.objects.order_by("pk").values_list("quote_id", "challenge_id"),
    ),
    Table(
        "quote_success_factors",
        "Success factors each quote is evidence of",
        (
            ("quote_id", "INTEGER", "quotes.id"),
            ("success_factor_id", "INTEGER", "success_factors.id"),
        ),
        lambda: Quote.success_factors.through.objects.order_by("pk").values_list("quote_id", "successfactor_id"),
    ),
)


def _rows(table):
    """The table's rows as tuples in its columns' order (the cases' parent only when published)."""
    rows = table.rows().iterator(chunk_size=CHUNK_SIZE)
    if table.name != "cases":
        yield from rows
        return
    for *head, parent_id, parent_status, published_at, updated_at in rows:
        yield (*head, parent_id if parent_status == Case.Status.PUBLISHED else None, published_at, updated_at)


def _plain(value):
    """A value as SQLite, CSV and JSON all take it: dates as ISO 8601 text, lists as JSON text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


def readme(built_at):
    """The CSV bundle's README: what each file holds and what each column means (Markdown)."""
    lines = [
        f"# {LIBRARY_NAME}: the published library",
        "",
        f"Built {built_at.isoformat()}.",
        "",
        "Text cells that a spreadsheet would run as a formula (starting with =, +, - or @) are "
        "prefixed with an apostrophe in the CSV files only; the SQLite and JSON Lines files hold the text as is.",
        "",
        "## Licence",
        "",
        LICENCE,
        "",
        "## How to cite",
        "",
        citation(built_at),
        "",
        "## Tables",
        "",
    ]
    for table in TABLES:
        lines += [f"### {table.name}.csv", "", table.description + ".", "", "| column | meaning |", "|---|---|"]
        lines += [f"| {name} | {meaning} |" for name, _, meaning in table.columns]
        lines.append("")
    return "\n".join(lines)


def export_library(*, directory=None, now=None):
    """Write the three downloads and their manifest into `directory` (default OPEN_DATA_DIR),
    replacing any older build only once the new one is complete. Returns the manifest:
    {"built_at": ISO 8601, "tables": {name: row count}, "files": {name: {"size": bytes, "description": str}}}."""
    directory = Path(directory or settings.OPEN_DATA_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    built_at = now or datetime.now(UTC)
    partial = {name: directory / f".{name}.partial" for name in FILES}
    for path in partial.values():
        path.unlink(missing_ok=True)
    database = sqlite3.connect(partial[SQLITE])
    counts = {}
    try:
        with (
            zipfile.ZipFile(partial[CSV_BUNDLE], "w", compression=zipfile.ZIP_DEFLATED) as bundle,
            gzip.open(partial[JSON_LINES], "wt", encoding="utf-8", compresslevel=6) as lines,
        ):
            bundle.writestr("README.md", readme(built_at))
            for table in TABLES:
                counts[table.name] = _write_table(
                    table, database=database, bundle=bundle, lines=lines, built_at=built_at
                )
        database.commit()
    finally:
        database.close()
    manifest = {
        "built_at": built_at.isoformat(),
        "tables": counts,
        "files": {name: {"size": partial[name].stat().st_size, "description": FILES[name]} for name in FILES},
    }
    for name, path in partial.items():
        os.replace(path, directory / name)
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def _write_table(table, *, database, bundle, lines, built_at):
    """Write `table` into the SQLite database, the zip bundle (as CSV, text cells formula-guarded
    as in the browser's exports) and the JSON Lines file, a chunk at a time; returns its row count."""
    names = table.column_names
    database.execute(f'CREATE TABLE "{table.name}" ({", ".join(f"{name} {kind}" for name, kind, _ in table.columns)})')
    insert = f'INSERT INTO "{table.name}" VALUES ({", ".join("?" * len(names))})'
    count = 0
    entry = zipfile.ZipInfo(f"{table.name}.csv", date_time=built_at.timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    with bundle.open(entry, "w") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(names)
        rows = _rows(table)
        while chunk := [tuple(_plain(value) for value in row) for row in islice(rows, CHUNK_SIZE)]:
            database.executemany(insert, chunk)
            writer.writerows(
                [spreadsheet_safe(value) if isinstance(value, str) else value for value in row] for row in chunk
            )
            lines.writelines(
                json.dumps({"table": table.name, **dict(zip(names, row))}, ensure_ascii=False) + "\n" for row in chunk
            )
            count += len(chunk)
        text.flush()
        text.detach()
    return count


def read_manifest(directory=None):
    """The manifest of the last build (see export_library), or None when there is none yet."""
    path = Path(directory or settings.OPEN_DATA_DIR) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
