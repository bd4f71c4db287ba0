"""The PostgreSQL half of the search index: tsvector entries, their vocabulary, and statement triggers."""

import zlib

from .kinds import (
    CASE_LINKS,
    CONFIG,
    DEFERRED_SETTING,
    ENTRY_TABLE,
    KIND_BITS,
    KINDS,
    KINDS_BY_NAME,
    KINDS_BY_TABLE,
    PENDING_TABLE,
    PUBLISHED_ONLY_TERMS,
    TEXT_FUNCTION,
    WORD_TABLE,
    entry_id_sql,
    names_sql,
    pending_keys_sql,
    refresh_rules,
    view_name,
    view_sql,
)


def replace_case_view_statements(kinds=KINDS):
    """PostgreSQL (migration 0016): the case view of `kinds` in place of the one there, same columns.
    The triggers and refresh functions read the view, so they need no change."""
    case = next(kind for kind in kinds if kind.name == "case")
    return [view_sql(case, "postgresql").replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1)]


TOKEN_TYPES = (
    "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, "
    "hword_numpart, email, protocol, url, host, url_path, file, sfloat, float, int, uint, version, "
    "tag, entity"
)


def weighted_vector(kind):
    """SQL of the tsvector of a row of view_name(kind): title weighted A, names B, body C."""
    return (
        f"setweight(to_tsvector('{CONFIG}', {TEXT_FUNCTION}(title)), 'A') || "
        f"setweight(to_tsvector('{CONFIG}', {names_sql(kind, 'postgresql')}), 'B') || "
        f"setweight(to_tsvector('{CONFIG}', {TEXT_FUNCTION}(body)), 'C')"
    )


def postgres_refresh_function(kind):
    """CREATE FUNCTION cases_search_refresh_<kind>(keys): the entries of those items rebuilt or removed."""
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


