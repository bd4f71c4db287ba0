"""The library's version: a number that changes with every write to what the case browser counts
and the case page shows.

Cached facet counts, the case browser's cached HTML and the case page's are keyed by it
(cases/browse/facets.py, cases/views/case_browser.py, cases/views/case_page.py), so a publish, an
unpublish, an edit, a link change, a rename, a bulk update, an import or raw SQL makes the next
request count and render afresh:
database triggers change it, on every table the browser's filters and facets read, in the
writing transaction. Readers of other transactions see the new number when the write commits,
never before, so no reader caches the old counts under the new number.

Each change draws a random 63-bit number rather than adding one: a transaction rolled back (and
the counts it may have cached) leaves a number nobody will read again, where a counter would
come back to it with other data.

The triggers are raw SQL because Django has none; the row lives in the LibraryVersion model.
They are (re)created after every migration run (post_migrate), on SQLite also dropped before it:
SQLite rebuilds a table to alter it, which drops the triggers on it.
"""

import contextvars
import hashlib
import secrets
import threading
from collections import OrderedDict

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.urls import get_script_prefix

from .search.schema import SEARCH_LOCK_KEY

VERSION_TABLE = "cases_library_version"
# Every table the case browser's filters, facets, names and text search read, every table the
# case page reads (its quotes, their sources and claims, its story evidence and supporting links),
# and the charts' and network's aggregates cached under the version (memoized below).
WATCHED_TABLES = (
    "cases_case",
    "cases_case_countries",
    "cases_country",
    "cases_case_themes",
    "cases_theme",
    "cases_case_approaches",
    "cases_approach",
    "cases_participation",
    "cases_organisation",
    "cases_casechallenge",
    "cases_challenge",
    "cases_casesuccessfactor",
    "cases_successfactor",
    # The quotes and their links: a claim counts as evidenced by a quote linked to its case and term
    # (cases/claims/bulk.py: evidenced_claim_counts, the challenge and success-factor charts).
    "cases_quote",
    "cases_quote_cases",
    "cases_quote_challenges",
    "cases_quote_success_factors",
    "cases_source",
    "cases_document",
    "cases_storyevidence",
    "cases_storyevidence_quotes",
    "cases_supportinglink",
    "cases_case_publications",
)
EVENTS = ("INSERT", "UPDATE", "DELETE")


def _trigger(table, event=""):
    return f"cases_library_version_{table}{'_' + event.lower() if event else ''}"


def sqlite_drop_statements():
    return [f"DROP TRIGGER IF EXISTS {_trigger(table, event)}" for table in WATCHED_TABLES for event in EVENTS]


def sqlite_statements():
    """Row triggers: SQLite has no statement triggers; a single-row update per written row is cheap."""
    return sqlite_drop_statements() + [
        f"CREATE TRIGGER {_trigger(table, event)} AFTER {event} ON {table} "
        f"BEGIN UPDATE {VERSION_TABLE} SET version = abs(random() % 9223372036854775807); END"
        for table in WATCHED_TABLES
        for event in EVENTS
    ]


def postgres_drop_statements():
    return [f"DROP TRIGGER IF EXISTS {_trigger(table)} ON {table}" for table in WATCHED_TABLES] + [
        f"DROP TRIGGER IF EXISTS {_trigger(table, 'truncate')} ON {table}" for table in WATCHED_TABLES
    ]


def postgres_statements():
    """Statement triggers. The function first takes the search index's advisory lock, as every
    trigger of the index does, so writers always lock in one order (that lock, then this row) and
    two transactions writing cases and quotes in opposite orders cannot deadlock."""
    statements = [
        f"""CREATE OR REPLACE FUNCTION cases_library_version_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock({SEARCH_LOCK_KEY});
            UPDATE {VERSION_TABLE} SET version = floor(random() * 9.2e18)::bigint;
            RETURN NULL;
        END $$""",
        *postgres_drop_statements(),
    ]
    for table in WATCHED_TABLES:
        statements.append(
            f"CREATE TRIGGER {_trigger(table)} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION cases_library_version_change()"
        )
        statements.append(
            f"CREATE TRIGGER {_trigger(table, 'truncate')} AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION cases_library_version_change()"
        )
    return statements


def _table_exists(connection):
    return VERSION_TABLE in connection.introspection.table_names()


def detach_for_migrations(sender, using, **kwargs):
    """pre_migrate receiver (SQLite): the triggers go while migrations rebuild tables."""
    connection = connections[using]
    if connection.vendor == "sqlite" and _table_exists(connection):
        with connection.cursor() as cursor:
            for statement in sqlite_drop_statements():
                cursor.execute(statement)


