"""`migrate` creates the database cache's table whatever cache backend is configured while it runs.

Before kb/migrations/0003, a database migrated with CACHE_BACKEND=dummy (a benchmark's setting) or
locmem had no `kb_cache` table, and served later with the default backend every cached page
answered 500 ("no such table: kb_cache")."""

from importlib import import_module

from django.conf import settings
from django.db import connection
from django.test import override_settings

always = import_module("kb.migrations.0003_cache_table_always")
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def cache_table_exists():
    with connection.cursor() as cursor:
        return settings.DATABASE_CACHE_TABLE in connection.introspection.table_names(cursor)


def test_the_migration_creates_the_table_with_the_cache_off_and_leaves_an_existing_one(db):
    schema_editor = connection.schema_editor()  # only its connection is read
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {settings.DATABASE_CACHE_TABLE} VALUES ('kept', 'v', '2100-01-01 00:00:00')")
    with override_settings(CACHES=DUMMY):
        always.create_cache_table(None, schema_editor)  # there already: left as it is
        with connection.cursor() as cursor:
            # Other tests of the worker may have left entries: this one is what must be kept.
            cursor.execute(f"SELECT value FROM {settings.DATABASE_CACHE_TABLE} WHERE cache_key = 'kept'")
            assert cursor.fetchall() == [("v",)]

        always.drop_cache_table(None, schema_editor)
        assert not cache_table_exists()
        always.create_cache_table(None, schema_editor)
    assert cache_table_exists()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {settings.DATABASE_CACHE_TABLE}")
        assert cursor.fetchone() == (0,)
