"""The schema declared in cases/models/ matches the database: the search index's unmanaged models
(cases/models/search.py) read what the triggers wrote, and the trigram indexes of Meta.indexes are
the ones migration 0003 created (PostgreSQL) or nothing at all (SQLite)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from cases.models import (
    Case,
    Document,
    PostgresGinIndex,
    Quote,
    SearchEntry,
    SearchFtsEntry,
    SearchVocabulary,
    SearchWord,
)
from cases.models.search import INDEX_MODELS
from cases.search import schema
from cases.search.suggest import known_words
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

SEARCH_MODELS = INDEX_MODELS  # the router's list: the test below checks it names all four
TRIGRAM_INDEXES = {"cases_case_title_trgm", "cases_document_title_trgm", "cases_quote_text_trgm"}


def declared_gin_indexes():
    return [
        (model, index)
        for model in (Case, Document, Quote)
        for index in model._meta.indexes
        if isinstance(index, PostgresGinIndex)
    ]


def case_entry_id(case):
    return case.pk * schema.KIND_BITS + schema.KINDS_BY_NAME["case"].code


def test_every_search_model_is_unmanaged_and_names_the_table_schema_py_creates():
    tables = {model._meta.db_table for model in SEARCH_MODELS}
    assert tables == {schema.ENTRY_TABLE, schema.WORD_TABLE, schema.FTS_TABLE, schema.VOCAB_TABLE}
    assert not any(model._meta.managed for model in SEARCH_MODELS)


def test_the_models_of_this_database_declare_the_columns_its_tables_have():
    known_words("a")  # SQLite: the vocabulary is a temp table, created on first use
    with connection.cursor() as cursor:
        for model in SEARCH_MODELS:
            if model._meta.required_db_vendor != connection.vendor:
                continue
            described = {
                column.name for column in connection.introspection.get_table_description(cursor, model._meta.db_table)
            }
            declared = {field.column for field in model._meta.concrete_fields}
            # FTS5's rowid is no column of its own: table_info leaves it out.
            assert declared - {"rowid"} == described, model.__name__


def test_the_models_read_the_entry_and_the_words_the_triggers_wrote():
    case = CaseFactory(title="Quokka census", summary="counting marsupials", body="")
    if connection.vendor == "postgresql":
        entry = SearchEntry.objects.get(pk=case_entry_id(case))
        assert "quokka" in entry.vector and "marsupials" in entry.vector
        # The generated head holds the title and names (weights A, B), not the body.
        assert "quokka" in entry.head and "marsupials" not in entry.head
        assert SearchWord.objects.get(word="quokka").documents == 1
    else:
        entry = SearchFtsEntry.objects.get(pk=case_entry_id(case))
        assert "quokka" in entry.title and "marsupials" in entry.body  # folded by search_text()
        assert dict(known_words("q"))["quokka"] == 1
        assert SearchVocabulary.objects.get(term="quokka").doc == 1


def test_dumpdata_leaves_the_derived_index_out():
    """kb.routers.SearchIndexRouter: the other database's index table does not exist, and this one's
    rows are the triggers' to write, so neither is dumped (nor loaded)."""
    case = CaseFactory()
    out = StringIO()
    call_command("dumpdata", "cases", stdout=out)
    dumped = {row["model"] for row in json.loads(out.getvalue())}
    assert "cases.case" in dumped and case.pk
    assert not dumped & {model._meta.label_lower for model in SEARCH_MODELS}


def test_a_draft_has_no_entry():
    draft = CaseFactory(status=Case.Status.DRAFT, published_at=None)
    model = SearchEntry if connection.vendor == "postgresql" else SearchFtsEntry
    assert not model.objects.filter(pk=case_entry_id(draft)).exists()


def test_the_declared_trigram_indexes_are_the_three_of_migration_0003():
    assert {index.name for _, index in declared_gin_indexes()} == TRIGRAM_INDEXES


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN trigram indexes exist on PostgreSQL only")
def test_each_declared_trigram_index_is_the_one_in_the_database():
    """Dropped and created again from its declaration, each index reads back as migration 0003 made it
    (so `sqlmigrate` of a future change and a fresh `migrate` agree); the test's transaction undoes it."""
    with connection.cursor() as cursor:
        for model, index in declared_gin_indexes():
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index.name])
            (made_by_migration,) = cursor.fetchone()
            cursor.execute(f"DROP INDEX {index.name}")
            with connection.schema_editor(atomic=False) as editor:
                editor.add_index(model, index)
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index.name])
            assert cursor.fetchone() == (made_by_migration,)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="what the declaration does on SQLite")
def test_on_sqlite_a_declared_trigram_index_is_only_a_comment():
    """SQLite rebuilds a table for most changes, creating its model's indexes again: a GIN index must
    come out as nothing there, or the rebuild fails."""
    editor = connection.schema_editor()
    for model, index in declared_gin_indexes():
        created, removed = str(index.create_sql(model, editor)), str(index.remove_sql(model, editor))
        assert created.startswith("-- ") and removed.startswith("-- ")
        with connection.cursor() as cursor:
            cursor.execute(created)
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = %s", [index.name])
            assert cursor.fetchone() == (0,)
