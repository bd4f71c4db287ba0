"""A case's claims and the quotes that evidence them.

A claim is what a case asserts: its summary, each challenge it met (CaseChallenge) and each
success factor it shows (CaseSuccessFactor), the last two with the curator's note.

Which quote supports which claim is read from the links quotes already carry (no separate
claim-evidence table): a quote supports the claim (case, challenge) when it is linked to both
the case and the challenge, and likewise for a success factor. This is how the case page has
always grouped its evidence and how the quote browser filters (`?case=…&challenge=…`), so one
rule serves the page, the matrix, the exports and the admin, and the links' history (each
quote's `cases`/`challenges`/`success_factors`) is already the history of the evidence.

The summary is supported by the case's other quotes: those linked to the case and to none of
the challenges or success factors the case claims. A quote backing a specific claim is not
counted twice; a case whose only quotes back its specific claims shows its summary as not yet
evidenced, which tells a curator to link a statement about the initiative as a whole.

Each story section with text (Case.story_*, see models.StorySection) is a claim too. Its evidence
is named by a StoryEvidence row (case, section, quotes) rather than read from the quotes' links,
since a section is no taxonomy term a quote could link to; the row also holds the curator's
reason for having none. A quote backing a section is not counted for the summary either, and a
row for an empty section claims nothing.

A claim without evidence may carry a curator's recorded reason (`no_evidence_reason` on the
link, `summary_no_evidence_reason` on the case); publishing needs each claim to have one or
the other (cases.curation.workflow).
"""

import json
import math
import re
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from .history import ensure_baseline, ensure_quote_baseline
from .models import (
    STORY_FIELDS,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Quote,
    StoryEvidence,
    StorySection,
    SuccessFactor,
)
from .search import schema
from .search.query import fts5_term, tsquery_term, word_term
from .search.text import STOP_WORDS, stem
from .search.text import words as folded_words
from .tracking import RECORDERS

SUMMARY = "summary"
CHALLENGE = "challenge"
FACTOR = "success-factor"
STORY = "story"
GROUP_LABELS = {SUMMARY: "Summary", CHALLENGE: "Challenge", FACTOR: "Success factor", STORY: "Story section"}
# A story section's term id in evidence rows (integers, like the challenges' and factors' ids).
SECTION_NUMBERS = {section: number for number, section in enumerate(StorySection, start=1)}
SECTIONS_BY_NUMBER = {number: section for section, number in SECTION_NUMBERS.items()}


@dataclass
class Claim:
    """One claim of a case, with its supporting quotes (model instances or ids, as the caller built it)."""

    case: Case
    group: str  # SUMMARY, CHALLENGE or FACTOR
    term: object = None  # the Challenge, SuccessFactor or StorySection; None for the summary
    note: str = ""
    reason: str = ""  # the curator's recorded reason for having no evidence
    evidence: list = field(default_factory=list)
    evidence_total: int = 0  # all supporting quotes, when `evidence` shows only the first ones

    @property
    def evidenced(self):
        return bool(self.evidence_total or self.evidence)

    @property
    def term_id(self):
        if self.group == STORY:
            return SECTION_NUMBERS[self.term]
        return self.term.pk if self.term is not None else None

    @property
    def text(self):
        """A story section's markdown source ('' for the other claims)."""
        return getattr(self.case, self.term.field_name, "") if self.group == STORY else ""

    @property
    def term_slug(self):
        return self.term.value if self.group == STORY else self.term.slug

    @property
    def key(self):
        """(group, term id): the claim among its case's claims; the summary's term id is 0."""
        return (self.group, self.term_id or 0)

    @property
    def term_label(self):
        """'summary', 'challenge' or 'success factor'."""
        return GROUP_LABELS[self.group].lower()

    @property
    def label(self):
        if self.group == SUMMARY:
            return "Summary"
        if self.group == STORY:
            return f"Story: {self.term.label}"
        return f"{GROUP_LABELS[self.group]}: {self.term.name}"

    @property
    def anchor(self):
        """The id of the claim on the case page."""
        return "summary" if self.group == SUMMARY else f"{self.group}-{self.term_slug}"

    @property
    def url(self):
        return f"{self.case.get_absolute_url()}#{self.anchor}"

    @property
    def slug(self):
        """`summary`, `story:SECTION`, `challenge:SLUG` or `success-factor:SLUG`: the claim in a URL or an export."""
        return SUMMARY if self.group == SUMMARY else f"{self.group}:{self.term_slug}"


