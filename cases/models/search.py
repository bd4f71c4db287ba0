"""The search index's tables, read through these models; created and kept by raw SQL (cases/search/schema.py).

Schema not managed by Django (every model here is `managed = False`): migration 0013 creates the
tables (0016 and 0019 change them), each database its own, and triggers keep them current on every
write, bulk writes and raw SQL included. Raw SQL because Django declares neither FTS5 virtual tables
(SQLite) nor text search configurations, statement-level triggers with transition tables, partial
GIN indexes on an expression of the key or extended statistics (PostgreSQL). django-pgtrigger could
declare the PostgreSQL triggers but not the SQLite ones, which must be rebuilt after every
migration run (schema.attach_after_migrations), so both stay in schema.py, one definition for both.

Also raw SQL, on every table the index reads (schema.KINDS, schema.refresh_rules): a view per kind
`cases_search_doc_<kind>` and the triggers `cases_search_<n>`, with PostgreSQL functions of the same
names. The library version (library.py) has triggers of its own, in cases/library_version.py.
PostgreSQL only, besides: the extensions pg_trgm (migration 0003, for the trigram indexes declared on
Case, Document and Quote) and unaccent, the text search dictionary `kb_unaccent` and configuration
`kb_search`, and the function `cases_search_text` (0013; SQLite registers a Python function of that
name on each connection instead). kb.routers.SearchIndexRouter keeps these models out of
dumpdata and loaddata.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Value


class SearchEntry(models.Model):
    """PostgreSQL: one entry of the search index per published item (table `cases_search_entry`).

    Created by migration 0013 (schema.postgres_statements) and 0019 (schema.postgres_head_statements),
    with these indexes, none declared here because Django cannot state them (partial indexes on
    `id % 16`, names longer than its 30 characters) and no Django operation ever creates them:
    `_vector` (GIN, all entries), `_case_vector` (GIN, cases), `_case_head`, `_quote_head`,
    `_other_head`, `_other_vector` (GIN), `_case_id` (B-tree of case entries), and the statistics
    `_kind` (on `id % 16`). Triggers: `cases_search_<n>` on the indexed tables write the entries;
    `cases_search_words_*` on this table keep SearchWord's counts.
    """

    # object_id * 16 + kind code (schema.KIND_BITS, schema.entry_id_sql); a country's object id is its code's number.
    id = models.BigIntegerField(primary_key=True)
    # Title (weight A), names of what it links to (B) and body (C), in the `kb_search` configuration.
    vector = SearchVectorField()
    # The title and names alone: what a search ranks (cases.search.engine).
    head = models.GeneratedField(
        expression=Func(F("vector"), Value("{a,b}"), function="ts_filter"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        managed = False
        required_db_vendor = "postgresql"
        db_table = "cases_search_entry"
        default_permissions = ()
        ordering = ["id"]
        verbose_name_plural = "search entries"

    def __str__(self):
        return f"search entry {self.id}"


class SearchWord(models.Model):
    """PostgreSQL: each word of the search index and the number of entries holding it (`cases_search_word`),
    for "did you mean" (cases.search.suggest) and the claim-evidence word choice (cases.claims).

    Created by migration 0013 (schema.postgres_statements; storage parameters of 0016,
    schema.WORD_TABLE_STORAGE); kept by the statement triggers `cases_search_words_insert`,
    `_update` and `_delete` on SearchEntry's table (function `cases_search_words_change`).
    """

    word = models.TextField(primary_key=True)
    documents = models.IntegerField(help_text="The number of index entries holding the word")

    class Meta:
        managed = False
        required_db_vendor = "postgresql"
        db_table = "cases_search_word"
        default_permissions = ()
        ordering = ["word"]

    def __str__(self):
        return self.word


class SearchFtsEntry(models.Model):
    """SQLite: the search index, an FTS5 virtual table (`cases_search_fts`, tokenizer `unicode61
    remove_diacritics 2`, prefixes of 2 and 3 characters), one row per published item.

    Created by migration 0013 (schema.sqlite_statements); its views and triggers exist only between
    migration runs (schema.detach_for_migrations / attach_after_migrations), which refill it.
    """

    # FTS5's rowid: the entry id, as SearchEntry.id.
    id = models.BigIntegerField(primary_key=True, db_column="rowid")
    title = models.TextField()
    names = models.TextField()
    body = models.TextField()

    class Meta:
        managed = False
        required_db_vendor = "sqlite"
        db_table = "cases_search_fts"
        default_permissions = ()
        ordering = ["id"]
        verbose_name = "search entry (SQLite)"
        verbose_name_plural = "search entries (SQLite)"

    def __str__(self):
        return f"search entry {self.id}"


class SearchVocabulary(models.Model):
    """SQLite: the words of the FTS5 index and their counts, an `fts5vocab` table (`cases_search_vocab`)
    in the temp schema of each connection, created on first use (cases.search.suggest.known_words):
    a read-only table in the database file would stop raw writes to every table."""

    term = models.TextField(primary_key=True)
    doc = models.IntegerField(help_text="The number of index entries holding the word")
    cnt = models.IntegerField(help_text="The number of times it occurs")

    class Meta:
        managed = False
        required_db_vendor = "sqlite"
        db_table = "cases_search_vocab"
        default_permissions = ()
        ordering = ["term"]
        verbose_name_plural = "search vocabulary"

    def __str__(self):
        return self.term


# What kb.routers.SearchIndexRouter keeps out of dumpdata and loaddata.
INDEX_MODELS = (SearchEntry, SearchWord, SearchFtsEntry, SearchVocabulary)
