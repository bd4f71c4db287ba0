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

A claim without evidence may carry a curator's recorded reason (`no_evidence_reason` on the
link, `summary_no_evidence_reason` on the case); publishing needs each claim to have one or
the other (cases.workflow).
"""
from dataclasses import dataclass, field

from django.db.models import Exists, IntegerField, OuterRef, Value
from django.urls import reverse

from .models import Case, CaseChallenge, CaseSuccessFactor, Quote

SUMMARY = "summary"
CHALLENGE = "challenge"
FACTOR = "success-factor"
GROUP_LABELS = {SUMMARY: "Summary", CHALLENGE: "Challenge", FACTOR: "Success factor"}


@dataclass
class Claim:
    """One claim of a case, with its supporting quotes (model instances or ids, as the caller built it)."""

    case: Case
    group: str  # SUMMARY, CHALLENGE or FACTOR
    term: object = None  # the Challenge or SuccessFactor; None for the summary
    note: str = ""
    reason: str = ""  # the curator's recorded reason for having no evidence
    evidence: list = field(default_factory=list)
    evidence_total: int = 0  # all supporting quotes, when `evidence` shows only the first ones

    @property
    def evidenced(self):
        return bool(self.evidence_total or self.evidence)

    @property
    def term_id(self):
        return self.term.pk if self.term is not None else None

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
        return f"{GROUP_LABELS[self.group]}: {self.term.name}"

    @property
    def anchor(self):
        """The id of the claim on the case page."""
        return "summary" if self.group == SUMMARY else f"{self.group}-{self.term.slug}"

    @property
    def url(self):
        return f"{self.case.get_absolute_url()}#{self.anchor}"

    @property
    def slug(self):
        """`summary`, `challenge:SLUG` or `success-factor:SLUG`: the claim in a URL or an export."""
        return SUMMARY if self.group == SUMMARY else f"{self.group}:{self.term.slug}"


# Claims read from the links of the case page (CaseDetailView.with_page_contents): no query.


def _supports(quote, group, term_id):
    terms = quote.challenge_list if group == CHALLENGE else quote.success_factor_list
    return any(term.pk == term_id for term in terms)


def page_claims(case, *, shown_per_claim=None, summary_shown=None):
    """The claims of `case` as its page lists them: the summary first, then its challenges and
    success factors (each with the case's quotes that support it, in time order).

    `case` must carry the page's prefetches (`challenge_links`, `success_factor_links`, and
    `evidence` with each quote's `challenge_list` and `success_factor_list`). Each claim's
    `evidence` is cut to `shown_per_claim` quotes (the summary's to `summary_shown`), with
    `evidence_total` counting them all. Runs no query.
    """
    claims, claimed = [], set()
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
    if summary:
        parts.append(
            quote_cases.filter(case_id__in=case_ids).order_by().values_list("case_id", Value(SUMMARY), no_term, "quote_id")
        )
    first, *rest = parts
    return first.union(*rest, all=True)


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

    Four queries whatever the number of cases: the cases, their challenge and success-factor
    links (with the terms), and the evidence rows.
    """
    cases = {case.pk: case for case in cases.only("pk", "slug", "title", "status", "summary_no_evidence_reason")}
    evidence = evidence_by_claim(evidence_rows(list(cases)), case_ids=list(cases))
    claims = {
        pk: [Claim(case, SUMMARY, reason=case.summary_no_evidence_reason)] for pk, case in cases.items()
    }
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
    claims = claims_of(Case.objects.filter(pk=case.pk)).get(case.pk, [])
    return [claim for claim in claims if not claim.evidenced and not claim.reason.strip()]


def unevidenced_claims(cases):
    """Every claim of `cases` (a queryset) that has no supporting quote, reason or not, case by case."""
    return [claim for case_claims in claims_of(cases).values() for claim in case_claims if not claim.evidenced]


def candidates_url(claim):
    """The admin page offering quotes for `claim`."""
    return reverse("admin:cases_case_claim_candidates", kwargs={"object_id": claim.case.pk, "claim": claim.slug})
