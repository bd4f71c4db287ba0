"""The search index in the database, kept current by triggers on every table it reads (migration 0013).

One entry per searchable published item, under an id that encodes its kind (`object_id * 16 +
kind`), with three weighted texts: its title, the names of what it links to, and its body.
SQLite holds the entries in an FTS5 table (`unicode61 remove_diacritics 2`), read by an fts5vocab
table; PostgreSQL in a table of tsvectors (a `kb_search` configuration of unaccent and
simple, GIN-indexed) with a table of its words counted by the entries holding them. A view per
kind says what an entry holds, so both databases index the same text; triggers refresh the
entries of the rows a write touches (admin, import, bulk writes, reverts and raw SQL alike).
Only published cases are indexed, so no draft's word reaches a result, a count or a suggestion.

Raw SQL because Django has no FTS5 tables, text search configurations or statement triggers. The
tables are declared, unmanaged, in cases/models/search.py, so the ORM reads them and a reader sees them.
"""

import re
import zlib
from dataclasses import dataclass

FTS_TABLE = "cases_search_fts"  # SQLite
VOCAB_TABLE = "cases_search_vocab"  # SQLite: a temp table per connection (suggest.py), so no file holds it
ENTRY_TABLE = "cases_search_entry"  # PostgreSQL
WORD_TABLE = "cases_search_word"  # PostgreSQL
CONFIG = "kb_search"  # PostgreSQL
TEXT_FUNCTION = "cases_search_text"  # both: Python on SQLite (see register_sqlite_functions)
KIND_BITS = 16


@dataclass(frozen=True)
class IndexedKind:
    code: int
    name: str
    table: str
    key: str  # the primary key column
    document: str  # SELECT … AS title, … AS names, … AS body FROM {table} AS item …, with {agg} for a text aggregate
    integer_key: bool = True

    @property
    def columns(self):
        """The columns of its own table that its entry reads (`item.<column>` in `document`), sorted:
        an update that changes none of them leaves the entry as it is, so no trigger refreshes it."""
        return tuple(sorted({self.key, *re.findall(r"\bitem\.(\w+)", self.document)}))


def names_of(link_table, target_table, target_key, link_column, label):
    return (
        f"coalesce((SELECT {{agg}}({label}, ' ') FROM {link_table} AS link JOIN {target_table} AS named "
        f"ON named.{target_key} = link.{link_column} WHERE link.case_id = item.id), '')"
    )


CASE_NAMES = " || ' ' || ".join(
    [
        names_of("cases_case_countries", "cases_country", "code", "country_id", "named.name || ' ' || named.code"),
        names_of("cases_participation", "cases_organisation", "id", "organisation_id", "named.name"),
        names_of("cases_case_themes", "cases_theme", "id", "theme_id", "named.name"),
        names_of("cases_case_approaches", "cases_approach", "id", "approach_id", "named.name"),
        names_of("cases_casechallenge", "cases_challenge", "id", "challenge_id", "named.name"),
        names_of("cases_casesuccessfactor", "cases_successfactor", "id", "success_factor_id", "named.name"),
    ]
)


def simple_kind(code, name, table, title, names="''", body="''"):
    return IndexedKind(
        code, name, table, "id", f"SELECT {title} AS title, {names} AS names, {body} AS body FROM {table} AS item"
    )


def case_kind(body_columns):
    """The case's entry: its title, the names it links to, and the text of `body_columns`."""
    body = " || ' ' || ".join(f"coalesce(item.{column}, '')" for column in body_columns)
    return IndexedKind(
        1,
        "case",
        "cases_case",
        "id",
        f"SELECT item.title AS title, {CASE_NAMES} AS names, {body} AS body "
        "FROM cases_case AS item WHERE item.status = 'published'",
    )


# The case story's sections (migration 0016) are body text too, after the free body.
CASE_BODY_COLUMNS = (
    "summary",
    "body",
    "story_problem",
    "story_innovation",
    "story_stakeholders",
    "story_results",
    "story_failures",
    "story_conditions",
    "story_replication",
    "story_lessons",
)