def postgres_trigger_function(number, rule, *, deferrable=True):
    """The PL/pgSQL function behind trigger `cases_search_<number>` for one refresh rule: it takes
    SEARCH_LOCK_KEY, then refreshes the index entries of the rows the statement touched.
    An update refreshes only the rows whose indexed columns changed (PostgreSQL allows no column
    list on a trigger with transition tables, so the function compares them).
    While the session's transaction defers the index (DEFERRED_SETTING 'on', see
    cases.search.deferral; `deferrable`, from migration 0027 on), it only records the entry ids
    it would refresh in the session's PENDING_TABLE.
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
    deferred = (
        f"IF current_setting('{DEFERRED_SETTING}', true) = 'on' THEN "
        f"INSERT INTO pg_temp.{PENDING_TABLE} (entry_id) "
        f"SELECT {entry_id_sql(rule.kind, 'refreshed.id', 'postgresql')} FROM ({keys}) AS refreshed "
        "ON CONFLICT DO NOTHING; RETURN NULL; END IF; "
        if deferrable
        else ""
    )
    return (
        f"CREATE OR REPLACE FUNCTION cases_search_{number}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {deferred}PERFORM pg_advisory_xact_lock({SEARCH_LOCK_KEY}); "
        f"PERFORM cases_search_refresh_{rule.kind.name}(ARRAY({keys})); RETURN NULL; END $$"
    )


def postgres_trigger_functions(*, deferrable=True):
    """Statements replacing every trigger function of the index (migrations 0015, 0016, 0027)."""
    return [
        postgres_trigger_function(number, rule, deferrable=deferrable) for number, rule in enumerate(refresh_rules())
    ]


def postgres_defer_statements():
    """Statements making the current transaction defer the index (cases.search.deferral): the
    session's table of pending entry ids, emptied at every commit, and the transaction's setting."""
    return [
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {PENDING_TABLE} (entry_id bigint PRIMARY KEY) ON COMMIT DELETE ROWS",
        f"SELECT set_config('{DEFERRED_SETTING}', 'on', true)",
    ]


def postgres_flush_statements(codes):
    """Statements ending a deferral: the entries of the pending items of the kinds `codes` (the
    kinds with pending ids) refreshed, one statement a kind, under SEARCH_LOCK_KEY; the pending
    ids emptied and the setting off, so later statements of the transaction index as they go."""
    kinds = [kind for kind in KINDS if kind.code in codes]
    statements = [f"SELECT pg_advisory_xact_lock({SEARCH_LOCK_KEY})"] if kinds else []
    statements += [
        f"SELECT cases_search_refresh_{kind.name}(ARRAY({pending_keys_sql(kind, 'postgresql')}))" for kind in kinds
    ]
    return statements + [
        f"DELETE FROM pg_temp.{PENDING_TABLE}",
        f"SELECT set_config('{DEFERRED_SETTING}', 'off', true)",
    ]


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


def postgres_rule_trigger(number, rule):
    """The function and the statement trigger `cases_search_<number>` of one refresh rule (a trigger
    there before is replaced)."""
    return [
        postgres_trigger_function(number, rule),
        f"DROP TRIGGER IF EXISTS cases_search_{number} ON {rule.table}",
        f"CREATE TRIGGER cases_search_{number} AFTER {rule.event} ON {rule.table} "
        f"REFERENCING {_referencing(rule)} FOR EACH STATEMENT EXECUTE FUNCTION cases_search_{number}()",
    ]


def postgres_publicity_statements():
    """Migration 0026: the views of PUBLISHED_ONLY_TERMS hold only the terms a published case links
    to (same columns, so `CREATE OR REPLACE`), the triggers of kinds.publicity_rules() follow link
    and status writes, the truncate functions refresh those terms too, and their entries are
    refreshed: the entries of terms no published case links to go, with their words."""
    terms = [KINDS_BY_NAME[name] for name in PUBLISHED_ONLY_TERMS]
    statements = [view_sql(kind, "postgresql").replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1) for kind in terms]
    for number, rule in enumerate(refresh_rules()):
        if rule.publicity:
            statements += postgres_rule_trigger(number, rule)
    statements += postgres_truncate_statements()
    return statements + [f"SELECT {_refresh_all(kind).removeprefix('PERFORM ').rstrip(';')}" for kind in terms]


def postgres_text_function():
    """CREATE OR REPLACE FUNCTION cases_search_text(content): what SQLite's search_text() does
    (text.py): the links' targets dropped (text.LINK_TARGET, the same characters), words
    split at anything but letters and digits, then the hyphenated compounds joined. The text search
    configuration folds case and accents. Migration 0030 replaced 0013's, which kept the targets."""
    return f"""CREATE OR REPLACE FUNCTION {TEXT_FUNCTION}(content text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT regexp_replace(visible, '[^[:alnum:]]+', ' ', 'g') || ' ' || coalesce(
            (SELECT string_agg(replace(found[1], '-', ''), ' ')
             FROM regexp_matches(visible, '([[:alnum:]]+(?:-[[:alnum:]]+)+)', 'g') AS found), '')
        FROM (SELECT CASE WHEN strpos(content, '](') > 0 THEN regexp_replace(content, '\\]\\([^()\\t\\n\\v\\f\\r ]*\\)', ']', 'g')
                          ELSE coalesce(content, '') END AS visible) AS text
    $$"""


def postgres_refresh_all_statements():
    """Every entry of every kind rebuilt from the views (migration 0030, after the text function
    changed), under the index's lock; an entry whose vector is the same is left as it is."""
    return [f"SELECT pg_advisory_xact_lock({SEARCH_LOCK_KEY})"] + [
        f"SELECT cases_search_refresh_{kind.name}(ARRAY(SELECT {kind.key} FROM {kind.table}))" for kind in KINDS
    ]


def postgres_statements(kinds=KINDS):
    """The PostgreSQL index (migration 0013, which passes KINDS_0013: the tables as they were then)."""
    statements = [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE TEXT SEARCH DICTIONARY kb_unaccent (TEMPLATE = unaccent, RULES = 'unaccent')",
        f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = simple)",
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR {TOKEN_TYPES} WITH kb_unaccent, simple",
        postgres_text_function(),
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
        statements += postgres_rule_trigger(number, rule)
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


