"""Writing the whole-library downloads (CSV bundle, JSON Lines, SQLite) side by side in one pass
over each table, swapped in when complete, and reading the manifest of the last build."""

import csv
import gzip
import io
import json
import os
import sqlite3
import zipfile
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

from django.conf import settings

from ..browse.citations import LIBRARY_NAME
from ..browse.exports import spreadsheet_safe
from .tables import CHUNK_SIZE, TABLES, table_rows

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
        rows = table_rows(table)
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