KINDS = (
    case_kind(CASE_BODY_COLUMNS),
    simple_kind(2, "quote", "cases_quote", "''", "item.heading_path", "item.text"),
    simple_kind(3, "document", "cases_document", "item.title", body="item.body"),
    simple_kind(4, "source", "cases_source", "item.title", "item.channel || ' ' || item.publisher"),
    simple_kind(5, "topic", "cases_topic", "item.label"),
    IndexedKind(
        6,
        "country",
        "cases_country",
        "code",
        "SELECT item.name AS title, item.code AS names, '' AS body FROM cases_country AS item",
        integer_key=False,
    ),
    simple_kind(7, "organisation", "cases_organisation", "item.name"),
    simple_kind(8, "theme", "cases_theme", "item.name", body="item.description"),
    simple_kind(9, "approach", "cases_approach", "item.name", body="item.description"),
    simple_kind(10, "challenge", "cases_challenge", "item.name", body="item.description"),
    simple_kind(11, "success_factor", "cases_successfactor", "item.name", body="item.description"),
)
KINDS_BY_NAME = {kind.name: kind for kind in KINDS}
# What migration 0013 created, before the case had story columns (a fresh database runs it first).
KINDS_0013 = (case_kind(("summary", "body")), *KINDS[1:])


def replace_case_view_statements(kinds=KINDS):
    """PostgreSQL (migration 0016): the case view of `kinds` in place of the one there, same columns.
    The triggers and refresh functions read the view, so they need no change."""
    case = next(kind for kind in kinds if kind.name == "case")
    return [view_sql(case, "postgresql").replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1)]


# Tables whose rows name the cases they link (case_id), and the taxonomy table each names.
CASE_LINKS = (
    ("cases_case_countries", "country_id", "country"),
    ("cases_participation", "organisation_id", "organisation"),
    ("cases_case_themes", "theme_id", "theme"),
    ("cases_case_approaches", "approach_id", "approach"),
    ("cases_casechallenge", "challenge_id", "challenge"),
    ("cases_casesuccessfactor", "success_factor_id", "success_factor"),
)
NAME_COLUMNS = {
    "country": "name",
    "organisation": "name",
    "theme": "name",
    "approach": "name",
    "challenge": "name",
    "success_factor": "name",
}


def country_number(code_sql, char_function):
    """A two-letter code as 0..675, so a country's entry id is an integer like every other."""
    return f"(({char_function}(substr({code_sql}, 1, 1)) - 65) * 26 + {char_function}(substr({code_sql}, 2, 1)) - 65)"


