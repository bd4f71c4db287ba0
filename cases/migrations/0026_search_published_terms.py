"""The search index holds only the organisations, themes and approaches a published case links to
(cases.search.schema.PUBLISHED_ONLY_TERMS), as their pages and the API's lists show only those: a
term only drafts link to is in no result, count or suggestion of /search/. PostgreSQL: the three
views replaced, triggers on the link tables and on a case's status, the truncate functions, and the
entries refreshed. SQLite rebuilds its views and triggers from the schema after every migration
run, so nothing is needed here."""

from django.db import migrations

from cases.search import schema


def index_published_terms(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in schema.postgres_publicity_statements():
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0025_search_index_truncate"),
    ]

    operations = [
        # Reversing keeps the published-only terms: the views and triggers need nothing later.
        migrations.RunPython(index_published_terms, migrations.RunPython.noop, elidable=False),
    ]
