"""The search index refreshes only what a write changed (PostgreSQL): an update re-indexes the rows
whose indexed columns changed, and the vocabulary's trigger skips statements that wrote no entry
and no longer scans the whole vocabulary for words counted down to zero; the vocabulary's pages
keep room for HOT updates (schema.WORD_TABLE_STORAGE). On SQLite the triggers are
rebuilt from cases.search.schema after every migration run, so nothing is needed here."""

from django.db import migrations

from cases.search import schema


def replace_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(schema.postgres_words_function(), params=None)
        for statement in schema.postgres_word_table_rebuild():
            schema_editor.execute(statement, params=None)
        for statement in schema.postgres_trigger_functions():
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_search_index_lock"),
    ]

    operations = [
        # Reversing keeps the new functions: they index exactly what the old ones did.
        migrations.RunPython(replace_functions, migrations.RunPython.noop, elidable=False),
    ]