def country_code(number):
    """The two-letter code of country_number()'s result."""
    return chr(65 + number // 26) + chr(65 + number % 26)


def entry_id_sql(kind, key_sql, vendor):
    if kind.integer_key:
        return f"({key_sql}) * {KIND_BITS} + {kind.code}"
    return f"{country_number(key_sql, 'unicode' if vendor == 'sqlite' else 'ascii')} * {KIND_BITS} + {kind.code}"


def view_name(kind):
    return f"cases_search_doc_{kind.name}"


def view_sql(kind, vendor):
    aggregate = "group_concat" if vendor == "sqlite" else "string_agg"
    document = kind.document.replace("{agg}(", f"{aggregate}(")
    head, _, tail = document.partition(" FROM ")
    return (
        f"CREATE VIEW {view_name(kind)} AS SELECT {entry_id_sql(kind, 'item.' + kind.key, vendor)} AS entry_id, "
        f"item.{kind.key} AS object_id, {head.removeprefix('SELECT ')} FROM {tail}"
    )


# --- SQLite ---------------------------------------------------------------------------------------


def names_sql(kind, vendor):
    """A case's names stay as written (their words split, compounds not joined): link triggers
    re-read them without the Python function (sqlite_refresh_names); other kinds' names are text."""
    if kind.name == "case":
        return "names" if vendor == "sqlite" else "regexp_replace(names, '[^[:alnum:]]+', ' ', 'g')"
    return f"{TEXT_FUNCTION}(names)"


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


@dataclass(frozen=True)
class Rule:
    """When `event` writes rows of `table` (with `column` changed, for an update), re-index the
    items of `kind` whose keys `keys` selects from a written row ({row}: OLD/NEW, or a transition table)."""

    table: str
    event: str
    kind: IndexedKind
    keys: str  # SELECT … AS id, {row} standing for the written row
    column: str = ""  # for an UPDATE: the comma-separated columns whose change fires it

    @property
    def columns(self):
        return self.column.split(",") if self.column else []

    @property
    def refreshes_own_rows(self):
        """True when the rule re-indexes the written rows themselves (their kind's own table)."""
        return self.kind.table == self.table


def refresh_rules():
    rules = []
    case = KINDS_BY_NAME["case"]
    for kind in KINDS:
        for event in ("INSERT", "DELETE"):
            rules.append(Rule(kind.table, event, kind, f"SELECT {{row}}.{kind.key} AS id"))
        # An update refreshes only the rows whose indexed columns changed: the time status the
        # importer sets on every quote of a video, or a case's review date, re-index nothing.
        rules.append(
            Rule(kind.table, "UPDATE", kind, f"SELECT {{row}}.{kind.key} AS id", column=",".join(kind.columns))
        )
    for link_table, link_column, named in CASE_LINKS:
        for event in ("INSERT", "DELETE", "UPDATE"):
            rules.append(Rule(link_table, event, case, "SELECT {row}.case_id AS id"))
        # A renamed taxonomy item re-indexes its cases, whose names hold it.
        taxonomy = KINDS_BY_NAME[named]
        rules.append(
            Rule(
                taxonomy.table,
                "UPDATE",
                case,
                f"SELECT case_id AS id FROM {link_table} WHERE {link_column} = {{row}}.{taxonomy.key}",
                column="name",
            )
        )
    return rules


def sqlite_statements():
    """The SQLite tables of the index (migration 0013). Its views and triggers are not here: see
    sqlite_attach_statements."""
    return [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, names, body, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
    ]


def sqlite_detach_statements():
    """Drop the index's views and triggers (not its tables)."""
    statements = [f"DROP TRIGGER IF EXISTS cases_search_{number}" for number, _ in enumerate(refresh_rules())]
    return statements + [f"DROP VIEW IF EXISTS {view_name(kind)}" for kind in KINDS]


def sqlite_attach_statements():
    """(Re)create the views and triggers and refill the index from them.

    SQLite alters a table by building a copy and renaming it, and refuses the rename while a view
    or trigger names the table; so the views and triggers exist only between migration runs:
    dropped before each run (pre_migrate) and recreated after it (post_migrate), see
    :func:`detach_for_migrations` and :func:`attach_after_migrations`.
    """
    statements = [*sqlite_detach_statements(), f"DELETE FROM {FTS_TABLE}"]
    statements += [view_sql(kind, "sqlite") for kind in KINDS]
    for number, rule in enumerate(refresh_rules()):
        rows = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["OLD", "NEW"]}[rule.event]
        if rule.column and not rule.refreshes_own_rows:
            rows = ["NEW"]
        if not rule.refreshes_own_rows:  # a link row or a renamed taxonomy item: the cases' names
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
        when = (
            " WHEN " + " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in rule.columns)
            if rule.column
            else ""
        )
        statements.append(f"CREATE TRIGGER cases_search_{number} AFTER {event} ON {rule.table}{when} BEGIN {body} END")
    for kind in KINDS:
        statements.append(
            f"INSERT INTO {FTS_TABLE} (rowid, title, names, body) SELECT entry_id, {TEXT_FUNCTION}(title), "
            f"{names_sql(kind, 'sqlite')}, {TEXT_FUNCTION}(body) FROM {view_name(kind)}"
        )
    return statements


def sqlite_drop_statements():
    return sqlite_detach_statements() + [f"DROP TABLE IF EXISTS {FTS_TABLE}"]


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
    from .text import search_text

    connection.connection.create_function(TEXT_FUNCTION, 1, lambda text: search_text(text or ""), deterministic=True)


# --- PostgreSQL -----------------------------------------------------------------------------------

TOKEN_TYPES = (
    "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, "
    "hword_numpart, email, protocol, url, host, url_path, file, sfloat, float, int, uint, version, "
    "tag, entity"
)


def weighted_vector(kind):
    return (
        f"setweight(to_tsvector('{CONFIG}', {TEXT_FUNCTION}(title)), 'A') || "
        f"setweight(to_tsvector('{CONFIG}', {names_sql(kind, 'postgresql')}), 'B') || "
        f"setweight(to_tsvector('{CONFIG}', {TEXT_FUNCTION}(body)), 'C')"
    )


def postgres_refresh_function(kind):
    key_type = "bigint" if kind.integer_key else "text"
    return f"""
        CREATE FUNCTION cases_search_refresh_{kind.name}(keys {key_type}[]) RETURNS void LANGUAGE sql AS $$
            DELETE FROM {ENTRY_TABLE}
            WHERE id IN (SELECT {entry_id_sql(kind, "refreshed", "postgresql")} FROM unnest(keys) AS refreshed)
              AND id NOT IN (SELECT entry_id FROM {view_name(kind)} WHERE object_id = ANY(keys));
            INSERT INTO {ENTRY_TABLE} (id, vector)
            SELECT entry_id, {weighted_vector(kind)} FROM {view_name(kind)} WHERE object_id = ANY(keys) ORDER BY entry_id
            ON CONFLICT (id) DO UPDATE SET vector = EXCLUDED.vector
            WHERE {ENTRY_TABLE}.vector IS DISTINCT FROM EXCLUDED.vector;
        $$;
    """


