"""The whole published library as downloads (/data/, `manage.py export_library`): a zipped CSV
bundle (one file per table and a README of its columns), JSON Lines (gzipped, one object a row,
its table named in "table") and a SQLite file, written side by side in one pass over each table.

Published content only, by the pages' rules: published cases and their links; the themes,
approaches and organisations a published case links to; every country, challenge, success
factor, source, document, topic and quote (a quote's links name only published cases). Rows are
read with `.iterator(chunk_size=CHUNK_SIZE)` as plain tuples, so memory stays flat whatever the
size of the library. The files are built under temporary names and swapped in when complete.

The package: `tables.py` (what each table holds and the query of its rows), `export.py` (writing
the files and the manifest). The names below are those the rest of the project imports.
"""

from .export import CSV_BUNDLE, FILES, JSON_LINES, LICENCE, MANIFEST, SQLITE, citation, export_library, read_manifest
from .tables import TABLES

__all__ = [
    "CSV_BUNDLE",
    "FILES",
    "JSON_LINES",
    "LICENCE",
    "MANIFEST",
    "SQLITE",
    "TABLES",
    "citation",
    "export_library",
    "read_manifest",
]
