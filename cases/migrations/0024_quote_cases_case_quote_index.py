"""An index of the quote-case links by case with the quote's id in it (issue 20): reading a case's
quotes (the claims of an export chunk, a case page's evidence) then never visits the link rows.

Raw SQL because the link table is the one Django creates for Quote.cases (no Meta to declare it
in); Quote.cases says so in a comment.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0023_search_schema_in_state")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX quote_cases_case_quote ON cases_quote_cases (case_id, quote_id)",
            reverse_sql="DROP INDEX quote_cases_case_quote",
        )
    ]
