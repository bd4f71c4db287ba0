"""The search index in the database, kept current by triggers on every table it reads (migration 0013).

One entry per searchable published item, under an id that encodes its kind (`object_id * 16 +
kind`), with three weighted texts: its title, the names of what it links to, and its body.
SQLite holds the entries in an FTS5 table (`unicode61 remove_diacritics 2`), read by an fts5vocab
table; PostgreSQL in a table of tsvectors (a `kb_search` configuration of unaccent and
simple, GIN-indexed) with a table of its words counted by the entries holding them. A view per
kind says what an entry holds, so both databases index the same text; triggers refresh the
entries of the rows a write touches (admin, import, bulk writes, reverts and raw SQL alike).
Only published cases are indexed, and of organisations, themes and approaches only those a published
case links to, so no draft's word reaches a result, a count or a suggestion.

Raw SQL because Django has no FTS5 tables, text search configurations or statement triggers. The
tables are declared, unmanaged, in cases/models/search.py, so the ORM reads them and a reader sees them.

A bulk write (the importer) can defer the index for its own transaction: the triggers then only
record what they would refresh, and one set-based refresh at the end re-indexes it (see
cases/search/deferral.py).

This package is the one entry point (migrations, the app config, the search engine and tests import
from here): kinds.py says what is indexed and when it is refreshed, sqlite.py and postgresql.py
build each database's statements from it.
"""

from .kinds import (  # noqa: F401
    CONFIG,
    DEFERRED_MARK,
    DEFERRED_SETTING,
    ENTRY_TABLE,
    FTS_TABLE,
    KIND_BITS,
    KINDS,
    KINDS_0013,
    KINDS_BY_NAME,
    KINDS_BY_TABLE,
    PENDING_TABLE,
    PUBLISHED_ONLY_TERMS,
    TEXT_FUNCTION,
    VOCAB_TABLE,
    WORD_TABLE,
    IndexedKind,
    Rule,
    country_code,
    publicity_rules,
    refresh_rules,
)
from .postgresql import (  # noqa: F401
    SEARCH_LOCK_KEY,
    WORD_TABLE_STORAGE,
    postgres_defer_statements,
    postgres_drop_statements,
    postgres_flush_statements,
    postgres_head_drop_statements,
    postgres_head_statements,
    postgres_publicity_statements,
    postgres_refresh_all_statements,
    postgres_statements,
    postgres_text_function,
    postgres_trigger_functions,
    postgres_truncate_drop_statements,
    postgres_truncate_statements,
    postgres_word_table_rebuild,
    postgres_words_function,
    replace_case_view_statements,
)
from .sqlite import (  # noqa: F401
    FTS_HEAD_COLUMNS,
    attach_after_migrations,
    detach_for_migrations,
    register_sqlite_functions,
    sqlite_attach_statements,
    sqlite_defer_statements,
    sqlite_detach_statements,
    sqlite_drop_statements,
    sqlite_flush_statements,
    sqlite_statements,
)
