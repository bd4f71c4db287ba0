"""Running a parsed query against the search index: SQLite FTS5 or PostgreSQL full-text search.

Both answer the same entries for the same query (the index and the query are built the same way,
see schema/ and query.py). Within a kind, the order is:

1. the entries whose head (title and the names of what they link to) matches the query, ranked:
   bm25 on SQLite, ts_rank of the head on PostgreSQL (so the two may order them differently);
2. then the entries that match through their body alone, newest (highest id) first.

So a search ranks only its head matches (usually few) and stops reading body matches once a page
is full: its work does not grow with the number of matches. Counts are exact up to COUNT_CAP and
reported as COUNT_CAP + 1 beyond it ("more than 1,000"), which lets a count stop early too. Cases
and quotes, the big kinds, are read kind by kind (a partial GIN index of the cases' entries on
PostgreSQL); the small kinds (codes above 2, a few thousand entries at most) in one pass.
"""

from django.db import connection

from . import schema

KIND_BITS = schema.KIND_BITS
COUNT_CAP = 1000  # counts above it are reported as COUNT_CAP + 1
BIG_KINDS = (schema.KINDS_BY_NAME["case"].code, schema.KINDS_BY_NAME["quote"].code)
SMALL_KINDS = f"%% {KIND_BITS} > 2"  # every kind but cases and quotes (schema.postgres_head_statements)
RANK_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"  # ts_rank's weights of D, C, B, A (A: the title)
BM25_WEIGHTS = "10.0, 4.0, 1.0"  # title, names, body


def postgres():
    return connection.vendor == "postgresql"


def expression(parsed):
    """The query in the database's own syntax (the one parameter of the SQL below)."""
    return parsed.tsquery() if postgres() else parsed.fts5()


def has_exclusions(parsed):
    """Whether the query excludes words: only then can a head match and the whole entry not."""
    return any(term.negated for alternative in parsed.alternatives for term in alternative)


def params(parsed):
    """The named parameters of the SQL below: the query, and on SQLite the query of heads."""
    if postgres():
        return {"q": parsed.tsquery()}
    query = parsed.fts5()
    head = f"{schema.FTS_HEAD_COLUMNS} : ({query})"
    return {"q": query, "head": f"({head}) AND ({query})" if has_exclusions(parsed) else head}


# --- SQL, named parameters %(q)s (and %(head)s on SQLite) ---------------------------------------------


def _pg_query():
    return f"to_tsquery('{schema.CONFIG}', %(q)s)"


def matched_sql(kind_filter):
    """SELECT entry of the entries matching the query whose id satisfies `kind_filter` (SQL after
    the id, e.g. "%% 16 = 1"), unranked, in no particular order."""
    if postgres():
        return f"SELECT id AS entry FROM {schema.ENTRY_TABLE} WHERE id {kind_filter} AND vector @@ {_pg_query()}"
    fts = schema.FTS_TABLE
    return f"SELECT rowid AS entry FROM {fts} WHERE {fts} MATCH %(q)s AND rowid {kind_filter}"


def head_sql(kind_filter, exclusions=True):
    """SELECT entry, score (higher is better) of the matching entries whose head matches too.

    Without `exclusions` (words the query excludes), a head match is a match (the head is part of
    the vector), so PostgreSQL needs not read the big index of vectors."""
    if postgres():
        query = _pg_query()
        # IS TRUE: checked row by row, never through the big GIN index of vectors (read whole, it
        # costs as much as the matches of a common word).
        whole = f" AND (vector @@ {query}) IS TRUE" if exclusions else ""
        return (
            f"SELECT id AS entry, ts_rank({RANK_WEIGHTS}, head, {query}) AS score FROM {schema.ENTRY_TABLE} "
            f"WHERE id {kind_filter} AND head @@ {query}{whole}"
        )
    fts = schema.FTS_TABLE
    return (
        f"SELECT rowid AS entry, -bm25({fts}, {BM25_WEIGHTS}) AS score FROM {fts} "
        f"WHERE {fts} MATCH %(head)s AND rowid {kind_filter}"
    )


