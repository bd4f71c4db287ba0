"""The SQLite half of the search index: an FTS5 table, and views and triggers that live between migration runs."""

from .kinds import (
    DEFERRED_MARK,
    FTS_TABLE,
    KINDS,
    KINDS_BY_NAME,
    PENDING_TABLE,
    TEXT_FUNCTION,
    entry_id_sql,
    names_sql,
    pending_keys_sql,
    refresh_rules,
    view_name,
    view_sql,
)

# The heads of entries (migration 0017): a search ranks only the entries whose head (title and
# names) matches, and lists the entries that match through their body alone newest first, so its
# work does not grow with the number of matches (see engine.py). SQLite reads the head through an
# FTS5 column filter; PostgreSQL keeps it in a generated column (postgresql.postgres_head_statements).
FTS_HEAD_COLUMNS = "{title names}"  # SQLite: the columns of an entry's head


def sqlite_refresh(kind, ids_sql, *, delete_only=False):
    """Statements re-indexing the items of `kind` whose keys `ids_sql` (a SELECT) gives (only
    removing them when `delete_only`, so a delete needs no Python function)."""
    delete = (
        f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT {entry_id_sql(kind, 'refreshed.id', 'sqlite')} "
        f"FROM ({ids_sql}) AS refreshed);"
    )
    if delete_only:
        return delete
    return (
        f"{delete} INSERT INTO {FTS_TABLE} (rowid, title, names, body) SELECT entry_id, {TEXT_FUNCTION}(title), "
        f"{names_sql(kind, 'sqlite')}, {TEXT_FUNCTION}(body) FROM {view_name(kind)} WHERE object_id IN ({ids_sql});"
    )


def sqlite_refresh_names(ids_sql):
    """A statement re-reading the names of the cases whose ids `ids_sql` gives: a link or a rename
    changes only them (no Python function, so raw SQL deletes of link rows work too)."""
    case = KINDS_BY_NAME["case"]
    return (
        f"UPDATE {FTS_TABLE} SET names = (SELECT doc.names FROM {view_name(case)} AS doc "
        f"WHERE doc.entry_id = {FTS_TABLE}.rowid) "
        f"WHERE rowid IN (SELECT {entry_id_sql(case, 'refreshed.id', 'sqlite')} FROM ({ids_sql}) AS refreshed);"
    )


def sqlite_refresh_presence(kind, ids_sql, *, delete_only=False):
    """Statements indexing the items of `kind` whose keys `ids_sql` gives that its view now holds and
    are not indexed yet, and removing those it no longer holds (a publicity rule: their text is
    unchanged, so an indexed item stays as it is). Only removing when `delete_only`, so a delete
    needs no Python function."""
    entry_id = entry_id_sql(kind, "refreshed.id", "sqlite")
    delete = (
        f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT {entry_id} FROM ({ids_sql}) AS refreshed "
        f"WHERE NOT EXISTS (SELECT 1 FROM {view_name(kind)} AS doc WHERE doc.object_id = refreshed.id));"
    )
    if delete_only:
        return delete
    return (
        f"{delete} INSERT INTO {FTS_TABLE} (rowid, title, names, body) SELECT entry_id, {TEXT_FUNCTION}(title), "
        f"{names_sql(kind, 'sqlite')}, {TEXT_FUNCTION}(body) FROM {view_name(kind)} AS doc "
        f"WHERE object_id IN ({ids_sql}) AND NOT EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE rowid = doc.entry_id);"
    )


def sqlite_statements():
    """The SQLite tables of the index (migration 0013). Its views and triggers are not here: see
    sqlite_attach_statements."""
    return [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, names, body, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
    ]


def sqlite_detach_statements():
    """Drop the index's views and triggers (not its tables)."""
    statements = [
        f"DROP TRIGGER IF EXISTS {name}"
        for number, _ in enumerate(refresh_rules())
        for name in (f"cases_search_{number}", f"cases_search_{number}_deferred")
    ]
    return statements + [f"DROP VIEW IF EXISTS {view_name(kind)}" for kind in KINDS]


# The triggers' test of "deferred": the transaction wrote the mark (a primary key lookup).
DEFERRED = f"EXISTS (SELECT 1 FROM {PENDING_TABLE} WHERE entry_id = {DEFERRED_MARK})"


def sqlite_defer_statements():
    """Statements making the current transaction defer the index (cases.search.deferral)."""
    return [f"INSERT OR IGNORE INTO {PENDING_TABLE} (entry_id) VALUES ({DEFERRED_MARK})"]


def sqlite_flush_statements(codes):
    """Statements ending a deferral: the entries of the pending items of the kinds `codes` rebuilt
    (two set-based statements a kind, as a row trigger's refresh does for one row), then the
    pending ids and the mark removed, so later statements of the transaction index as they go."""
    statements = []
    for kind in KINDS:
        if kind.code in codes:
            statements += [
                part.strip() + ";"
                for part in sqlite_refresh(kind, pending_keys_sql(kind, "sqlite")).split(";")
                if part.strip()
            ]
    return statements + [f"DELETE FROM {PENDING_TABLE}"]


