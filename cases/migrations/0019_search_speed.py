"""PostgreSQL: each search index entry's head (title and names) as a generated column with its own
GIN index, and a GIN index of the entries of the small kinds, so a search ranks title and name
matches only and counts up to a cap (cases.search.engine). SQLite needs nothing: FTS5 filters by
column at query time."""

from django.db import migrations

from cases.search import schema


def add_heads(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in schema.postgres_head_statements():
            schema_editor.execute(statement, params=None)


def drop_heads(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in schema.postgres_head_drop_statements():
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_library_version"),
    ]

    operations = [
        migrations.RunPython(add_heads, drop_heads, elidable=False),
    ]