# Every write to the index takes this transaction-level advisory lock first. Each statement's
# trigger locks index entries and vocabulary words in its own order, and a transaction fires
# several statements (a case, then its links), so two concurrent saves could each hold a word the
# other needs next: "deadlock detected". One lock per transaction serialises index writers the
# way SQLite's IMMEDIATE transactions serialise every writer; readers never wait for it.
SEARCH_LOCK_KEY = zlib.crc32(b"cases.search.index")


def _row_tables(rule):
    return {"INSERT": ["new_rows"], "DELETE": ["old_rows"], "UPDATE": ["old_rows", "new_rows"]}[rule.event]


def _referencing(rule):
    return " ".join(f"{'OLD' if rows == 'old_rows' else 'NEW'} TABLE AS {rows}" for rows in _row_tables(rule))


def postgres_trigger_function(number, rule):
    """The PL/pgSQL function behind trigger `cases_search_<number>` for one refresh rule: it takes
    SEARCH_LOCK_KEY, then refreshes the index entries of the rows the statement touched.
    An update refreshes only the rows whose indexed columns changed (PostgreSQL allows no column
    list on a trigger with transition tables, so the function compares them).
    `CREATE OR REPLACE`, so migrations 0015 and 0016 can swap it into an existing database."""
    if rule.column and rule.refreshes_own_rows:
        key = rule.kind.key
        old_values = ", ".join(f"old_rows.{column}" for column in rule.columns)
        new_values = ", ".join(f"new_rows.{column}" for column in rule.columns)
        keys = (
            f"SELECT {key} AS id FROM old_rows FULL JOIN new_rows USING ({key}) "
            f"WHERE ROW({old_values}) IS DISTINCT FROM ROW({new_values})"
        )
    elif rule.column:
        named = KINDS_BY_TABLE[rule.table]
        changed = (
            f"(SELECT new_rows.{named.key} FROM new_rows JOIN old_rows USING ({named.key}) "
            f"WHERE new_rows.{rule.column} IS DISTINCT FROM old_rows.{rule.column})"
        )
        keys = rule.keys.replace(f"= {{row}}.{named.key}", f"IN {changed}")
    else:
        keys = " UNION ".join(f"{rule.keys.format(row=rows)} FROM {rows}" for rows in _row_tables(rule))
    return (
        f"CREATE OR REPLACE FUNCTION cases_search_{number}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_advisory_xact_lock({SEARCH_LOCK_KEY}); "
        f"PERFORM cases_search_refresh_{rule.kind.name}(ARRAY({keys})); RETURN NULL; END $$"
    )


def postgres_trigger_functions():
    """Statements replacing every trigger function of the index (migration 0015)."""
    return [postgres_trigger_function(number, rule) for number, rule in enumerate(refresh_rules())]


# Every write to the index re-counts the words it adds or removes: "the" is updated by nearly every
# statement. With full pages each update wrote a new index entry too (0.3% were HOT), so a word
# gathered hundreds of dead versions between vacuums and an upsert of a document's words visited
# ~150 pages per word (86 ms for 428 words, 7.5 ms after a VACUUM). Pages left 80% free keep the
# updates HOT (one index entry per word, dead versions pruned on the page), and autovacuum comes by
# after a thousand dead rows rather than a fifth of the table.
WORD_TABLE_STORAGE = "fillfactor = 20, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000"


def postgres_word_table_rebuild():
    """Statements giving an existing vocabulary WORD_TABLE_STORAGE and its counts recounted from the
    entries (migration 0016): rewritten rows fill pages only as far as the new fillfactor allows."""
    return [
        f"ALTER TABLE {WORD_TABLE} SET ({WORD_TABLE_STORAGE})",
        f"DELETE FROM {WORD_TABLE}",
        (
            f"INSERT INTO {WORD_TABLE} (word, documents) SELECT word, count(*) FROM {ENTRY_TABLE}, "
            f"unnest(tsvector_to_array({ENTRY_TABLE}.vector)) AS word GROUP BY word ORDER BY word"
        ),
    ]


