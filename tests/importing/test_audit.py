"""The audit_evidence command on the sample corpus: exact figures, checked by hand.

How the figures were checked: anchors_read = 5,030 anchor tags (``grep -o '<a [^>]*yt[^>]*>'``)
+ 374 bare ``[HH:MM:SS]`` stamps on lines without a tag; 3 of them repeat a second of their own
statement (merged), so 5,401 seconds are stored. The 13 flagged documents and the 510 quotes past
their video's end were read off each document's values against the other documents of its video
(docs/evidence-audit.md gives the rules).

The figures marked PARSER change when the parser reads more constructs (bracketed lists, ranges,
fractional seconds, anchors alone on their line): update them from ``audit_evidence --json``
after checking the difference by hand.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from cases.importing.importer import import_paths
from cases.models import Document, Quote
from tests.importing.test_importer import CORPUS_FLAGGED  # the one list of the corpus's flagged documents
from tests.sample_corpus import SAMPLE_CORPUS, needs_sample_corpus

pytestmark = pytest.mark.django_db

# The figures below are the whole sample corpus's: only it gives them.
CORPUS = SAMPLE_CORPUS

EXPECTED = {
    "anchors_read": 5404,  # PARSER
    "seconds_read": 5404,  # PARSER (anchors readable: 5,401 stored + 3 merged)
    "merged_repeats": 3,  # PARSER
    "unreadable_anchors": 0,  # PARSER
    "statements_without_second": 0,
    "documents_unreadable": 0,
    "quotes": 4925,  # PARSER (statements)
    "seconds_stored": 5401,  # PARSER
    "empty_quotes": 0,  # PARSER
    "quotes_exact": 4290,  # PARSER
    "quotes_corrected": 40,  # PARSER: the 40 anchors of public_sector_innovation_strategies whose text disagrees
    "quotes_under_review": 595,  # PARSER
    "quotes_past_end": 510,  # PARSER
    "quotes_past_end_not_under_review": 0,  # the target: always 0
    "quotes_past_end_in_unflagged_documents": 0,
    "documents": 96,
    "documents_confirmed": 0,
    "documents_read_as_minutes_seconds": 0,
    "documents_without_quotes": 0,
    "videos_with_duration": 0,
}
ESTIMATES = {
    "nGjuo-7sUXM": 2 * 3600 + 58 * 60 + 8,  # five summaries; the shifted one (51:25:00) left out
    "HrwPuLTdHag": 56 * 60 + 46,  # two summaries; the one running to 05:54:56 left out
    "JkIhnK7qf-w": 3600 + 27 * 60 + 42,  # three summaries, two of them shifted
    "pXVXvBXJ4tc": 9 * 60 + 32,  # one summary, shifted: read as minutes:seconds
    "0IGDlBzi51E": 3600 + 18 * 60 + 2,  # one summary, shifted values mixed with correct ones
}


def audit(*args):
    out = StringIO()
    call_command("audit_evidence", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@needs_sample_corpus
def test_audit_of_the_sample_corpus():
    import_paths([CORPUS])
    figures = audit()
    assert {key: figures[key] for key in EXPECTED} == EXPECTED
    flagged = {document["slug"]: document["reason"] for document in figures["documents_flagged"]}
    assert set(flagged) == CORPUS_FLAGGED
    assert flagged["digital_decarbonization_and_carbon_footprint_of_data"] == (
        "9 of 9 timestamps fall after the video's estimated end (00:56:46), up to 05:54:56"
    )
    assert "mixed with correct ones" in flagged["challenges_and_success_factors_in_crossborder_collaboration"]
    videos = {video["video_id"]: video for video in figures["videos"]}
    assert len(videos) == 65
    assert {key: videos[key]["estimated_duration_seconds"] for key in ESTIMATES} == ESTIMATES
    # No document flagged whose times are plausible: every flagged one is shifted or past the end.
    assert all("shifted" in reason or "after the video's" in reason for reason in flagged.values())


def test_audit_text_and_refresh(tmp_path):
    anchor = '<a class="yt-timestamp" data-t="{0}">[{0}]</a>'
    body = "".join(f"Point {n} {anchor.format(v)}.\n\n" for n, v in enumerate(["00:00:10", "00:10:00", "00:20:00"]))
    (tmp_path / "a.md").write_text(f"---\ntitle: A\nvideoId: abcdefghijk\n---\n\n{body}", encoding="utf-8")
    import_paths([tmp_path])
    Quote.objects.update(time_status=Quote.TimeStatus.UNDER_REVIEW)  # stale statuses, e.g. after a restore
    out = StringIO()
    call_command("audit_evidence", stdout=out)
    assert "Time status: 0 exact, 0 corrected on import, 3 under review." in out.getvalue()
    assert audit("--refresh", "--dry-run")["quotes_exact"] == 3
    assert Quote.objects.under_review().count() == 3  # rolled back
    assert audit("--refresh")["quotes_exact"] == 3
    assert Quote.objects.under_review().count() == 0
    assert not Document.objects.filter(needs_review=True).exists()
