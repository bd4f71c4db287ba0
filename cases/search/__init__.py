"""Text search over the library: the search page and the case browser's `q`, the same on SQLite and PostgreSQL.

- text.py: how text becomes folded words; synonyms.py: British/American spellings, country names
- query.py: the query language, written as an FTS5 or a tsquery expression
- schema/: the trigger-maintained index (migration 0013); engine.py: queries over it
- snippets.py: highlighted snippets; suggest.py: "did you mean" from published words
- service.py: search() and search_cases(), what views and filters call
"""

from .query import MAX_QUERY_LENGTH, clean_query, parse_query, query_words
from .service import (
    KINDS,
    KINDS_BY_KEY,
    SearchResults,
    corrected_query,
    matching_case_scores,
    matching_ids,
    query_notices,
    search,
    search_cases,
)
from .snippets import START_SEL, STOP_SEL, marked_html

__all__ = [
    "KINDS",
    "KINDS_BY_KEY",
    "MAX_QUERY_LENGTH",
    "START_SEL",
    "STOP_SEL",
    "SearchResults",
    "clean_query",
    "corrected_query",
    "marked_html",
    "matching_case_scores",
    "matching_ids",
    "parse_query",
    "query_notices",
    "query_words",
    "search",
    "search_cases",
]