def sqlite_attach_statements():
    """(Re)create the views and triggers and refill the index from them.

    SQLite alters a table by building a copy and renaming it, and refuses the rename while a view
    or trigger names the table; so the views and triggers exist only between migration runs:
    dropped before each run (pre_migrate) and recreated after it (post_migrate), see
    :func:`detach_for_migrations` and :func:`attach_after_migrations`.
    """
    statements = [
        *sqlite_detach_statements(),
        f"DELETE FROM {FTS_TABLE}",
        f"CREATE TABLE IF NOT EXISTS {PENDING_TABLE} (entry_id INTEGER PRIMARY KEY)",
    ]
    statements += [view_sql(kind, "sqlite") for kind in KINDS]
    for number, rule in enumerate(refresh_rules()):
        rows = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["OLD", "NEW"]}[rule.event]
        if rule.column and not rule.refreshes_own_rows:
            rows = ["NEW"]
        if rule.publicity:  # a link or a case's status: whether a term is indexed
            body = " ".join(
                sqlite_refresh_presence(rule.kind, rule.keys.format(row=row), delete_only=rule.event == "DELETE")
                for row in rows
            )
        elif not rule.refreshes_own_rows:  # a link row or a renamed taxonomy item: the cases' names
            body = " ".join(sqlite_refresh_names(rule.keys.format(row=row)) for row in rows)
        else:
            body = " ".join(
                sqlite_refresh(rule.kind, rule.keys.format(row=row), delete_only=rule.event == "DELETE") for row in rows
            )
            if rule.event == "UPDATE":  # the old key's entry goes only if the key changed; the new one is rebuilt
                key = rule.kind.key
                body = (
                    sqlite_refresh(
                        rule.kind, f"SELECT OLD.{key} AS id WHERE OLD.{key} IS NOT NEW.{key}", delete_only=True
                    )
                    + " "
                    + sqlite_refresh(rule.kind, rule.keys.format(row="NEW"))
                )
        event = f"UPDATE OF {', '.join(rule.columns)}" if rule.column else rule.event
        changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in rule.columns) or "1"
        statements.append(
            f"CREATE TRIGGER cases_search_{number} AFTER {event} ON {rule.table} "
            f"WHEN ({changed}) AND NOT {DEFERRED} BEGIN {body} END"
        )
        # Deferred: only the entry ids to refresh are recorded (old and new keys of an update).
        recorded = " UNION ".join(rule.keys.format(row=row) for row in rows)
        statements.append(
            f"CREATE TRIGGER cases_search_{number}_deferred AFTER {event} ON {rule.table} "
            f"WHEN ({changed}) AND {DEFERRED} BEGIN INSERT OR IGNORE INTO {PENDING_TABLE} (entry_id) "
            f"SELECT {entry_id_sql(rule.kind, 'refreshed.id', 'sqlite')} FROM ({recorded}) AS refreshed; END"
        )
    for kind in KINDS:
        statements.append(
            f"INSERT INTO {FTS_TABLE} (rowid, title, names, body) SELECT entry_id, {TEXT_FUNCTION}(title), "
            f"{names_sql(kind, 'sqlite')}, {TEXT_FUNCTION}(body) FROM {view_name(kind)}"
        )
    return statements


def sqlite_drop_statements():
    """Drop the whole index: views, triggers and the FTS5 table (migration 0013 reversed)."""
    return sqlite_detach_statements() + [f"DROP TABLE IF EXISTS {FTS_TABLE}", f"DROP TABLE IF EXISTS {PENDING_TABLE}"]


def _sqlite_index_exists(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE])
        return cursor.fetchone() is not None


def detach_for_migrations(sender, using, **kwargs):
    """pre_migrate receiver (SQLite): the index's views and triggers go while migrations run."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite" and _sqlite_index_exists(connection):
        with connection.cursor() as cursor:
            for statement in sqlite_detach_statements():
                cursor.execute(statement)


def attach_after_migrations(sender, using, **kwargs):
    """post_migrate receiver (SQLite): the views and triggers back, the index refilled from them."""
    from django.db import connections, transaction

    connection = connections[using]
    if connection.vendor == "sqlite" and _sqlite_index_exists(connection):
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for statement in sqlite_attach_statements():
                cursor.execute(statement)


def register_sqlite_functions(sender, connection, **kwargs):
    """connection_created receiver: the SQLite triggers call search_text() of cases.search.text."""
    if connection.vendor != "sqlite":
        return
    from ..text import search_text

    connection.connection.create_function(TEXT_FUNCTION, 1, lambda text: search_text(text or ""), deterministic=True)