# Claims read from the links of the case page (Case.objects.for_case_page()): no query.


def _supports(quote, group, term_id):
    terms = quote.challenge_list if group == CHALLENGE else quote.success_factor_list
    return any(term.pk == term_id for term in terms)


def story_claims(case, evidence_rows_of_case):
    """The story sections of `case` with text, as claims in their order, their evidence and reason
    from `evidence_rows_of_case` (the case's StoryEvidence rows, each with `quote_list`). No query."""
    rows = {row.section: row for row in evidence_rows_of_case}
    claims = []
    for section, _text in case.story:
        row = rows.get(section.value)
        quotes = row.quote_list if row is not None else []
        claims.append(Claim(case, STORY, section, "", row.no_evidence_reason if row else "", list(quotes), len(quotes)))
    return claims


def page_claims(case, *, shown_per_claim=None, summary_shown=None):
    """The claims of `case` as its page lists them: the summary first, then its story sections,
    challenges and success factors (each with the quotes that support it, in time order).

    `case` must carry the page's prefetches (`challenge_links`, `success_factor_links`,
    `story_evidence_list` with each row's `quote_list`, and `evidence` with each quote's
    `challenge_list` and `success_factor_list`). Each claim's
    `evidence` is cut to `shown_per_claim` quotes (the summary's to `summary_shown`), with
    `evidence_total` counting them all. Runs no query.
    """
    claims, claimed = [], set()
    for claim in story_claims(case, case.story_evidence_list):
        # Shown whole: a section is a paragraph or two, its quotes few (and no quote-browser filter names it).
        claimed.update(quote.pk for quote in claim.evidence)
        claims.append(claim)
    for group, links, term_name in (
        (CHALLENGE, case.challenge_links, "challenge"),
        (FACTOR, case.success_factor_links, "success_factor"),
    ):
        for link in links:
            term = getattr(link, term_name)
            evidence = [quote for quote in case.evidence if _supports(quote, group, term.pk)]
            claimed.update(quote.pk for quote in evidence)
            claims.append(
                Claim(case, group, term, link.note, link.no_evidence_reason, evidence[:shown_per_claim], len(evidence))
            )
    summary_evidence = [quote for quote in case.evidence if quote.pk not in claimed]
    summary = Claim(
        case,
        SUMMARY,
        None,
        "",
        case.summary_no_evidence_reason,
        summary_evidence[:summary_shown],
        len(summary_evidence),
    )
    return [summary, *claims]


# Claims of many cases at once, as ids: the matrix, the exports, the workflow and the health page.


def _among_sql(case_ids, connection):
    """SQL testing that a column is one of `case_ids`, with `{}` where the column goes, and its
    parameters: a list goes as ONE parameter (`= ANY(%s)` on PostgreSQL, `IN (SELECT value FROM
    json_each(%s))` on SQLite: an IN list of hundreds of ids, repeated in every part of a UNION,
    cost more Python than the rows it read); a queryset (a values("pk")) as a subquery."""
    if isinstance(case_ids, (list, tuple)):
        ids = [int(pk) for pk in case_ids]
        if connection.vendor == "postgresql":
            return "{} = ANY(%s::bigint[])", [ids]
        return "{} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]
    sql, params = case_ids.query.sql_with_params()
    return f"{{}} IN ({sql})", list(params)


