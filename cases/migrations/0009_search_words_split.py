"""The vocabulary triggers split words with a regular expression instead of to_tsvector('simple'):
the same words (letters only, 3 to 40 of them, lower case) for about a third of the cost per write."""

from importlib import import_module

from django.db import migrations

previous = import_module("cases.migrations.0006_search_words")


def split_words_sql(table, columns, rows):
    text = " || ' ' || ".join(f"coalesce({rows}.{column}, '')" for column in columns)
    return (
        f"INSERT INTO cases_search_word (word) "
        f"SELECT DISTINCT word FROM {rows}, regexp_split_to_table(lower({text}), '[^[:alpha:]]+') AS word "
        f"WHERE length(word) BETWEEN 3 AND 40 ON CONFLICT DO NOTHING"
    )


def replace_functions(words_sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, columns in previous.SOURCES.items():
            schema_editor.execute(
                f"""
                CREATE OR REPLACE FUNCTION {table}_search_words() RETURNS trigger AS $$
                BEGIN
                    {words_sql(table, columns, "new_rows")};
                    RETURN NULL;
                END
                $$ LANGUAGE plpgsql;
                """
            )

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_publishers_import_documents"),
    ]

    operations = [
        migrations.RunPython(replace_functions(split_words_sql), replace_functions(previous.words_sql), elidable=False),
    ]
