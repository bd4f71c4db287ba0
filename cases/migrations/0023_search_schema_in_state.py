"""The search index's machinery in the models' state, nothing in the database (it is there already).

The search index's tables (migration 0013, cases/search/schema.py) as unmanaged models, so the code
reads them through the ORM and a reader of cases/models/ sees them; and the trigram indexes that
migration 0003 created with raw SQL (PostgreSQL) as PostgresGinIndex in Meta.indexes, under the
same names: state only, so `migrate` runs no SQL here and `sqlmigrate` shows none, on a database
made by the old chain and on a new one alike.
"""

import django.contrib.postgres.search
from django.db import migrations, models

import cases.models.base


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0022_reimport_links"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("vector", django.contrib.postgres.search.SearchVectorField()),
                (
                    "head",
                    models.GeneratedField(
                        db_persist=True,
                        expression=models.Func(models.F("vector"), models.Value("{a,b}"), function="ts_filter"),
                        output_field=django.contrib.postgres.search.SearchVectorField(),
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "search entries",
                "db_table": "cases_search_entry",
                "ordering": ["id"],
                "managed": False,
                "default_permissions": (),
                "required_db_vendor": "postgresql",
            },
        ),
        migrations.CreateModel(
            name="SearchFtsEntry",
            fields=[
                ("id", models.BigIntegerField(db_column="rowid", primary_key=True, serialize=False)),
                ("title", models.TextField()),
                ("names", models.TextField()),
                ("body", models.TextField()),
            ],
            options={
                "verbose_name": "search entry (SQLite)",
                "verbose_name_plural": "search entries (SQLite)",
                "db_table": "cases_search_fts",
                "ordering": ["id"],
                "managed": False,
                "default_permissions": (),
                "required_db_vendor": "sqlite",
            },
        ),
        migrations.CreateModel(
            name="SearchVocabulary",
            fields=[
                ("term", models.TextField(primary_key=True, serialize=False)),
                ("doc", models.IntegerField(help_text="The number of index entries holding the word")),
                ("cnt", models.IntegerField(help_text="The number of times it occurs")),
            ],
            options={
                "verbose_name_plural": "search vocabulary",
                "db_table": "cases_search_vocab",
                "ordering": ["term"],
                "managed": False,
                "default_permissions": (),
                "required_db_vendor": "sqlite",
            },
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.TextField(primary_key=True, serialize=False)),
                ("documents", models.IntegerField(help_text="The number of index entries holding the word")),
            ],
            options={
                "db_table": "cases_search_word",
                "ordering": ["word"],
                "managed": False,
                "default_permissions": (),
                "required_db_vendor": "postgresql",
            },
        ),
        # 0003 created these indexes (PostgreSQL); Django's state learns of them, the database is unchanged.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="case",
                    index=cases.models.base.PostgresGinIndex(
                        fields=["title"], name="cases_case_title_trgm", opclasses=["gin_trgm_ops"]
                    ),
                ),
                migrations.AddIndex(
                    model_name="document",
                    index=cases.models.base.PostgresGinIndex(
                        fields=["title"], name="cases_document_title_trgm", opclasses=["gin_trgm_ops"]
                    ),
                ),
                migrations.AddIndex(
                    model_name="quote",
                    index=cases.models.base.PostgresGinIndex(
                        fields=["text"], name="cases_quote_text_trgm", opclasses=["gin_trgm_ops"]
                    ),
                ),
            ],
        ),
    ]
