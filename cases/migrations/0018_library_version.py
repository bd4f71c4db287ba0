"""The library version keying the cached facet counts (cases/library_version.py); its triggers are
created after every migration run (post_migrate), so SQLite's table rebuilds cannot drop them."""

import secrets

from django.db import migrations, models


def first_version(apps, schema_editor):
    apps.get_model("cases", "LibraryVersion").objects.create(id=1, version=secrets.randbits(63))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_quote_time_order_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="LibraryVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
            ],
            options={
                "db_table": "cases_library_version",
                "ordering": ["id"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="library_version_single_row")
                ],
            },
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]