def kind_ctes(kind_code, exclusions=True):
    """The WITH clauses of one big kind: heads{code} (entry, score of every head match, ranked
    once) and bodies{code} (entry of at most COUNT_CAP + 1 matches through the body alone: on SQLite
    the newest, on PostgreSQL the first read). `exclusions`: see head_sql."""
    code = int(kind_code)
    kind_filter = f"%% {KIND_BITS} = {code}"
    if postgres():
        query = _pg_query()
        bodies = (
            f"SELECT id AS entry FROM {schema.ENTRY_TABLE} WHERE id {kind_filter} AND vector @@ {query} "
            f"AND NOT head @@ {query} LIMIT {COUNT_CAP + 1}"
        )
    else:
        fts = schema.FTS_TABLE
        bodies = (
            f"SELECT rowid AS entry FROM {fts} WHERE {fts} MATCH %(q)s AND rowid {kind_filter} "
            f"AND rowid NOT IN (SELECT entry FROM heads{code}) ORDER BY rowid DESC LIMIT {COUNT_CAP + 1}"
        )
    return [
        f"heads{code} AS MATERIALIZED ({head_sql(kind_filter, exclusions)})",
        f"bodies{code} AS MATERIALIZED ({bodies})",
    ]


def with_kinds(codes, exclusions, select):
    """`select` preceded by the WITH clauses of the big kinds `codes`."""
    return "WITH " + ", ".join(cte for code in codes for cte in kind_ctes(code, exclusions)) + " " + select


def newest_bodies_sql(kind_code, limit):
    """SELECT entry of one big kind's `limit` newest body matches (the WITH of kind_ctes). When
    bodies{code} holds them all, sorted from it; else (PostgreSQL, more than COUNT_CAP) by walking
    the ids down until `limit` match: over a thousand matches, they are dense enough to meet soon."""
    code, limit = int(kind_code), int(limit)
    if not postgres():
        return f"SELECT * FROM (SELECT entry FROM bodies{code} ORDER BY entry DESC LIMIT {limit})"
    query = _pg_query()
    many = f"(SELECT count(*) FROM bodies{code}) > {COUNT_CAP}"
    return (
        f"SELECT * FROM (SELECT entry FROM bodies{code} WHERE NOT {many} ORDER BY entry DESC LIMIT {limit}) AS few "
        f"UNION ALL SELECT * FROM (SELECT id AS entry FROM {schema.ENTRY_TABLE} WHERE id %% {KIND_BITS} = {code} AND id > 0 "
        f"AND vector @@ {query} AND NOT head @@ {query} AND {many} ORDER BY id DESC LIMIT {limit}) AS many"
    )


def best_sql(kind_code, limit):
    """SELECT entry, part (0: head match, 1: body only), score, total (the kind's count, capped) of
    one big kind's `limit` first entries (the WITH of kind_ctes)."""
    code, limit = int(kind_code), int(limit)
    total = f"(SELECT count(*) FROM heads{code}) + (SELECT count(*) FROM bodies{code})"
    return (
        f"SELECT entry, part, score, {total} AS total FROM ("
        f"SELECT * FROM (SELECT entry, 0 AS part, score FROM heads{code} ORDER BY score DESC, entry LIMIT {limit}) "
        f"AS head UNION ALL SELECT entry, 1 AS part, 0.0 AS score FROM ({newest_bodies_sql(code, limit)}) AS body"
        f") AS best{code} ORDER BY part, score DESC, CASE WHEN part = 0 THEN entry ELSE -entry END LIMIT {limit}"
    )


def every_sql(kind_filter):
    """SELECT entry, part, score of every matching entry whose id satisfies `kind_filter` (for the
    small kinds: a few thousand entries at most)."""
    return (
        f"SELECT matched.entry, CASE WHEN head.entry IS NULL THEN 1 ELSE 0 END AS part, "
        f"coalesce(head.score, 0.0) AS score FROM ({matched_sql(kind_filter)}) AS matched "
        f"LEFT JOIN ({head_sql(kind_filter, exclusions=False)}) AS head ON head.entry = matched.entry"
    )


# --- queries -----------------------------------------------------------------------------------------


