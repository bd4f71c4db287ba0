"""The Claim value (a case's summary, story section, challenge or success factor with its evidence)
and the claims of one case read from its page's prefetches, without a query."""

from dataclasses import dataclass, field

from ..models import Case, StorySection

SUMMARY = "summary"
CHALLENGE = "challenge"
FACTOR = "success-factor"
STORY = "story"
GROUP_LABELS = {SUMMARY: "Summary", CHALLENGE: "Challenge", FACTOR: "Success factor", STORY: "Story section"}
# A story section's term id in evidence rows (integers, like the challenges' and factors' ids).
SECTION_NUMBERS = {section: number for number, section in enumerate(StorySection, start=1)}


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
