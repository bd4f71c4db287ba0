"""PostgreSQL: AFTER TRUNCATE triggers on every table the search index reads (cases.search.schema.
postgres_truncate_statements), so a TRUNCATE (Django's flush, a restore script) takes the entries of
the rows it empties and their words out of the index, as a DELETE does. SQLite has no TRUNCATE: its
flush deletes, and the row triggers follow."""

from django.db import migrations

from cases.search import schema


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in schema.postgres_truncate_statements():
            schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in schema.postgres_truncate_drop_statements():
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0024_quote_cases_case_quote_index"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
