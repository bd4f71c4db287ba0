"""The search index can be deferred by a bulk write (cases.search.deferral): on PostgreSQL every
trigger function of the index first checks whether its transaction defers the index, and then only
records the entry ids it would refresh. On SQLite the triggers (and the table of pending ids) are
rebuilt from cases.search.schema after every migration run, so nothing is needed here."""

from django.db import migrations

from cases.search import schema


def replace_functions(deferrable):
    def replace(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in schema.postgres_trigger_functions(deferrable=deferrable):
                schema_editor.execute(statement, params=None)

    return replace


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0026_search_published_terms"),
    ]

    operations = [
        migrations.RunPython(replace_functions(True), replace_functions(False), elidable=False),
    ]
