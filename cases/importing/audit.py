"""The evidence audit: how much of what the documents say became citable seconds, and how much of it is doubtful.

:func:`audit_library` reads the library as it stands (each document's stored file parsed again, the
stored quotes, sources and flags) and answers a plain dict, the ``audit_evidence --json`` object;
its keys are documented in ``docs/evidence-audit.md``.
"""

from __future__ import annotations

from django.db.models import Count, Q

from ..models import Document, Quote, Source
from ..timestamps import MAX_SECOND
from .parser import DocumentError, parse_document

__all__ = ["audit_library"]


def _has_alnum(text: str) -> bool:
    return any(character.isalnum() for character in text)


def _anchor_figures() -> dict:
    """Anchors read, seconds they gave, repeats merged, unreadable anchors and statements left
    without a storable second, from every document's stored file (read as the importer reads it)."""
    figures = {
        "anchors_read": 0,
        "seconds_read": 0,
        "merged_repeats": 0,
        "unreadable_anchors": 0,
        "statements_without_second": 0,
        "documents_unreadable": 0,
    }
    documents = Document.objects.exclude(raw_text="").only("pk", "raw_text", "timestamps_as_minutes")
    for document in documents.iterator(chunk_size=200):
        try:
            parsed = parse_document(document.raw_text, minutes_seconds=document.timestamps_as_minutes)
        except DocumentError:
            figures["documents_unreadable"] += 1
            continue
        cited = sum(len(statement.seconds) for statement in parsed.statements)
        # The parser's own counters when it has them (see ParsedDocument), else what its output shows.
        unreadable = getattr(parsed, "unreadable", None)
        if unreadable is None:
            unreadable = sum(problem.message.endswith("has no number") for problem in parsed.problems)
        seconds_read = getattr(parsed, "seconds_read", None)
        merged = getattr(parsed, "merged_repeats", None)
        if seconds_read is None:
            seconds_read = cited
        if merged is None:
            merged = max(parsed.anchor_count - unreadable - cited, 0)
        figures["anchors_read"] += parsed.anchor_count
        figures["seconds_read"] += seconds_read
        figures["merged_repeats"] += merged
        figures["unreadable_anchors"] += unreadable
        figures["statements_without_second"] += sum(
            1 for statement in parsed.statements if not any(0 <= s <= MAX_SECOND for s in statement.seconds)
        )
    return figures


def audit_library() -> dict:
    """The audit's figures (see docs/evidence-audit.md for every key). Read-only; a fixed number of
    queries plus one pass over the documents' stored text."""
    figures = _anchor_figures()
    quotes = Quote.objects.order_by()
    seconds_stored, empty = 0, 0
    for text, others in quotes.values_list("text", "other_seconds").iterator(chunk_size=5000):
        seconds_stored += 1 + len(others or ())
        empty += not _has_alnum(text)
    status = Quote.TimeStatus
    by_status = dict(quotes.values_list("time_status").annotate(n=Count("pk")))
    past_end = quotes.past_end()
    flagged = Document.objects.filter(needs_review=True).select_related("source").order_by("slug")
    videos = (
        Source.objects.filter(kind=Source.Kind.VIDEO)
        .annotate(document_total=Count("documents", distinct=True))
        .filter(document_total__gt=0)
        .order_by("youtube_id")
    )
    figures.update(
        {
            "quotes": sum(by_status.values()),
            "seconds_stored": seconds_stored,
            "empty_quotes": empty,
            "quotes_exact": by_status.get(status.EXACT, 0),
            "quotes_corrected": by_status.get(status.CORRECTED, 0),
            "quotes_under_review": by_status.get(status.UNDER_REVIEW, 0),
            "quotes_past_end": past_end.count(),
            "quotes_past_end_not_under_review": past_end.exclude(time_status=status.UNDER_REVIEW).count(),
            "quotes_past_end_in_unflagged_documents": past_end.exclude(document__needs_review=True).count(),
            "documents": Document.objects.count(),
            "documents_flagged": [
                {"slug": document.slug, "video_id": document.source.youtube_id, "reason": document.review_reason}
                for document in flagged
            ],
            "documents_confirmed": Document.objects.filter(times_confirmed_at__isnull=False).count(),
            "documents_read_as_minutes_seconds": Document.objects.filter(timestamps_as_minutes=True).count(),
            "videos": [
                {
                    "video_id": video.youtube_id,
                    "documents": video.document_total,
                    "duration_seconds": video.duration_seconds,
                    "estimated_duration_seconds": video.estimated_duration_seconds,
                }
                for video in videos
            ],
        }
    )
    figures["videos_with_duration"] = sum(1 for video in figures["videos"] if video["duration_seconds"] is not None)
    figures["documents_without_quotes"] = Document.objects.filter(~Q(quotes__isnull=False)).count()
    return figures
