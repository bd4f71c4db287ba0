"""The search index leaves out markdown links' targets ("](https://www.youtube.com/watch?v=…)"):
each timestamp of a document is such a link, so "watch" or "youtube" found every document.

PostgreSQL: the text function replaced (schema.postgres_text_function) and every entry rebuilt
from the views. SQLite's function is Python (cases.search.text.search_text), and the index is
refilled from the views after every migration run (schema.attach_after_migrations)."""

from django.db import migrations

from cases.search import schema


def reindex(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(schema.postgres_text_function(), params=None)
        for statement in schema.postgres_refresh_all_statements():
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0029_quote_orphans_index"),
    ]

    operations = [
        # Reversing keeps the new function: the entries stay those of the text as readers see it.
        migrations.RunPython(reindex, migrations.RunPython.noop, elidable=False),
    ]
