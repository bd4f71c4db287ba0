"""Spelling suggestions from the vocabulary of the search index, which holds published content only.

Both databases list the known words sharing a misspelt word's first letter (SQLite's fts5vocab
table, PostgreSQL's word table of schema/postgresql.py) and the closest by edit distance (a transposition
counts one) is chosen here, so both suggest the same word.
"""

from django.db import connection

from ..models import SearchVocabulary, SearchWord
from . import schema
from .text import STOP_WORDS

MAX_RESPELT_WORDS = 6


def distance(word, other, limit):
    """The optimal-string-alignment distance of two words, or limit + 1 once it must exceed `limit`."""
    if abs(len(word) - len(other)) > limit:
        return limit + 1
    previous_previous = None
    previous = list(range(len(other) + 1))
    for i, char in enumerate(word, 1):
        current = [i] + [0] * len(other)
        for j, other_char in enumerate(other, 1):
            cost = char != other_char
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous_previous is not None and j > 1 and char == other[j - 2] and word[i - 2] == other_char:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def known_words(first_letter):
    """(word, number of indexed items holding it) for the indexed words starting with `first_letter`."""
    upper = chr(ord(first_letter) + 1)
    if connection.vendor == "postgresql":
        words = SearchWord.objects.filter(word__gte=first_letter, word__lt=upper).values_list("word", "documents")
    else:
        with connection.cursor() as cursor:
            # In the temp schema: a read-only table in the database file would stop raw writes to every table.
            # SQLite looks a table name up in temp first, so SearchVocabulary reads this one.
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{schema.VOCAB_TABLE} "
                f"USING fts5vocab(main, {schema.FTS_TABLE}, 'row')"
            )
        words = SearchVocabulary.objects.filter(term__gte=first_letter, term__lt=upper).values_list("term", "doc")
    # No ORDER BY, as before: closest_word picks by (distance, -documents, word), whatever the order.
    return list(words.order_by())


def closest_word(word):
    """The known word closest to a folded `word`: None if it is known, or nothing is close enough
    (one edit for words of up to five letters, two for longer ones)."""
    limit = 1 if len(word) <= 5 else 2
    best = None
    for known, documents in known_words(word[0]):
        if known == word:
            return None
        if len(known) < 3 or not known.isalpha() or known in STOP_WORDS or abs(len(known) - len(word)) > limit:
            continue
        found = distance(word, known, limit)
        if found <= limit:
            candidate = (found, -documents, known)
            best = candidate if best is None or candidate < best else best
    return best[2] if best else None


def respelt(words):
    """{misspelt word: suggestion} for the folded `words` (letters only, 3+, not stop words)."""
    asked = [word for word in dict.fromkeys(words) if len(word) >= 3 and word.isalpha() and word not in STOP_WORDS]
    corrections = {}
    for word in asked[:MAX_RESPELT_WORDS]:
        suggestion = closest_word(word)
        if suggestion:
            corrections[word] = suggestion
    return corrections