def attach_after_migrations(sender, using, **kwargs):
    """post_migrate receiver: (re)create the triggers, and change the version (a migration may
    have changed the data without them)."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql") or not _table_exists(connection):
        return
    statements = sqlite_statements() if connection.vendor == "sqlite" else postgres_statements()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    bump(using=using)


def bump(*, using="default"):
    """Change the version by hand (a write that bypasses the watched tables' triggers: none in the app)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"UPDATE {VERSION_TABLE} SET version = %s", [_fresh()])


def current(*, using="default"):
    """The version (an int) as this transaction sees it; the row is created when missing (a new or
    flushed database), with a fresh random number so no earlier cache entry matches."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT version FROM {VERSION_TABLE} WHERE id = 1")
        row = cursor.fetchone()
        if row is not None:
            return row[0]
        version = _fresh()
        cursor.execute(
            f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, %s) ON CONFLICT (id) DO NOTHING", [version]
        )
        cursor.execute(f"SELECT version FROM {VERSION_TABLE} WHERE id = 1")
        return cursor.fetchone()[0]


def cache_key(name, parts, *, version, using="default"):
    """The cache key of something computed from the library as of `version` (an int from
    current()): `name` says what it is, `parts` (any value with a stable repr) what it was computed
    for. A write changes the version, so an entry under an older key is never read again.

    The request's script prefix is part of every key: the cached pages and exports hold URLs that
    reverse() starts with it, and it comes from the request (SCRIPT_NAME, which gunicorn takes from a
    header sent by the addresses it trusts), so one client's prefix is never served to others."""
    digest = hashlib.sha256(repr((get_script_prefix(), parts)).encode()).hexdigest()
    return f"{name}:{connections[using].vendor}:{version}:{digest}"


def cached(name, parts, compute, *, version=None, using="default"):
    """compute()'s value (not None) from the shared cache under cache_key(name, parts), computed
    and stored when missing: a write changes the version, so a value read here is never stale.
    `version`: current()'s number when the caller has read it already (None reads it: one query).
    An exception from compute() reaches the caller and nothing is stored."""
    if version is None:
        version = current(using=using)
    key = cache_key(name, parts, version=version, using=using)
    value = cache.get(key)
    if value is None:
        # What compute() memoizes is kept under this version, without reading it again.
        token = _computing.set((using, version))
        try:
            value = compute()
        finally:
            _computing.reset(token)
        cache.set(key, value)
    return value


# (database alias, version) while cached() computes a value under that version: a value memoized
# meanwhile (a rendered select list of the page) is of the same library, so it needs no query of
# its own for the version. A value read after the version and stored under it is never stale.
_computing = contextvars.ContextVar("library_version_computing", default=None)


def in_use(*, using="default"):
    """The version cached() is computing a value under (no query), else current()'s (one query)."""
    computing = _computing.get()
    return computing[1] if computing is not None and computing[0] == using else current(using=using)


# A streamed export is kept whole in the cache up to this many characters (the export of a
# country's cases: about 2 MB); a larger one (the whole library) is streamed every time.
CACHED_STREAM_MAX_CHARACTERS = 4_000_000


def cached_stream(name, parts, generate, *, using="default"):
    """A generator of the pieces of text generate() yields (a streamed export), as cached() keeps
    a value: from the shared cache under cache_key(name, parts) when a request under the same
    version stored them (then as one piece), else generated and streamed piece by piece, and
    stored once complete when it holds at most CACHED_STREAM_MAX_CHARACTERS.

    The version is read when the stream starts, before generate() reads anything, so what is
    stored under a version was read at that version or later. An exception from generate()
    reaches the reader mid-stream and nothing is stored."""
    version = current(using=using)
    key = cache_key(name, parts, version=version, using=using)
    stored = cache.get(key)
    if stored is not None:
        yield stored
        return
    pieces, size = [], 0
    for piece in generate():
        if pieces is not None:
            size += len(piece)
            if size <= CACHED_STREAM_MAX_CHARACTERS:
                pieces.append(piece)
            else:
                pieces = None
        yield piece
    if pieces is not None:
        cache.set(key, "".join(pieces))


def _fresh():
    return secrets.randbits(63)


# Values computed from the watched tables, per process, of one version: {(name, key): value}, the
# most recently used last.
MEMO_SIZE = 256  # values kept (filtered sets each have their own): a bound on memory, not on hits
_memo = {"version": None, "values": OrderedDict()}
_memo_lock = threading.Lock()


def memoized(name, compute, *, key=(), version=None, using="default"):
    """compute() (an aggregate over the watched tables), remembered by this process until the
    library version changes: one query (the version) instead of the aggregate while nothing is
    written. `name` and `key` (hashable, e.g. a digest of the aggregate's SQL and parameters) tell
    values apart; the MEMO_SIZE most recently used are kept.

    Per process rather than in the shared cache: a hit then costs no second round trip, and a
    value is never stale, since every write changes the version in the writing transaction
    (a value computed while a write commits is kept under the old number, which no later request
    reads). Each gunicorn worker computes a value once per version. `version`: current()'s number
    when the caller has read it already; None reads it (one query), except inside cached()'s
    compute, where the version it read serves (no query)."""
    if version is None:
        version = in_use(using=using)
    memo_key = (name, key)
    with _memo_lock:  # threaded workers share the dict
        if _memo["version"] != (using, version):
            _memo["version"], _memo["values"] = (using, version), OrderedDict()
        values = _memo["values"]
        if memo_key in values:
            values.move_to_end(memo_key)
            return values[memo_key]
    value = compute()
    with _memo_lock:
        if _memo["values"] is values:  # not replaced by a newer version meanwhile
            values[memo_key] = value
            while len(values) > MEMO_SIZE:
                values.popitem(last=False)
    return value


def query_key(queryset):
    """A digest of a queryset's SQL and parameters, for memoized's `key` ("empty" for a queryset
    that cannot match, which Django compiles to no SQL)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return "empty"
    return hashlib.sha256(repr((sql, params)).encode()).hexdigest()
