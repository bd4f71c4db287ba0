"""The database cache (CACHE_BACKEND "database"): Django's, except that on SQLite a cache write
never makes a request wait long for, nor fail on, the write lock.

SQLite has one writer at a time, and the pages write the cache (the case browser's panels, the
case page, /quotes/: cached under the library version), as does reading an entry that has expired
(Django deletes it). The lock can be held for long: an import holds it for its whole run (one
transaction, cases/importing/importer.py). Each cache write used to wait up to SQLITE_TIMEOUT
seconds for it (a cache miss of /cases/?q=… three times over), and the delete of an expired entry
then failed the page with "database is locked".

Here a cache write on SQLite waits at most CACHE_LOCK_WAIT_MS for the lock, then gives up: a set or
add returns False (the page is served uncached, as Django's backend already does on a database
error), a delete leaves the entry to be deleted by a later read. A cache is a cache: losing a write
costs a recomputation, never a wrong answer (the entries are keyed by the library version).
The rate limits' request counts (cases/views/limits.py: count_request) wait as little, and fail open.
PostgreSQL locks rows, not the database: nothing changes there.
"""

from contextlib import contextmanager

from django.conf import settings
from django.core.cache.backends import db
from django.db import DatabaseError, connections, router, transaction


@contextmanager
def short_lock_wait(alias):
    """On SQLite, outside a transaction, wait at most settings.CACHE_LOCK_WAIT_MS for the write lock
    (SQLite's busy timeout, restored afterwards); elsewhere a no-op. Inside a transaction the lock
    is already held (transactions begin IMMEDIATE: kb/settings.py), so nothing waits."""
    connection = connections[alias]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {int(settings.CACHE_LOCK_WAIT_MS)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {previous}")


class DatabaseCache(db.DatabaseCache):
    """django.core.cache.backends.db.DatabaseCache whose writes wait little for SQLite's lock
    (short_lock_wait) and whose sets (their cull included) and deletes fail quietly (False) on a
    database error."""

    def _alias(self):
        return router.db_for_write(self.cache_model_class)

    def _base_set(self, mode, key, value, timeout=db.DEFAULT_TIMEOUT):
        alias = self._alias()
        with short_lock_wait(alias):
            try:
                # Django's set culls the table (past MAX_ENTRIES) outside its own error handling:
                # on SQLite that delete can meet a held write lock ("database is locked", a 500
                # found by QA). One transaction (a savepoint inside a caller's) for the count, the
                # cull and the write, and any database error is a write not made.
                with transaction.atomic(using=alias):
                    return super()._base_set(mode, key, value, timeout)
            except DatabaseError:
                return False

    def _base_delete_many(self, keys):
        if not keys:
            return False
        alias = self._alias()
        with short_lock_wait(alias):
            try:
                # A savepoint inside a caller's transaction keeps a failure from aborting it.
                with transaction.atomic(using=alias):
                    return super()._base_delete_many(keys)
            except DatabaseError:
                return False
