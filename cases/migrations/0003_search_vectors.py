"""Stored full-text search vectors with GIN indexes, and pg_trgm for the misspelling fallback.

The vectors are computed by PostgreSQL triggers, so every write keeps them current: save(),
bulk_create(), the importer and raw SQL alike. On SQLite the columns exist unused (the
search there is a word match), and none of the PostgreSQL-only steps run.
"""

import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# table: (weighted columns, columns whose change recomputes the vector)
VECTORS = {
    "cases_case": [("title", "A"), ("summary", "B"), ("body", "C")],
    "cases_document": [("title", "A"), ("body", "C")],
    "cases_quote": [("text", "A"), ("heading_path", "D")],
}
# Trigram (misspelling) indexes on the short texts the fallback compares with.
TRIGRAM_INDEXES = {"cases_case": "title", "cases_document": "title", "cases_quote": "text"}


def vector_sql(columns):
    return " || ".join(
        f"setweight(to_tsvector('english', coalesce(NEW.{column}, '')), '{weight}')" for column, weight in columns
    )


def create_search_machinery(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in VECTORS.items():
        watched = ", ".join(column for column, _ in columns)
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {table}_search_vector_update() RETURNS trigger AS $$
            BEGIN
                NEW.search_vector := {vector_sql(columns)};
                RETURN NEW;
            END
            $$ LANGUAGE plpgsql;
            """
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_search_vector_trigger BEFORE INSERT OR UPDATE OF {watched} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_search_vector_update();"
        )
        # Fill the vectors of rows written before this migration.
        first_column = columns[0][0]
        schema_editor.execute(f"UPDATE {table} SET {first_column} = {first_column};")
        schema_editor.execute(f"CREATE INDEX {table}_search_vector_gin ON {table} USING gin (search_vector);")
    for table, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops);")


def drop_search_machinery(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm;")
    for table in VECTORS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_vector_gin;")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_vector_trigger ON {table};")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_search_vector_update();")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_countries"),
    ]

    operations = [
        TrigramExtension(),  # a no-op on databases other than PostgreSQL
        migrations.AddField(
            model_name="case",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, serialize=False),
        ),
        migrations.AddField(
            model_name="document",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, serialize=False),
        ),
        migrations.AddField(
            model_name="quote",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, serialize=False),
        ),
        migrations.RunPython(create_search_machinery, drop_search_machinery, elidable=False),
    ]
