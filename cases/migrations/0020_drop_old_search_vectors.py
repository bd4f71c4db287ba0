"""Drop migration 0003's search vectors: the `search_vector` columns of cases, documents and
quotes, their PostgreSQL triggers, functions and GIN indexes. Every search (the search page, the
case browser, the admin, the candidate quotes of a claim) reads the index of migration 0013
(cases.search.schema) instead. The trigram indexes of 0003 stay: the admin's text-as-typed
matches use them. On SQLite the columns existed unused and only they go."""

import importlib

from django.db import migrations

OLD = importlib.import_module("cases.migrations.0003_search_vectors")


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in OLD.VECTORS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_vector_trigger ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_search_vector_update()")
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_vector_gin")


def recreate_triggers(apps, schema_editor):
    """Reverse: 0003's triggers back and the vectors refilled (the columns are back by then)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in OLD.VECTORS.items():
        watched = ", ".join(column for column, _ in columns)
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {table}_search_vector_update() RETURNS trigger AS $$ "
            f"BEGIN NEW.search_vector := {OLD.vector_sql(columns)}; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_search_vector_trigger BEFORE INSERT OR UPDATE OF {watched} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_search_vector_update()"
        )
        schema_editor.execute(f"UPDATE {table} SET {columns[0][0]} = {columns[0][0]}")
        schema_editor.execute(f"CREATE INDEX {table}_search_vector_gin ON {table} USING gin (search_vector)")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_search_speed"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, recreate_triggers, elidable=False),
        migrations.RemoveField(model_name="case", name="search_vector"),
        migrations.RemoveField(model_name="document", name="search_vector"),
        migrations.RemoveField(model_name="quote", name="search_vector"),
    ]
