"""Candidate quotes for a claim without evidence, grouped into moments, and accepting one as
evidence: the curators' pages of cases/admin/claims.py."""

from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..curation.history import ensure_baseline, ensure_quote_baseline
from ..models import Case, Quote, StoryEvidence
from ..tracking import RECORDERS
from .claim import STORY, SUMMARY, TERM_CLAIMS_BY_GROUP
from .ranking import ranked_quotes

CANDIDATE_LIMIT = 20  # moments offered
MOMENT_SECONDS = 30  # quotes of one source this close together are one moment


def candidates_url(claim):
    """The admin page offering quotes for `claim`."""
    return reverse("admin:cases_case_claim_candidates", kwargs={"object_id": claim.case.pk, "claim": claim.slug})


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


def case_source_ids(case):
    """The sources the case's evidence already comes from, and its publications."""
    quoted = Quote.objects.filter(cases=case).order_by().values_list("source_id", flat=True).distinct()
    return set(quoted) | set(case.publications.values_list("pk", flat=True))


def _already_evidence(claim):
    """The quotes that already support `claim` (excluded from its candidates)."""
    quotes = Quote.objects.filter(cases=claim.case)
    if claim.group in TERM_CLAIMS_BY_GROUP:
        quotes = quotes.filter(**{TERM_CLAIMS_BY_GROUP[claim.group].quote_relation: claim.term})
    elif claim.group == STORY:
        quotes = Quote.objects.filter(story_evidence__case=claim.case, story_evidence__section=claim.term.value)
    return quotes.values("pk")


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
    PostgreSQL ranks a bounded pool with ts_rank, SQLite scores shared word stems in Python
    (`ranking.ranked_quotes`). Six queries.
    """
    sources = case_source_ids(claim.case)
    excluded = list(_already_evidence(claim).values_list("pk", flat=True))
    claim_text, case_text = claim_texts(claim)
    ranked = ranked_quotes(claim_text, case_text, sources=sources, excluded=excluded, using=Quote.objects.db)
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


@transaction.atomic
def accept_candidate(claim, quote, *, user=None):
    """Make `quote` evidence of `claim`: link it to the case and, for a challenge or success factor,
    to the term (for a story section, to its StoryEvidence row), from the quote's side so its
    history records it; the case's history records the acceptance by `user`. Returns False when the quote already supported the claim."""
    case = Case.objects.select_for_update().get(pk=claim.case.pk)
    if _already_evidence(claim).filter(pk=quote.pk).exists():
        return False
    ensure_baseline(case)
    ensure_quote_baseline(Quote.objects.filter(pk=quote.pk))
    quote._history_user = user
    quote._change_reason = f"Accepted as evidence for {case}: {claim.label}"
    if not quote.cases.filter(pk=case.pk).exists():
        quote.cases.add(case)
    if claim.group in TERM_CLAIMS_BY_GROUP:
        getattr(quote, TERM_CLAIMS_BY_GROUP[claim.group].quote_relation).add(claim.term)
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
