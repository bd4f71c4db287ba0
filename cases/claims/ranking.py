"""Ranking the library's quotes against a claim's words through the search index (cases/search):
ts_rank over a bounded pool on PostgreSQL, shared word stems scored in Python on SQLite."""

import json
import math
import re

from django.db import connections

from ..models import Quote
from ..search import schema
from ..search.query import fts5_term, tsquery_term, word_term
from ..search.text import STOP_WORDS, stem
from ..search.text import words as folded_words

CANDIDATE_QUOTES = 60  # quotes ranked to fill the moments offered
MAX_QUERY_WORDS = 40
LETTERS = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def _stems(text):
    """Distinct light stems of the words of `text`, stop words dropped, in their order."""
    words = (word.lower() for word in LETTERS.findall(text or ""))
    return list(dict.fromkeys(stem(word) for word in words if word not in STOP_WORDS))[:MAX_QUERY_WORDS]


def _claim_terms(text):
    """The search terms (query.word_term: a word's light stem as a prefix, in every spelling) of the
    distinct folded words of `text`, stop words and words of fewer than three letters dropped."""
    words = [word for word in dict.fromkeys(folded_words(text or "")) if len(word) >= 3 and word not in STOP_WORDS]
    return [word_term(word) for word in words[:MAX_QUERY_WORDS]]


def _tsquery(terms):
    """A tsquery (kb_search) matching an entry holding any of `terms`."""
    return " | ".join(tsquery_term(term) for term in terms)


# The quotes ranked from the library are those holding the claim's rarest words, taken rarest first
# while their entries (the search index's word table counts them) stay under this many: a word
# most quotes hold would otherwise make the whole library the pool the GIN index reads.
CHOOSING_ENTRIES = 3000
# At most this many quotes are ranked from the library, and as many from the case's sources: the
# ranking reads each one's vector, so its cost follows the pool, not the library.
RANKED_POOL = 400
# ts_rank weights {D, C, B, A} of a quote's entry: its text (C) above its heading path (B).
QUOTE_WEIGHTS = "{0.0, 1.0, 0.3, 0.0}"


def _choosing_terms(terms, using):
    """The rarest of `terms`, rarest first, while the index entries holding them stay under
    CHOOSING_ENTRIES (at least one term): one query on the index's word table (schema.WORD_TABLE,
    words with their entry counts), a range scan of its primary key per prefix."""
    prefixes = [
        (index, form.words[0]) for index, term in enumerate(terms) for form in term.forms if len(form.words) == 1
    ]
    sql = (
        "SELECT (SELECT coalesce(sum(known.documents), 0) FROM "
        f"{schema.WORD_TABLE} AS known WHERE known.word >= asked.word AND known.word < asked.word || chr(1114111)) "
        "FROM unnest(%s::text[]) WITH ORDINALITY AS asked(word, position) ORDER BY position"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [[prefix for _, prefix in prefixes]])
        counts = [int(count) for (count,) in cursor.fetchall()]
    entries = {}
    for (index, _), count in zip(prefixes, counts, strict=True):
        entries[index] = entries.get(index, 0) + count
    chosen, total = [], 0
    for index in sorted(entries, key=lambda index: (entries[index], index)):
        if entries[index] == 0:
            continue
        if chosen and total + entries[index] > CHOOSING_ENTRIES:
            break
        chosen.append(terms[index])
        total += entries[index]
    return chosen