def _fetch(sql, parsed):
    with connection.cursor() as cursor:
        cursor.execute(sql, params(parsed))
        return cursor.fetchall()


def capped(count):
    """A count as reported: exact up to COUNT_CAP, COUNT_CAP + 1 above."""
    return min(count, COUNT_CAP + 1)


def _in_order(rows):
    """{kind code: [entry, …] in the order above} of rows (entry, part, score, …)."""
    found = {}
    for entry, _part, _score, *_ in sorted(rows, key=lambda row: (row[1], -row[2], row[0] if row[1] == 0 else -row[0])):
        found.setdefault(entry % KIND_BITS, []).append(entry)
    return found


def counts(parsed):
    """{kind code: number of matching entries, capped (see capped())} of the kinds with matches (one query)."""
    sql = with_kinds(
        BIG_KINDS,
        has_exclusions(parsed),
        " UNION ALL ".join(
            [
                (
                    f"SELECT small.entry %% {KIND_BITS}, count(*) FROM ({matched_sql(SMALL_KINDS)}) AS small "
                    f"GROUP BY small.entry %% {KIND_BITS}"
                ),
                *[
                    f"SELECT {code}, (SELECT count(*) FROM heads{code}) + (SELECT count(*) FROM bodies{code})"
                    for code in BIG_KINDS
                ],
            ]
        ),
    )
    return {code: capped(count) for code, count in _fetch(sql, parsed) if count}


def best_of_each_kind(parsed, per_kind):
    """{kind code: (capped count, [object key, …] best first)} of every kind with matches (one query)."""
    sql = with_kinds(
        BIG_KINDS,
        has_exclusions(parsed),
        " UNION ALL ".join(
            [
                f"SELECT entry, part, score, CAST(NULL AS bigint) AS total FROM ({every_sql(SMALL_KINDS)}) AS small",
                *[f"SELECT * FROM ({best_sql(code, per_kind)}) AS big{code}" for code in BIG_KINDS],
            ]
        ),
    )
    rows = _fetch(sql, parsed)
    totals = {entry % KIND_BITS: total for entry, _, _, total in rows if total is not None}
    return {
        code: (capped(totals.get(code) or len(entries)), [object_key(entry) for entry in entries[:per_kind]])
        for code, entries in _in_order(rows).items()
    }


def page_of_kind(parsed, kind_code, offset, limit):
    """[object key, …] of one kind, in the order above, from `offset` (one query)."""
    if kind_code in BIG_KINDS:
        sql = with_kinds([kind_code], has_exclusions(parsed), best_sql(kind_code, offset + limit))
    else:
        sql = every_sql(f"%% {KIND_BITS} = {int(kind_code)}")
    entries = _in_order(_fetch(sql, parsed)).get(kind_code, [])
    return [object_key(entry) for entry in entries[offset : offset + limit]]


def ids_sql(kind_code):
    """SELECT of the object ids of one (integer-keyed) kind matching the query, whose one
    positional parameter (%s) is expression(parsed): for `pk__in=RawSQL(...)`."""
    sql = matched_sql(f"%% {KIND_BITS} = {int(kind_code)}").replace("%(q)s", "%s")
    return f"SELECT matched.entry / {KIND_BITS} FROM ({sql}) AS matched"


def matching_ids(parsed, kind_code):
    """[object id, …] of one (integer-keyed) kind matching the query, unordered."""
    return [entry // KIND_BITS for (entry,) in _fetch(matched_sql(f"%% {KIND_BITS} = {int(kind_code)}"), parsed)]


def best_ids(parsed, kind_code, limit):
    """[object id, …] of one big kind's `limit` first matches, in the order above, and the kind's
    count (capped): ([id, …], count)."""
    rows = _fetch(with_kinds([kind_code], has_exclusions(parsed), best_sql(kind_code, limit)), parsed)
    entries = _in_order(rows).get(kind_code, [])
    return [entry // KIND_BITS for entry in entries], capped(rows[0][3]) if rows else 0


def object_key(entry):
    """The primary key an entry id stands for (a country's code for a country)."""
    number, code = divmod(entry, KIND_BITS)
    return schema.country_code(number) if code == schema.KINDS_BY_NAME["country"].code else number