def postgres_words_function():
    """The trigger function keeping the vocabulary's counts: each word, the number of entries
    holding it (a word no entry holds is removed). `CREATE OR REPLACE` (migration 0016).

    A statement that wrote no entry (the refresh's DELETE, most often) changes nothing, and only the
    words a statement counted down to zero (its UPDATE returns them) are deleted, by key: no
    statement scans the whole vocabulary.
    (Each transition table is tested in its own IF: an INSERT trigger has no old_rows to plan.)
    """
    return f"""CREATE OR REPLACE FUNCTION cases_search_words_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        emptied text[];
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            IF EXISTS (SELECT FROM old_rows) THEN
                WITH counted AS (
                    UPDATE {WORD_TABLE} AS known SET documents = known.documents - gone.n
                    FROM (SELECT word, count(*) AS n FROM old_rows, unnest(tsvector_to_array(old_rows.vector)) AS word
                          GROUP BY word ORDER BY word) AS gone
                    WHERE known.word = gone.word
                    RETURNING known.word, known.documents
                )
                SELECT array_agg(word) INTO emptied FROM counted WHERE documents <= 0;
                IF emptied IS NOT NULL THEN
                    DELETE FROM {WORD_TABLE} WHERE word = ANY (emptied);
                END IF;
            END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            IF EXISTS (SELECT FROM new_rows) THEN
                INSERT INTO {WORD_TABLE} (word, documents)
                SELECT word, count(*) FROM new_rows, unnest(tsvector_to_array(new_rows.vector)) AS word
                GROUP BY word ORDER BY word
                ON CONFLICT (word) DO UPDATE SET documents = {WORD_TABLE}.documents + EXCLUDED.documents;
            END IF;
        END IF;
        RETURN NULL;
    END $$"""


def postgres_statements(kinds=KINDS):
    """The PostgreSQL index (migration 0013, which passes KINDS_0013: the tables as they were then)."""
    statements = [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE TEXT SEARCH DICTIONARY kb_unaccent (TEMPLATE = unaccent, RULES = 'unaccent')",
        f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = simple)",
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR {TOKEN_TYPES} WITH kb_unaccent, simple",
        # What SQLite's search_text() does (text.py): words split at anything but letters and digits,
        # then the hyphenated compounds joined. The configuration folds case and accents.
        f"""CREATE FUNCTION {TEXT_FUNCTION}(content text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT regexp_replace(coalesce(content, ''), '[^[:alnum:]]+', ' ', 'g') || ' ' || coalesce(
                (SELECT string_agg(replace(found[1], '-', ''), ' ')
                 FROM regexp_matches(coalesce(content, ''), '([[:alnum:]]+(?:-[[:alnum:]]+)+)', 'g') AS found), '')
        $$""",
        f"CREATE TABLE {ENTRY_TABLE} (id bigint PRIMARY KEY, vector tsvector NOT NULL)",
        f"CREATE INDEX {ENTRY_TABLE}_vector ON {ENTRY_TABLE} USING gin (vector)",
        # The case browser's `q` searches cases alone: an index of their entries spares it the quotes'.
        f"CREATE INDEX {ENTRY_TABLE}_case_vector ON {ENTRY_TABLE} USING gin (vector) WHERE id % {KIND_BITS} = 1",
        f"CREATE TABLE {WORD_TABLE} (word text PRIMARY KEY, documents integer NOT NULL) WITH ({WORD_TABLE_STORAGE})",
        postgres_words_function(),
        f"CREATE TRIGGER cases_search_words_insert AFTER INSERT ON {ENTRY_TABLE} REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION cases_search_words_change()",
        f"CREATE TRIGGER cases_search_words_delete AFTER DELETE ON {ENTRY_TABLE} REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION cases_search_words_change()",
        f"CREATE TRIGGER cases_search_words_update AFTER UPDATE ON {ENTRY_TABLE} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION cases_search_words_change()",
    ]
    statements += [view_sql(kind, "postgresql") for kind in kinds]
    statements += [postgres_refresh_function(kind) for kind in kinds]
    for number, rule in enumerate(refresh_rules()):
        statements.append(postgres_trigger_function(number, rule))
        statements.append(
            f"CREATE TRIGGER cases_search_{number} AFTER {rule.event} ON {rule.table} "
            f"REFERENCING {_referencing(rule)} FOR EACH STATEMENT EXECUTE FUNCTION cases_search_{number}()"
        )
    for kind in kinds:
        statements.append(f"SELECT cases_search_refresh_{kind.name}(ARRAY(SELECT object_id FROM {view_name(kind)}))")
    # The vocabulary of migration 0006, which also held the words of drafts and deleted rows.
    return [
        "DROP TABLE IF EXISTS cases_search_word CASCADE",
        *[
            f"DROP TRIGGER IF EXISTS {table}_search_words_{event} ON {table}"
            for table in ("cases_case", "cases_document", "cases_quote")
            for event in ("insert", "update")
        ],
        *[
            f"DROP FUNCTION IF EXISTS {table}_search_words()"
            for table in ("cases_case", "cases_document", "cases_quote")
        ],
        *statements,
    ]