def evidence_rows(case_ids, *, summary=True, by_slug=False):
    """The link rows that decide the claims of the cases `case_ids` (a list or a values("pk")
    queryset), in one query: tuples (case id, group, term id, quote id) where quote id 0 marks a
    claim (one row per challenge or success factor claimed) and a non-zero one a quote that
    supports it. With `summary`, every quote of each case comes too as (case id, SUMMARY, 0, quote id).

    With `by_slug`, terms are named by their slug instead of their id (the summary's by "").
    One UNION ALL of link-table selects, so the caller's query count does not grow with the cases.
    A list of tuples.

    Hand-written SQL: the ORM reaches a quote's challenges only through the quote's own row and
    an EXISTS per link, which read three times the rows; here a quote supports a claimed term
    when its link to the case and its link to the term meet the claim row in one join, which the
    planner starts from the (few) claim rows of the cases.
    """
    connection = connections[Case.objects.db]
    among, among_params = _among_sql(case_ids, connection)
    table = {
        name: model._meta.db_table
        for name, model in {
            "case": Case,
            "case_challenge": CaseChallenge,
            "case_factor": CaseSuccessFactor,
            "challenge": Challenge,
            "factor": SuccessFactor,
            "quote_cases": Quote.cases.through,
            "quote_challenges": Quote.challenges.through,
            "quote_factors": Quote.success_factors.through,
            "story": StoryEvidence,
            "story_quotes": StoryEvidence.quotes.through,
        }.items()
    }
    parts, params = [], []

    def part(sql, column):
        parts.append(f"{sql} WHERE {among.format(column)}")
        params.extend(among_params)

    for group, claims, term_table, term_column, links, link_column in (
        (CHALLENGE, "case_challenge", "challenge", "challenge_id", "quote_challenges", "challenge_id"),
        (FACTOR, "case_factor", "factor", "success_factor_id", "quote_factors", "successfactor_id"),
    ):
        term = "term.slug" if by_slug else f"claim.{term_column}"
        join_term = f" JOIN {table[term_table]} term ON term.id = claim.{term_column}" if by_slug else ""
        part(f"SELECT claim.case_id, '{group}', {term}, 0 FROM {table[claims]} claim{join_term}", "claim.case_id")
        part(
            f"SELECT claim.case_id, '{group}', {term}, link.quote_id FROM {table[claims]} claim "
            f"JOIN {table['quote_cases']} link ON link.case_id = claim.case_id "
            # The unary + keeps SQLite off the index of a term's quotes (thousands a term): it reads
            # the case's quote links, then each quote's terms (a few).
            f"JOIN {table[links]} tagged ON tagged.quote_id = link.quote_id AND +tagged.{link_column} = claim.{term_column}"
            f"{join_term}",
            "claim.case_id",
        )
    for section in StorySection:
        term = f"'{section.value}'" if by_slug else str(SECTION_NUMBERS[section])
        part(
            f"SELECT item.id, '{STORY}', {term}, 0 FROM {table['case']} item",
            f"item.{section.field_name} <> '' AND item.id",
        )
    if by_slug:
        section_term = "story.section"
    else:
        section_term = (
            "CASE story.section "
            + " ".join(f"WHEN '{section.value}' THEN {number}" for section, number in SECTION_NUMBERS.items())
            + " ELSE 0 END"
        )
    part(
        f"SELECT story.case_id, '{STORY}', {section_term}, link.quote_id FROM {table['story_quotes']} link "
        f"JOIN {table['story']} story ON story.id = link.storyevidence_id",
        "story.case_id",
    )
    if summary:
        no_term = "''" if by_slug else "0"
        part(
            f"SELECT link.case_id, '{SUMMARY}', {no_term}, link.quote_id FROM {table['quote_cases']} link",
            "link.case_id",
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()


def evidence_by_claim(rows, *, case_ids=()):
    """{case id: {(group, term id or slug): [supporting quote ids, ascending]}} from `evidence_rows`.

    Every claimed challenge and success factor has a key (an empty list: not evidenced). The
    summary's key is (SUMMARY, 0); it is there for the cases in `case_ids` and for those with a
    quote, when the rows hold the summary's.
    """
    claims, quotes_of_case = {}, {}
    for case_id in case_ids:
        claims.setdefault(case_id, {})[(SUMMARY, 0)] = set()
    supporting = []
    for case_id, group, term_id, quote_id in rows:
        if group == SUMMARY:
            quotes_of_case.setdefault(case_id, set()).add(quote_id)
        elif quote_id:
            supporting.append((case_id, group, term_id, quote_id))
        else:
            claims.setdefault(case_id, {})[(group, term_id)] = set()
    claimed = {}
    for case_id, group, term_id, quote_id in supporting:
        # The rows hold only quotes of claimed terms (the join above), but a claim removed between
        # two reads must not resurrect: keep those whose claim row came too.
        if (group, term_id) in claims.get(case_id, {}):
            claims[case_id][(group, term_id)].add(quote_id)
            claimed.setdefault(case_id, set()).add(quote_id)
    for case_id, quote_ids in quotes_of_case.items():
        claims.setdefault(case_id, {})[(SUMMARY, 0)] = quote_ids - claimed.get(case_id, set())
    return {
        case_id: {key: sorted(quote_ids) for key, quote_ids in by_key.items()} for case_id, by_key in claims.items()
    }


def claims_of(cases):
    """The claims of each case of `cases` (a queryset), as Claim objects whose `evidence` is a
    list of quote ids: {case id: [summary, challenges…, success factors…]}, in the page's order.

    Five queries whatever the number of cases: the cases, their story-evidence reasons, their
    challenge and success-factor links (with the terms), and the evidence rows.
    """
    cases = {
        case.pk: case
        # defer(None): a caller's deferred story fields (the admin's case list) would be read one by one.
        for case in cases.defer(None).only("pk", "slug", "title", "status", "summary_no_evidence_reason", *STORY_FIELDS)
    }
    evidence = evidence_by_claim(evidence_rows(list(cases)), case_ids=list(cases))
    claims = {pk: [Claim(case, SUMMARY, reason=case.summary_no_evidence_reason)] for pk, case in cases.items()}
    reasons = {
        (case_id, section): reason
        for case_id, section, reason in StoryEvidence.objects.filter(case_id__in=list(cases))
        .exclude(no_evidence_reason="")
        .values_list("case_id", "section", "no_evidence_reason")
    }
    for pk, case in cases.items():
        for section, _text in case.story:
            claims[pk].append(Claim(case, STORY, section, reason=reasons.get((pk, section.value), "")))
    for group, links, term_name in (
        (CHALLENGE, CaseChallenge.objects.select_related("challenge"), "challenge"),
        (FACTOR, CaseSuccessFactor.objects.select_related("success_factor"), "success_factor"),
    ):
        for link in links.filter(case_id__in=list(cases)):
            claims[link.case_id].append(
                Claim(cases[link.case_id], group, getattr(link, term_name), link.note, link.no_evidence_reason)
            )
    for pk, case_claims in claims.items():
        for claim in case_claims:
            claim.evidence = evidence.get(pk, {}).get(claim.key, [])
            claim.evidence_total = len(claim.evidence)
    return claims


def failing_claims(case):
    """The claims of `case` that stop its publication: no supporting quote and no recorded reason."""
    return blocking(claims_of(Case.objects.filter(pk=case.pk)).get(case.pk, []))


def blocking(claims):
    """The claims of `claims` with neither a supporting quote nor a recorded reason."""
    return [claim for claim in claims if not claim.evidenced and not claim.reason.strip()]


def unevidenced_claims(cases):
    """Every claim of `cases` (a queryset) that has no supporting quote, reason or not, case by case."""
    return [claim for case_claims in claims_of(cases).values() for claim in case_claims if not claim.evidenced]


def unevidenced_count(cases):
    """How many claims of `cases` (a queryset) have no supporting quote: two queries, no model instances."""
    case_ids = cases.order_by().values("pk")
    by_case = evidence_by_claim(evidence_rows(case_ids), case_ids=list(case_ids.values_list("pk", flat=True)))
    return sum(1 for claims in by_case.values() for quote_ids in claims.values() if not quote_ids)


def evidenced_claim_counts(term_model):
    """{term id: how many published cases claim it with a supporting quote} for Challenge or
    SuccessFactor (`term_model`): the claims evidenced by the rule of this module (a quote linked to
    the case and to the term). One aggregate query over every term at once: the quotes' term links
    joined to their case links and to the claims, cases counted once per term.

    SQL because the ORM would join the two link tables through the quotes' table (200,000 rows more
    to read); counted per term in a correlated subquery it read each term's links again (2.3 s for
    10 challenges at 15,000 claims, load 12), as a semi-join 1.0 s, as this join 0.45 s.
    """
    if term_model is Challenge:
        links, term_column, quote_terms, term_of_quote = (
            CaseChallenge,
            "challenge_id",
            Quote.challenges.through,
            "challenge_id",
        )
    else:
        links, term_column = CaseSuccessFactor, "success_factor_id"
        quote_terms, term_of_quote = Quote.success_factors.through, "successfactor_id"
    sql = (
        f"SELECT claim.{term_column}, count(DISTINCT claim.case_id) FROM {quote_terms._meta.db_table} AS quote_term "
        f"JOIN {Quote.cases.through._meta.db_table} AS quote_case ON quote_case.quote_id = quote_term.quote_id "
        f"JOIN {links._meta.db_table} AS claim ON claim.case_id = quote_case.case_id "
        f"AND claim.{term_column} = quote_term.{term_of_quote} "
        f"JOIN {Case._meta.db_table} AS claimed ON claimed.id = claim.case_id AND claimed.status = %s "
        f"GROUP BY claim.{term_column}"
    )
    with connections[links.objects.db].cursor() as cursor:
        cursor.execute(sql, [Case.Status.PUBLISHED])
        return dict(cursor.fetchall())


def candidates_url(claim):
    """The admin page offering quotes for `claim`."""
    return reverse("admin:cases_case_claim_candidates", kwargs={"object_id": claim.case.pk, "claim": claim.slug})


# Candidate quotes for a claim without evidence, for curators (cases/admin/claims.py).

CANDIDATE_LIMIT = 20  # moments offered
CANDIDATE_QUOTES = 60  # quotes ranked to fill them
MOMENT_SECONDS = 30  # quotes of one source this close together are one moment
MAX_QUERY_WORDS = 40
LETTERS = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


@dataclass
class Moment:
    """Quotes that several documents give for the same moment of the same source (seconds within
    MOMENT_SECONDS of the first), best ranked first; a curator picks one of them knowingly."""

    source: object
    start_second: int
    quotes: list = field(default_factory=list)
    from_case_sources: bool = False

    @property
    def best(self):
        return self.quotes[0]

    @property
    def documents(self):
        """The titles of the documents that give this moment, each once."""
        return list(dict.fromkeys(quote.document.title for quote in self.quotes if quote.document))


def claim_texts(claim):
    """(text about the claim, text about the case): what a candidate is compared with.

    A challenge or success factor claim: its name and the curator's note, then the case's title and
    summary; the summary claim: the summary, then the title.
    """
    case = claim.case
    if claim.group == SUMMARY:
        return case.summary, case.title
    return f"{claim.term.name} {claim.note}", f"{case.title} {case.summary}"


def _stems(text):
    """Distinct light stems of the words of `text`, stop words dropped, in their order."""
    words = (word.lower() for word in LETTERS.findall(text or ""))
    return list(dict.fromkeys(stem(word) for word in words if word not in STOP_WORDS))[:MAX_QUERY_WORDS]


def case_source_ids(case):
    """The sources the case's evidence already comes from, and its publications."""
    quoted = Quote.objects.filter(cases=case).order_by().values_list("source_id", flat=True).distinct()
    return set(quoted) | set(case.publications.values_list("pk", flat=True))


def _already_evidence(claim):
    """The quotes that already support `claim` (excluded from its candidates)."""
    quotes = Quote.objects.filter(cases=claim.case)
    if claim.group == CHALLENGE:
        quotes = quotes.filter(challenges=claim.term)
    elif claim.group == FACTOR:
        quotes = quotes.filter(success_factors=claim.term)
    elif claim.group == STORY:
        quotes = Quote.objects.filter(story_evidence__case=claim.case, story_evidence__section=claim.term.value)
    return quotes.values("pk")


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


def group_moments(quotes, *, seconds=MOMENT_SECONDS):
    """Ranked quotes as ranked moments: a quote joins the first moment (in rank order) of the same
    source whose first second is within `seconds` of its own; the others start their own moment."""
    moments = []
    for quote in quotes:
        moment = next(
            (
                m
                for m in moments
                if m.source.pk == quote.source_id and abs(m.start_second - quote.start_second) <= seconds
            ),
            None,
        )
        if moment is None:
            moment = Moment(
                quote.source, quote.start_second, from_case_sources=bool(getattr(quote, "in_case_sources", 0))
            )
            moments.append(moment)
        moment.quotes.append(quote)
    return moments


def candidates(claim, *, limit=CANDIDATE_LIMIT):
    """Quotes that may support `claim`, as ranked Moments: first those from the case's sources, then
    the rest of the library, each ranked by text similarity to the claim (its term's name and note,
    or the summary) counted twice, and to the case (title and summary). Quotes that already support
    the claim are left out. Both databases find the quotes through the search index (cases/search):
    PostgreSQL ranks a bounded pool with ts_rank (`_ranked_on_postgresql`), SQLite scores shared
    word stems in Python (`_ranked_on_sqlite`). Six queries.
    """
    sources = case_source_ids(claim.case)
    excluded = list(_already_evidence(claim).values_list("pk", flat=True))
    using = Quote.objects.db
    claim_text, case_text = claim_texts(claim)
    rank = _ranked_on_postgresql if connections[using].vendor == "postgresql" else _ranked_on_sqlite
    ranked = rank(using, claim_text, case_text, sources, excluded)
    quotes = (
        Quote.objects.select_related("source", "document")
        .defer("document__body", "document__raw_text")
        .in_bulk([quote_id for quote_id, _ in ranked])
    )
    ordered = []
    for quote_id, score in ranked:
        quote = quotes.get(quote_id)
        if quote is not None:  # deleted since the ranking
            quote.score, quote.in_case_sources = score, int(quote.source_id in sources)
            ordered.append(quote)
    # The case's sources first, then by score; ties in the order of the video.
    ordered.sort(
        key=lambda quote: (-quote.in_case_sources, -quote.score, quote.source_id, quote.start_second, quote.pk)
    )
    return group_moments(ordered)[:limit]


def claim_of(case, slug):
    """The claim of `case` named `slug` ("summary", "challenge:SLUG", "success-factor:SLUG"), with
    its evidence as quote ids and its note; None when the case makes no such claim."""
    for claim in claims_of(Case.objects.filter(pk=case.pk)).get(case.pk, []):
        if claim.slug == slug:
            return claim
    return None


@transaction.atomic
def accept_candidate(claim, quote, *, user=None):
    """Make `quote` evidence of `claim`: link it to the case and, for a challenge or success factor,
    to the term (for a story section, to its StoryEvidence row), from the quote's side so its history records it; the case's history records the
    acceptance by `user`. Returns False when the quote already supported the claim."""
    case = Case.objects.select_for_update().get(pk=claim.case.pk)
    if _already_evidence(claim).filter(pk=quote.pk).exists():
        return False
    ensure_baseline(case)
    ensure_quote_baseline(Quote.objects.filter(pk=quote.pk))
    quote._history_user = user
    quote._change_reason = f"Accepted as evidence for {case}: {claim.label}"
    if not quote.cases.filter(pk=case.pk).exists():
        quote.cases.add(case)
    if claim.group == CHALLENGE:
        quote.challenges.add(claim.term)
    elif claim.group == FACTOR:
        quote.success_factors.add(claim.term)
    elif claim.group == STORY:
        row, _ = StoryEvidence.objects.get_or_create(case=case, section=claim.term.value)
        row.quotes.add(quote)
    # The case changed too: a stale form of it must not drop this link (cases/admin/forms.py).
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    case.refresh_from_db(fields=["updated_at"])
    RECORDERS[Case].record(
        case, reason=f"Accepted quote {quote.pk} ({quote.timestamp}) as evidence for {claim.label}", user=user
    )
    return True