def _ranked_on_postgresql(using, claim_text, case_text, sources, excluded):
    """[(quote id, score)] of the best CANDIDATE_QUOTES by ts_rank on the search index (cases/search):
    quotes of the case's sources (those holding any word of the claim, at most RANKED_POOL) first,
    then the library's (those holding the claim's rarest words, as many), each by their rank for the
    claim's words (twice) and the case's. One query for the words' counts, one for the ranking, which
    ranks the vectors each part of the pool has read (no second look-up per quote)."""
    terms = _claim_terms(claim_text)
    if not terms:
        return []
    choosing = _choosing_terms(terms, using)
    case_terms = _claim_terms(case_text)
    quote_code = schema.KINDS_BY_NAME["quote"].code
    entry, bits, config = schema.ENTRY_TABLE, schema.KIND_BITS, schema.CONFIG
    library = (
        (
            f"(SELECT id, vector, 0 AS own FROM {entry} WHERE vector @@ to_tsquery('{config}', %(choosing)s) "
            f"AND id %% {bits} = {quote_code} AND NOT (id / {bits} = ANY(%(excluded)s::bigint[])) LIMIT {RANKED_POOL})"
        )
        if choosing
        else "(SELECT NULL::bigint AS id, NULL::tsvector AS vector, 0 AS own WHERE false)"
    )
    case_rank = f"ts_rank('{QUOTE_WEIGHTS}', pool.vector, to_tsquery('{config}', %(case)s))" if case_terms else "0"
    sql = f"""
        SELECT pool.id / {bits}, pool.own,
               2 * ts_rank('{QUOTE_WEIGHTS}', pool.vector, to_tsquery('{config}', %(claim)s)) + {case_rank} AS score
        FROM (
            (SELECT own.id, own.vector, 1 AS own FROM cases_quote AS quote
             JOIN {entry} AS own ON own.id = quote.id * {bits} + {quote_code}
             WHERE quote.source_id = ANY(%(sources)s::bigint[]) AND NOT (quote.id = ANY(%(excluded)s::bigint[]))
               AND own.vector @@ to_tsquery('{config}', %(claim)s)
             LIMIT {RANKED_POOL})
            UNION ALL
            {library}
        ) AS pool
        ORDER BY pool.own DESC, score DESC, pool.id
        LIMIT {2 * CANDIDATE_QUOTES}
    """
    params = {
        "choosing": _tsquery(choosing),
        "claim": _tsquery(terms),
        "case": _tsquery(case_terms),
        "sources": sorted(sources),
        "excluded": sorted(excluded),
    }
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    ranked = {}
    for quote_id, _, score in rows:  # a quote of the case's sources may come from both parts: the first counts
        ranked.setdefault(quote_id, score)
    return list(ranked.items())[:CANDIDATE_QUOTES]


SQLITE_POOL = 2000  # the library's quotes scored in Python, best by bm25 first


def _ranked_on_sqlite(using, claim_text, case_text, sources, excluded):
    """[(quote id, score)] of the best CANDIDATE_QUOTES, the case's sources first: the quotes the
    search index (FTS5) finds for any word of the claim (those of the case's sources all, the
    library's SQLITE_POOL best by bm25) scored in Python by the word stems they share with the
    claim (twice) and with the case, per word of the quote's length (shorter, denser quotes first)."""
    terms = _claim_terms(claim_text)
    if not terms:
        return []
    match = " OR ".join(fts5_term(term) for term in terms)
    fts, bits, quote_code = schema.FTS_TABLE, schema.KIND_BITS, schema.KINDS_BY_NAME["quote"].code
    found = f"SELECT rowid / {bits} AS id, bm25({fts}) AS rank FROM {fts} WHERE {fts} MATCH %s AND rowid %% {bits} = {quote_code}"
    own_sql = (
        f"SELECT found.id FROM ({found}) AS found JOIN cases_quote AS quote ON quote.id = found.id "
        f"WHERE quote.source_id IN (SELECT value FROM json_each(%s))"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(f"{found} ORDER BY rank LIMIT {SQLITE_POOL}", [match])
        pool = {quote_id for quote_id, _ in cursor.fetchall()}
        cursor.execute(own_sql, [match, json.dumps(sorted(sources))])
        pool |= {quote_id for (quote_id,) in cursor.fetchall()}
    claim_stems, case_stems = set(_stems(claim_text)), set(_stems(case_text))
    scored = []
    rows = (
        Quote.objects.using(using)
        .filter(pk__in=pool - set(excluded))
        .values_list("pk", "text", "source_id", "start_second")
    )
    for pk, text, source_id, start_second in rows.iterator(chunk_size=2000):
        words = set(_stems(text))
        shared = 2 * len(words & claim_stems) + len(words & case_stems)
        if shared:
            scored.append((source_id not in sources, -shared / math.sqrt(len(words) or 1), source_id, start_second, pk))
    scored.sort()
    return [(pk, -score) for _, score, _, _, pk in scored[:CANDIDATE_QUOTES]]


def ranked_quotes(claim_text, case_text, *, sources, excluded, using):
    """[(quote id, score)] of the best CANDIDATE_QUOTES quotes for a claim, the quotes of `sources`
    (source ids: the case's) first, higher scores better, none of `excluded` (quote ids). `claim_text`
    counts twice, `case_text` once. Ranked on the database alias `using`: ts_rank on PostgreSQL,
    shared word stems on SQLite (their scores are not comparable across databases); [] when the
    claim has no word of three letters or more."""
    rank = _ranked_on_postgresql if connections[using].vendor == "postgresql" else _ranked_on_sqlite
    return rank(using, claim_text, case_text, sources, excluded)
