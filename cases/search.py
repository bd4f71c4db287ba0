"""Text search over cases, shared by the case browser's `q` and the search page.

On SQLite: every word of the query must occur in the title, summary or body.
"""
import re

from django.db.models import Q, Value

MAX_QUERY_LENGTH = 500
WORD = re.compile(r"\w+", re.UNICODE)


def query_words(q):
    """The words of a query, without NUL bytes or punctuation; bounded in length."""
    return WORD.findall((q or "").replace("\x00", " ")[:MAX_QUERY_LENGTH])


def search_cases(cases, q):
    """Filter a Case queryset by the query `q` and annotate a `rank` (higher is better)."""
    words = query_words(q)
    if not words:
        return cases.annotate(rank=Value(0.0))
    for word in words:
        cases = cases.filter(Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word))
    return cases.annotate(rank=Value(1.0))
