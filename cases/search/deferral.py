"""Deferring the search index for a bulk write: one set-based refresh instead of one per statement.

Inside :func:`deferred_index` the index triggers of the current transaction only record the entry
ids they would refresh (schema.PENDING_TABLE); when the block ends, the entries of all of them are
refreshed at once, per kind, by the same views and refresh statements the triggers use, so the
index ends exactly as row-by-row triggers leave it. The refresh runs in the block's transaction
(or savepoint): readers never see rows without their entries, and a block that fails leaves
neither rows nor entries. Writes by other connections meanwhile are indexed by their own
triggers, as always (PostgreSQL: the setting is local to the deferring transaction; SQLite: the
deferring transaction holds the only write lock).

What it saves: on PostgreSQL each statement's refresh upserted the vocabulary's count of every
word it indexed, so a common word was counted once per file; deferred, once per block. On SQLite
one INSERT … SELECT a kind replaces a trigger program per row.
"""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .schema import (
    KIND_BITS,
    PENDING_TABLE,
    postgres_defer_statements,
    postgres_flush_statements,
    sqlite_defer_statements,
    sqlite_flush_statements,
)

__all__ = ["deferred_index"]


@contextmanager
def deferred_index(using=DEFAULT_DB_ALIAS):
    """A transaction (a savepoint inside another) whose index work waits for its end, then runs set-based.

    Nested blocks are part of the outermost one, which refreshes. An exception inside rolls the
    block back, its pending ids with it, and propagates.
    """
    connection = connections[using]
    if getattr(connection, "search_index_deferred", False):
        with transaction.atomic(using=using):
            yield
        return
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            for statement in postgres_defer_statements() if postgresql else sqlite_defer_statements():
                cursor.execute(statement)
        connection.search_index_deferred = True
        try:
            yield
        finally:
            connection.search_index_deferred = False
        _refresh_pending(connection, postgresql=postgresql)


def _refresh_pending(connection, *, postgresql):
    """Refresh the entries of every pending id, kind by kind, and end the deferral."""
    table = f"pg_temp.{PENDING_TABLE}" if postgresql else PENDING_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT entry_id % {KIND_BITS} FROM {table} WHERE entry_id >= 0")
        codes = {code for (code,) in cursor.fetchall()}
        for statement in postgres_flush_statements(codes) if postgresql else sqlite_flush_statements(codes):
            cursor.execute(statement)
