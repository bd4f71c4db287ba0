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

The package: `claim.py` (the Claim value, the claims of one case page), `bulk.py` (the claims of
many cases at once, as quote ids), `candidates.py` and `ranking.py` (quotes offered to a curator for
a claim without evidence). The names below are those the rest of the project imports.
"""

from .bulk import (
    blocking,
    claim_of,
    claims_of,
    evidence_by_claim,
    evidence_rows,
    evidenced_claim_counts,
    failing_claims,
    unevidenced_claims,
    unevidenced_count,
)
from .candidates import accept_candidate, candidates, candidates_url, group_moments
from .claim import CHALLENGE, FACTOR, STORY, SUMMARY, page_claims

__all__ = [
    "CHALLENGE",
    "FACTOR",
    "STORY",
    "SUMMARY",
    "accept_candidate",
    "blocking",
    "candidates",
    "candidates_url",
    "claim_of",
    "claims_of",
    "evidence_by_claim",
    "evidence_rows",
    "evidenced_claim_counts",
    "failing_claims",
    "group_moments",
    "page_claims",
    "unevidenced_claims",
    "unevidenced_count",
]
