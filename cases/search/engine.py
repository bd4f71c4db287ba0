"""Running a parsed query against the search index: SQLite FTS5 or PostgreSQL full-text search.

Both answer the same entries for the same query (the index and the query are built the same way,
see schema.py and query.py); they rank differently: bm25 on SQLite, ts_rank on PostgreSQL, each
weighting the title above the names of what an item links to, above its body.
"""
from django.db import connection

from . import schema

KIND_BITS = schema.KIND_BITS


def postgres():
    return connection.vendor == "postgresql"


def expression(parsed):
    """The query in the database's own syntax (the one parameter of the SQL below)."""
    return parsed.tsquery() if postgres() else parsed.fts5()


def scored_sql():
    """SELECT entry, score (higher is better) of the entries matching %s."""
    if postgres():
        return (
            f"SELECT id AS entry, ts_rank('{{0.1, 0.2, 0.4, 1.0}}', vector, query) AS score "
            f"FROM {schema.ENTRY_TABLE}, to_tsquery('{schema.CONFIG}', %s) AS query WHERE vector @@ query"
        )
    fts = schema.FTS_TABLE
    return f"SELECT rowid AS entry, -bm25({fts}, 10.0, 4.0, 1.0) AS score FROM {fts} WHERE {fts} MATCH %s"


def matched_sql():
    """SELECT entry of the entries matching %s, unranked (cheaper)."""
    if postgres():
        return (f"SELECT id AS entry FROM {schema.ENTRY_TABLE} "
                f"WHERE vector @@ to_tsquery('{schema.CONFIG}', %s)")
    return f"SELECT rowid AS entry FROM {schema.FTS_TABLE} WHERE {schema.FTS_TABLE} MATCH %s"


def ids_sql(kind_code):
    """SELECT of the object ids of one (integer-keyed) kind matching %s: for `pk IN (…)`."""
    return (f"SELECT matched.entry / {KIND_BITS} FROM ({matched_sql()}) AS matched "
            f"WHERE matched.entry %% {KIND_BITS} = {kind_code}")


def scored_ids(parsed, kind_code):
    """[(object id, score)] of one (integer-keyed) kind matching the query, best first."""
    sql = (f"SELECT scored.entry / {KIND_BITS}, scored.score FROM ({scored_sql()}) AS scored "
           f"WHERE scored.entry %% {KIND_BITS} = {kind_code} ORDER BY scored.score DESC, scored.entry")
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression(parsed)])
        return cursor.fetchall()


def counts(parsed):
    """{kind code: number of matching entries}."""
    sql = (f"SELECT matched.entry %% {KIND_BITS}, count(*) FROM ({matched_sql()}) AS matched "
           f"GROUP BY matched.entry %% {KIND_BITS}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression(parsed)])
        return dict(cursor.fetchall())


def best_of_each_kind(parsed, per_kind):
    """{kind code: (count, [object key, …] best first)}: one query for every kind."""
    sql = (
        "SELECT ranked.entry, ranked.total FROM ("
        f"SELECT scored.entry, row_number() OVER (PARTITION BY scored.entry %% {KIND_BITS} "
        "ORDER BY scored.score DESC, scored.entry) AS position, "
        f"count(*) OVER (PARTITION BY scored.entry %% {KIND_BITS}) AS total "
        f"FROM ({scored_sql()}) AS scored) AS ranked WHERE ranked.position <= %s "
        "ORDER BY ranked.entry %% 16, ranked.position"
    )
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression(parsed), per_kind])
        for entry, total in cursor.fetchall():
            code = entry % KIND_BITS
            found.setdefault(code, (total, []))[1].append(object_key(entry))
    return found


def page_of_kind(parsed, kind_code, offset, limit):
    """[object key, …] of one kind, best first, from `offset`."""
    sql = (f"SELECT scored.entry FROM ({scored_sql()}) AS scored WHERE scored.entry %% {KIND_BITS} = %s "
           "ORDER BY scored.score DESC, scored.entry LIMIT %s OFFSET %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression(parsed), kind_code, limit, offset])
        return [object_key(entry) for (entry,) in cursor.fetchall()]


def object_key(entry):
    """The primary key an entry id stands for (a country's code for a country)."""
    number, code = divmod(entry, KIND_BITS)
    return schema.country_code(number) if code == schema.KINDS_BY_NAME["country"].code else number
