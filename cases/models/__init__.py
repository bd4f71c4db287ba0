"""The domain model, one module per concern; every model and public name is importable from here.

base (timestamps, WEB_URL) · taxonomy (countries … success factors) · evidence (sources, documents,
topics, quotes) · cases (the case, its story sections, links, participants) · claims (the evidence
of story sections, challenges and success factors) · curation (old slugs, revisions, submissions) ·
relinks (quotes a re-import cut loose) · library (the facet cache's version row) · search (the
search index's tables, created by raw SQL: read the notes there for what Django does not manage).
"""

from .base import WEB_URL, PostgresGinIndex, TimeStampedModel
from .cases import STORY_FIELDS, STORY_SECTION_LENGTH, Case, Participation, StorySection, SupportingLink
from .claims import CaseChallenge, CaseSuccessFactor, StoryEvidence
from .curation import OldSlug, Revision, Submission
from .evidence import Document, Quote, Source, Topic
from .library import LibraryVersion
from .relinks import QuoteRelink, QuoteRelinkQuerySet
from .search import SearchEntry, SearchFtsEntry, SearchVocabulary, SearchWord
from .taxonomy import Approach, Challenge, Country, Organisation, Region, SuccessFactor, Theme

__all__ = [
    "STORY_FIELDS",
    "STORY_SECTION_LENGTH",
    "WEB_URL",
    "Approach",
    "Case",
    "CaseChallenge",
    "CaseSuccessFactor",
    "Challenge",
    "Country",
    "Document",
    "LibraryVersion",
    "OldSlug",
    "Organisation",
    "Participation",
    "PostgresGinIndex",
    "Quote",
    "QuoteRelink",
    "QuoteRelinkQuerySet",
    "Region",
    "Revision",
    "SearchEntry",
    "SearchFtsEntry",
    "SearchVocabulary",
    "SearchWord",
    "Source",
    "StoryEvidence",
    "StorySection",
    "Submission",
    "SuccessFactor",
    "SupportingLink",
    "Theme",
    "TimeStampedModel",
    "Topic",
]
