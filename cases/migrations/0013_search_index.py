"""The search index of cases.search.schema: an FTS5 table on SQLite, tsvectors with unaccent on
PostgreSQL, each kept current by triggers; the vocabulary of migration 0006 replaced by one of
published content only."""

from django.db import migrations

from cases.search import schema


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    # The case view as it was then: the story columns of 0016 do not exist yet.
    statements = {
        "sqlite": schema.sqlite_statements,
        "postgresql": lambda: schema.postgres_statements(kinds=schema.KINDS_0013),
    }.get(vendor)
    for statement in statements() if statements else ():
        schema_editor.execute(statement, params=None)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": schema.sqlite_drop_statements, "postgresql": schema.postgres_drop_statements}.get(vendor)
    for statement in statements() if statements else ():
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_claim_evidence_reasons"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
