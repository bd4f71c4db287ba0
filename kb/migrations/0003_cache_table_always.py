"""Create the database cache's table whatever cache backend the settings name while migrating.

0001 runs `createcachetable`, which creates only the tables of the caches configured at that
moment: a database migrated with CACHE_BACKEND=dummy or locmem had no `kb_cache`, and served later
with the default backend every cached page failed with "no such table: kb_cache" (a 500).
"""

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Django's own statement for its database cache; a table already there is left as it is.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, settings.DATABASE_CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(settings.DATABASE_CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_rate_count")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table, elidable=False)]
