"""The PostgreSQL search index's trigger functions take one advisory lock per transaction
(cases.search.schema.SEARCH_LOCK_KEY), so two concurrent saves no longer deadlock on the
index's entries and vocabulary. Nothing changes on SQLite, whose writers already queue."""

from django.db import migrations

from cases.search import schema


def replace_trigger_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in schema.postgres_trigger_functions():
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_curation"),
    ]

    operations = [
        # Reversing leaves the locking functions in place: they do what 0013's did, and more safely.
        migrations.RunPython(replace_trigger_functions, migrations.RunPython.noop, elidable=False),
    ]
