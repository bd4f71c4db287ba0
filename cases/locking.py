"""Writers that must not interleave: the importer's stores of one file, across processes."""

import zlib

from django.db import connection

# One key for every import: two runs of the same folder at once store file after file in turn.
IMPORT_LOCK_KEY = zlib.crc32(b"cases.importing")


def hold_import_lock():
    """Wait until no other import is storing a file, and keep that turn to the end of the caller's
    transaction (call it inside `transaction.atomic()`, before the first read it depends on).

    PostgreSQL: a transaction-level advisory lock, so the reads that decide "create or update"
    see what the other import committed, and no unique constraint is hit halfway. SQLite needs
    nothing here: its transactions are IMMEDIATE (kb.settings), so they queue for the write lock
    when they begin.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
