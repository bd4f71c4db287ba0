"""The Claim value (a case's summary, story section, challenge or success factor with its evidence)
and the claims of one case read from its page's prefetches, without a query."""

from dataclasses import dataclass, field

from django.db import connections

from ..models import Case, CaseChallenge, CaseSuccessFactor, Challenge, Quote, StorySection, SuccessFactor

SUMMARY = "summary"
CHALLENGE = "challenge"
FACTOR = "success-factor"
STORY = "story"
GROUP_LABELS = {SUMMARY: "Summary", CHALLENGE: "Challenge", FACTOR: "Success factor", STORY: "Story section"}
# A story section's term id in evidence rows (integers, like the challenges' and factors' ids).
SECTION_NUMBERS = {section: number for number, section in enumerate(StorySection, start=1)}


@dataclass(frozen=True)
class TermClaims:
    """Where the claims on one kind of taxonomy term live: the case's link to the term (with the
    curator's note and no-evidence reason) and the quotes' links to it. One row per kind in
    TERM_CLAIMS, so no function here branches on challenge versus success factor."""

    group: str  # CHALLENGE or FACTOR
    term_model: type  # Challenge or SuccessFactor
    link_model: type  # CaseChallenge or CaseSuccessFactor: the case's claim
    term_field: str  # the link's foreign key to the term, and the stem of the page's prefetch names
    quote_relation: str  # Quote's many-to-many to the term

    @property
    def page_links(self):
        """The case's prefetched links on the case page (CaseQuerySet.for_case_page)."""
        return f"{self.term_field}_links"

    @property
    def quote_links(self):
        """The through model of Quote's links to the term, and its column naming the term."""
        field = Quote._meta.get_field(self.quote_relation)
        return field.remote_field.through, field.m2m_reverse_name()


TERM_CLAIMS = (
    TermClaims(CHALLENGE, Challenge, CaseChallenge, "challenge", "challenges"),
    TermClaims(FACTOR, SuccessFactor, CaseSuccessFactor, "success_factor", "success_factors"),
)
TERM_CLAIMS_BY_GROUP = {kind.group: kind for kind in TERM_CLAIMS}


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
    def slug(self):
        """`summary`, `story:SECTION`, `challenge:SLUG` or `success-factor:SLUG`: the claim in a URL or an export."""
        return SUMMARY if self.group == SUMMARY else f"{self.group}:{self.term_slug}"


def quote_term_links(case):
    """{(group, term id): {quote id}}: which quotes of `case` are linked to which challenge and
    success factor. One query of ids (both link tables, UNION ALL; raw SQL, as the ORM's union
    cost more to compile than to run): prefetching each quote's terms as objects cost the case
    page two queries and a tenth of its time."""
    connection = connections[case._state.db or "default"]
    quote = connection.ops.quote_name
    case_quotes = Case.quotes.through._meta
    selects = []
    for kind in TERM_CLAIMS:
        through, term_column = kind.quote_links
        quote_column = through._meta.get_field("quote").column
        selects.append(
            f"SELECT '{kind.group}', {quote(term_column)}, {quote(quote_column)} FROM {quote(through._meta.db_table)} "
            f"WHERE {quote(quote_column)} IN (SELECT {quote(case_quotes.get_field('quote').column)} "
            f"FROM {quote(case_quotes.db_table)} WHERE {quote(case_quotes.get_field('case').column)} = %s)"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), [case.pk] * len(selects))
        rows = cursor.fetchall()
    links = {}
    for group, term_id, quote_id in rows:
        links.setdefault((group, term_id), set()).add(quote_id)
    return links


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
    `story_evidence_list` with each row's `quote_list`, and `evidence`). Each claim's
    `evidence` is cut to `shown_per_claim` quotes (the summary's to `summary_shown`), with
    `evidence_total` counting them all. Runs one query (quote_term_links).
    """
    claims, claimed = [], set()
    links = quote_term_links(case) if case.evidence else {}
    for claim in story_claims(case, case.story_evidence_list):
        # Shown whole: a section is a paragraph or two, its quotes few (and no quote-browser filter names it).
        claimed.update(quote.pk for quote in claim.evidence)
        claims.append(claim)
    for kind in TERM_CLAIMS:
        for link in getattr(case, kind.page_links):
            term = getattr(link, kind.term_field)
            supporting = links.get((kind.group, term.pk), ())
            evidence = [quote for quote in case.evidence if quote.pk in supporting]
            claimed.update(quote.pk for quote in evidence)
            claims.append(
                Claim(
                    case,
                    kind.group,
                    term,
                    link.note,
                    link.no_evidence_reason,
                    evidence[:shown_per_claim],
                    len(evidence),
                )
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
