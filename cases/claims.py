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
the other (cases.workflow).
"""
import math
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, transaction
from django.db.models import Case as Conditional
from django.db.models import Exists, F, FloatField, IntegerField, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from .history import ensure_baseline, ensure_quote_baseline
from .models import STORY_FIELDS, Case, CaseChallenge, CaseSuccessFactor, Quote, StoryEvidence, StorySection
from .search.text import STOP_WORDS, stem

# The text search configuration of the models' own search_vector columns (migration 0003's triggers).
CONFIG = "english"
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


# Claims read from the links of the case page (CaseDetailView.with_page_contents): no query.


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
            claims.append(Claim(case, group, term, link.note, link.no_evidence_reason, evidence[:shown_per_claim], len(evidence)))
    summary_evidence = [quote for quote in case.evidence if quote.pk not in claimed]
    summary = Claim(
        case, SUMMARY, None, "", case.summary_no_evidence_reason, summary_evidence[:summary_shown], len(summary_evidence)
    )
    return [summary, *claims]


# Claims of many cases at once, as ids: the matrix, the exports, the workflow and the health page.


def evidence_rows(case_ids, *, summary=True, by_slug=False):
    """The link rows that decide the claims of the cases `case_ids` (a list or a values("pk")
    queryset), in one query: tuples (case id, group, term id, quote id) where quote id 0 marks a
    claim (one row per challenge or success factor claimed) and a non-zero one a quote that
    supports it. With `summary`, every quote of each case comes too as (case id, SUMMARY, 0, quote id).

    With `by_slug`, terms are named by their slug instead of their id (the summary's by "").
    One UNION ALL of link-table selects, so the caller's query count does not grow with the cases.
    """
    quote_cases = Quote.cases.through.objects
    zero = Value(0, output_field=IntegerField())
    challenge, factor = ("challenge__slug", "success_factor__slug") if by_slug else ("challenge_id", "success_factor_id")
    quote_challenge, quote_factor = (
        ("quote__challenges__slug", "quote__success_factors__slug") if by_slug
        else ("quote__challenges", "quote__success_factors")
    )
    no_term = Value("") if by_slug else zero
    claimed_challenge = CaseChallenge.objects.filter(case_id=OuterRef("case_id"), challenge_id=OuterRef("quote__challenges"))
    claimed_factor = CaseSuccessFactor.objects.filter(
        case_id=OuterRef("case_id"), success_factor_id=OuterRef("quote__success_factors")
    )
    parts = [
        CaseChallenge.objects.filter(case_id__in=case_ids).order_by()
        .values_list("case_id", Value(CHALLENGE), challenge, zero),
        CaseSuccessFactor.objects.filter(case_id__in=case_ids).order_by()
        .values_list("case_id", Value(FACTOR), factor, zero),
        quote_cases.filter(case_id__in=case_ids).filter(Exists(claimed_challenge)).order_by()
        .values_list("case_id", Value(CHALLENGE), quote_challenge, "quote_id"),
        quote_cases.filter(case_id__in=case_ids).filter(Exists(claimed_factor)).order_by()
        .values_list("case_id", Value(FACTOR), quote_factor, "quote_id"),
    ]
    parts += _story_rows(case_ids, by_slug=by_slug)
    if summary:
        parts.append(
            quote_cases.filter(case_id__in=case_ids).order_by().values_list("case_id", Value(SUMMARY), no_term, "quote_id")
        )
    first, *rest = parts
    return first.union(*rest, all=True)


def _story_rows(case_ids, *, by_slug):
    """evidence_rows' part for the story sections: a claim row per section with text, a row per
    quote a StoryEvidence row names (the section as its number, or its value with `by_slug`)."""
    zero = Value(0, output_field=IntegerField())
    cases = Case.objects.filter(pk__in=case_ids).order_by()
    parts = [
        cases.exclude(**{section.field_name: ""}).values_list(
            "pk", Value(STORY), Value(section.value) if by_slug else Value(SECTION_NUMBERS[section]), zero
        )
        for section in StorySection
    ]
    if by_slug:
        section = F("storyevidence__section")
    else:
        section = Conditional(
            *[When(storyevidence__section=s.value, then=Value(n)) for s, n in SECTION_NUMBERS.items()],
            default=zero, output_field=IntegerField(),
        )
    parts.append(
        StoryEvidence.quotes.through.objects.filter(storyevidence__case_id__in=case_ids).order_by()
        .values_list("storyevidence__case_id", Value(STORY), section, "quote_id")
    )
    return parts


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
        # The rows hold only quotes of claimed terms (Exists above), but a claim removed between
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
    claims = {
        pk: [Claim(case, SUMMARY, reason=case.summary_no_evidence_reason)] for pk, case in cases.items()
    }
    reasons = {
        (case_id, section): reason
        for case_id, section, reason in StoryEvidence.objects.filter(case_id__in=list(cases))
        .exclude(no_evidence_reason="").values_list("case_id", "section", "no_evidence_reason")
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


def _or_query(text):
    """A PostgreSQL tsquery matching any word of `text` (words of letters only: nothing to escape)."""
    words = list(dict.fromkeys(word.lower() for word in LETTERS.findall(text or "")))[:MAX_QUERY_WORDS]
    return SearchQuery(" | ".join(words), search_type="raw", config=CONFIG) if words else None


# A word held by more than this share of the quotes (PostgreSQL's statistics) is common: it ranks
# candidates but does not choose them.
COMMON_WORD_SHARE = 0.001
# At most this many quotes are ranked from the library, and as many from the case's sources: the
# ranking reads each one's search vector, so its cost follows the pool, not the library.
RANKED_POOL = 400


def _common_words(words, using):
    """The words of `words` that more than COMMON_WORD_SHARE of the quotes hold, read from the
    statistics ANALYZE keeps on the search vector (its most common lexemes and their shares): one
    catalog query, no scan. Without statistics no word is common."""
    sql = (
        "WITH stats AS (SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS shares "
        "FROM pg_stats WHERE schemaname = current_schema() AND tablename = %s AND attname = 'search_vector') "
        "SELECT w.word FROM unnest(%s::text[]) AS w(word) WHERE EXISTS ("
        "SELECT 1 FROM stats, unnest(tsvector_to_array(to_tsvector(%s::regconfig, w.word))) AS lexeme(value) "
        "WHERE stats.shares[array_position(stats.elems, lexeme.value)] > %s)"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [Quote._meta.db_table, list(words), CONFIG, COMMON_WORD_SHARE])
        return {word for (word,) in cursor.fetchall()}


def _ranked_on_postgresql(pool, claim_text, case_text, sources):
    """The best CANDIDATE_QUOTES of `pool` by ts_rank. The quotes ranked are those holding one of the
    claim's rarer words (at most RANKED_POOL) and those of the case's sources holding any of its
    words (as many): a word most quotes hold would otherwise make the whole library the pool."""
    term_query, case_query = _or_query(claim_text), _or_query(case_text)
    if term_query is None:
        return []
    words = list(dict.fromkeys(word.lower() for word in LETTERS.findall(claim_text)))[:MAX_QUERY_WORDS]
    common = _common_words(words, pool.db)
    rare = [word for word in words if word not in common]
    choosing = _or_query(" ".join(rare)) if rare else term_query
    # Unordered and limited: the index scan stops at the limit; ranking comes after.
    library = Quote.objects.filter(search_vector=choosing).order_by().values_list("pk", flat=True)[:RANKED_POOL]
    own = (
        Quote.objects.filter(source_id__in=sources, search_vector=term_query).order_by()
        .values_list("pk", flat=True)[:RANKED_POOL]
    )
    pool_ids = set(library) | set(own)
    ranked = pool.filter(pk__in=pool_ids).annotate(
        term_rank=SearchRank(F("search_vector"), term_query),
        case_rank=SearchRank(F("search_vector"), case_query) if case_query else Value(0.0, output_field=FloatField()),
    ).annotate(score=2 * F("term_rank") + F("case_rank"))
    return list(ranked.order_by("-in_case_sources", "-score", "source_id", "start_second", "pk")[:CANDIDATE_QUOTES])


def _ranked_in_python(pool, claim_text, case_text):
    """SQLite: quotes holding one of the claim's words, scored by the words they share with the
    claim (twice) and with the case, per word of the quote's length (shorter, denser quotes first)."""
    claim_stems, case_stems = _stems(claim_text), set(_stems(case_text))
    if not claim_stems:
        return []
    matching = Q()
    for word in claim_stems:
        matching |= Q(text__icontains=word)
    scored = []
    for quote in pool.filter(matching).iterator(chunk_size=2000):
        words = set(_stems(quote.text))
        shared = 2 * len(words & set(claim_stems)) + len(words & case_stems)
        if shared:
            quote.score = shared / math.sqrt(len(words) or 1)
            scored.append(quote)
    scored.sort(key=lambda quote: (-quote.in_case_sources, -quote.score, quote.source_id, quote.start_second, quote.pk))
    return scored[:CANDIDATE_QUOTES]


def group_moments(quotes, *, seconds=MOMENT_SECONDS):
    """Ranked quotes as ranked moments: a quote joins the first moment (in rank order) of the same
    source whose first second is within `seconds` of its own; the others start their own moment."""
    moments = []
    for quote in quotes:
        moment = next(
            (m for m in moments if m.source.pk == quote.source_id and abs(m.start_second - quote.start_second) <= seconds),
            None,
        )
        if moment is None:
            moment = Moment(quote.source, quote.start_second, from_case_sources=bool(getattr(quote, "in_case_sources", 0)))
            moments.append(moment)
        moment.quotes.append(quote)
    return moments


def candidates(claim, *, limit=CANDIDATE_LIMIT):
    """Quotes that may support `claim`, as ranked Moments: first those from the case's sources, then
    the rest of the library, each ranked by text similarity to the claim (its term's name and note,
    or the summary) counted twice, and to the case (title and summary). Quotes that already support
    the claim are left out. PostgreSQL ranks with its full-text search (ts_rank on the quotes'
    search vector) a bounded pool (`_ranked_on_postgresql`); SQLite scores shared word stems in Python.
    """
    sources = case_source_ids(claim.case)
    pool = (
        Quote.objects.exclude(pk__in=_already_evidence(claim))
        .select_related("source", "document").defer("search_vector", "document__body", "document__raw_text")
        .annotate(in_case_sources=Conditional(When(source_id__in=sources, then=1), default=0, output_field=IntegerField()))
    )
    claim_text, case_text = claim_texts(claim)
    if connections[pool.db].vendor == "postgresql":
        ranked = _ranked_on_postgresql(pool, claim_text, case_text, sources)
    else:
        ranked = _ranked_in_python(pool, claim_text, case_text)
    return group_moments(ranked)[:limit]


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
