"""The rate limits' counters (kb.models.RateCount), unlogged on PostgreSQL."""

from django.db import migrations, models


def unlogged(apps, schema_editor):
    # Losing the counters in a crash is harmless; not logging them saves a WAL flush per request.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE kb_rate_count SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_cache_table")]

    operations = [
        migrations.CreateModel(
            name="RateCount",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("window_end", models.BigIntegerField(db_index=True)),
                ("count", models.PositiveIntegerField()),
            ],
            options={"db_table": "kb_rate_count"},
        ),
        migrations.RunPython(unlogged, migrations.RunPython.noop, elidable=False),
    ]