# TRUNCATE (Django's flush, `manage.py flush`, a restore script) fires no DELETE trigger, so the
# statement triggers above never see the rows it empties: each indexed table has an AFTER TRUNCATE
# trigger too (migration 0025). Its entries go by DELETE, so the vocabulary's own trigger counts
# their words down as for any delete.
TRUNCATE_TRIGGER = "cases_search_truncate"


def _truncate_function(name, body):
    return (
        f"CREATE OR REPLACE FUNCTION {TRUNCATE_TRIGGER}_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_advisory_xact_lock({SEARCH_LOCK_KEY}); {body} RETURN NULL; END $$"
    )


def _truncated_tables():
    """(table, function name) of every AFTER TRUNCATE trigger: each kind's table removes that kind's
    entries; a case link table re-reads every case's names (the cases it named are unknown by then)
    and its terms, when only published cases' terms are indexed; the entry table empties the
    vocabulary, whose words no entry holds any more."""
    tables = [(kind.table, kind.name) for kind in KINDS]
    tables += [(link_table, f"links_{named}") for link_table, _, named in CASE_LINKS]
    return tables + [(ENTRY_TABLE, "entries")]


def _refresh_all(kind):
    return f"PERFORM cases_search_refresh_{kind.name}(ARRAY(SELECT {kind.key} FROM {kind.table}));"


def postgres_truncate_statements():
    """The AFTER TRUNCATE statement triggers of the index and their functions (migrations 0025, 0026).

    TRUNCATE of a kind's table deletes every entry of that kind (`id % KIND_BITS = code`); of a link
    table, refreshes every case's entry (and every term of PUBLISHED_ONLY_TERMS it links); of the
    entry table, empties the word table. Functions replaced and triggers dropped first, so running
    them again replaces them."""
    statements = [
        _truncate_function(kind.name, f"DELETE FROM {ENTRY_TABLE} WHERE id % {KIND_BITS} = {kind.code};")
        for kind in KINDS
    ]
    for _, _, named in CASE_LINKS:
        terms = _refresh_all(KINDS_BY_NAME[named]) if named in PUBLISHED_ONLY_TERMS else ""
        statements.append(_truncate_function(f"links_{named}", _refresh_all(KINDS_BY_NAME["case"]) + terms))
    statements.append(_truncate_function("entries", f"TRUNCATE {WORD_TABLE};"))
    for table, name in _truncated_tables():
        statements.append(f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {table}")
        statements.append(
            f"CREATE TRIGGER {TRUNCATE_TRIGGER} AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TRUNCATE_TRIGGER}_{name}()"
        )
    return statements


def postgres_truncate_drop_statements():
    """Undo postgres_truncate_statements (migration 0025 reversed)."""
    statements = [f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {table}" for table, _ in _truncated_tables()]
    names = dict.fromkeys(name for _, name in _truncated_tables())
    return statements + [f"DROP FUNCTION IF EXISTS {TRUNCATE_TRIGGER}_{name}()" for name in names]


def postgres_drop_statements():
    """Drop the whole PostgreSQL index (migration 0013 reversed)."""
    statements = postgres_truncate_drop_statements()
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


# The heads of entries (migration 0017; see sqlite.FTS_HEAD_COLUMNS): a generated column, which every
# write of `vector` (triggers, imports, raw SQL) recomputes, so no trigger function changes.


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
    """Undo postgres_head_statements (migration 0019 reversed)."""
    return [
        f"DROP STATISTICS IF EXISTS {ENTRY_TABLE}_kind",
        *[
            f"DROP INDEX IF EXISTS {ENTRY_TABLE}_{name}"
            for name in ("case_id", "other_vector", "other_head", "quote_head", "case_head")
        ],
        f"ALTER TABLE {ENTRY_TABLE} DROP COLUMN IF EXISTS head",
    ]
