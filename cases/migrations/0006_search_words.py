"""The vocabulary of the library, for "did you mean" corrections of misspelt searches (PostgreSQL only).

Statement-level triggers with transition tables add the words of inserted or updated cases,
documents and quotes in one set-based statement per write (bulk_create and the importer
included); a trigram index finds the closest known word to a misspelt one. Words of deleted
rows may linger: a correction to them then simply finds nothing.
"""

from django.db import migrations

SOURCES = {
    "cases_case": ["title", "summary", "body"],
    "cases_document": ["title", "body"],
    "cases_quote": ["text"],
}
WORD_FILTER = "word ~ '^[[:alpha:]]{3,40}$'"


def words_sql(table, columns, rows):
    text = " || ' ' || ".join(f"coalesce({rows}.{column}, '')" for column in columns)
    return (
        f"INSERT INTO cases_search_word (word) "
        f"SELECT DISTINCT word FROM {rows}, unnest(tsvector_to_array(to_tsvector('simple', {text}))) AS word "
        f"WHERE {WORD_FILTER} ON CONFLICT DO NOTHING"
    )


def create_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE TABLE cases_search_word (word text PRIMARY KEY);")
    schema_editor.execute("CREATE INDEX cases_search_word_trgm ON cases_search_word USING gin (word gin_trgm_ops);")
    for table, columns in SOURCES.items():
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
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(
                f"CREATE TRIGGER {table}_search_words_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_search_words();"
            )
        schema_editor.execute(words_sql(table, columns, table))  # the words already there


def drop_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SOURCES:
        for event in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_words_{event} ON {table};")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_search_words();")
    schema_editor.execute("DROP TABLE IF EXISTS cases_search_word;")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_editorial_groups"),
    ]

    operations = [
        migrations.RunPython(create_vocabulary, drop_vocabulary, elidable=False),
    ]