def postgres_drop_statements():
    statements = []
    for number, rule in enumerate(refresh_rules()):
        statements.append(f"DROP TRIGGER IF EXISTS cases_search_{number} ON {rule.table}")
        statements.append(f"DROP FUNCTION IF EXISTS cases_search_{number}()")
    statements += [f"DROP FUNCTION IF EXISTS cases_search_refresh_{kind.name}" for kind in KINDS]
    statements += [f"DROP VIEW IF EXISTS {view_name(kind)}" for kind in KINDS]
    statements += [
        f"DROP TABLE IF EXISTS {ENTRY_TABLE}",
        f"DROP TABLE IF EXISTS {WORD_TABLE}",
        "DROP FUNCTION IF EXISTS cases_search_words_change()",
        f"DROP FUNCTION IF EXISTS {TEXT_FUNCTION}(text)",
        f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}",
        "DROP TEXT SEARCH DICTIONARY IF EXISTS kb_unaccent",
    ]
    return statements


KINDS_BY_TABLE = {kind.table: kind for kind in KINDS}


# --- the heads of entries (migration 0017) ---------------------------------------------------------
# A search ranks only the entries whose head (title and names) matches, and lists the entries that
# match through their body alone newest first, so its work does not grow with the number of matches
# (see engine.py). SQLite reads the head through an FTS5 column filter; PostgreSQL keeps it in a
# generated column, which every write of `vector` (triggers, imports, raw SQL) recomputes, so no
# trigger function changes.

FTS_HEAD_COLUMNS = "{title names}"  # SQLite: the columns of an entry's head


def postgres_head_statements():
    """PostgreSQL: each entry's head (the A and B weighted part of its vector) as a stored generated
    column; GIN indexes of the heads of cases, of quotes and of the other kinds, and of the vectors
    of the other kinds (codes above 2, read together); a B-tree of the case entries' ids (cases
    newest first, without walking past every quote); statistics of the kind (id % 16), so the
    planner knows quotes are 95% of the entries and cases 4%, not the default 0.5% each."""
    kind = f"id % {KIND_BITS}"
    return [
        f"ALTER TABLE {ENTRY_TABLE} ADD COLUMN head tsvector GENERATED ALWAYS AS (ts_filter(vector, '{{a,b}}')) STORED",
        f"CREATE INDEX {ENTRY_TABLE}_case_head ON {ENTRY_TABLE} USING gin (head) WHERE {kind} = 1",
        f"CREATE INDEX {ENTRY_TABLE}_quote_head ON {ENTRY_TABLE} USING gin (head) WHERE {kind} = 2",
        f"CREATE INDEX {ENTRY_TABLE}_other_head ON {ENTRY_TABLE} USING gin (head) WHERE {kind} > 2",
        f"CREATE INDEX {ENTRY_TABLE}_other_vector ON {ENTRY_TABLE} USING gin (vector) WHERE {kind} > 2",
        # `id > 0` in the predicate: only a query saying so walks it (engine.newest_bodies_sql), so a
        # count of case entries is not tempted to walk every case instead of the GIN index.
        f"CREATE INDEX {ENTRY_TABLE}_case_id ON {ENTRY_TABLE} (id) WHERE {kind} = 1 AND id > 0",
        f"CREATE STATISTICS {ENTRY_TABLE}_kind ON ({kind}) FROM {ENTRY_TABLE}",
        f"ANALYZE {ENTRY_TABLE}",
    ]


def postgres_head_drop_statements():
    return [
        f"DROP STATISTICS IF EXISTS {ENTRY_TABLE}_kind",
        *[
            f"DROP INDEX IF EXISTS {ENTRY_TABLE}_{name}"
            for name in ("case_id", "other_vector", "other_head", "quote_head", "case_head")
        ],
        f"ALTER TABLE {ENTRY_TABLE} DROP COLUMN IF EXISTS head",
    ]
