"""Keep each video's estimated end, each document's time flag and each quote's time status current.

The rules are :mod:`.plausibility`'s; this module reads the stored seconds, applies them and writes
what changed. The importer calls :func:`refresh_sources` once at the end of a run for the videos it
touched, curators' actions (confirming a document's times, re-reading them, setting a duration)
call it for the videos they touched, and ``audit_evidence --refresh`` for all of them.

A document a curator resolved (times confirmed, or re-read as minutes:seconds) is never flagged
again; its quotes can still be under review one by one when past the video's end.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Coalesce

from ..models import Document, Quote, Source
from .plausibility import assess_document, estimate_end, plausible_maximum

__all__ = ["Refresh", "confirm_document_times", "provisional_end", "refresh_sources"]


@dataclass
class Refresh:
    """What :func:`refresh_sources` changed: ``flagged``/``cleared`` are (document pk, reason) pairs."""

    sources: int = 0
    estimates_changed: int = 0
    flagged: list[tuple[int, str]] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)
    quotes_changed: int = 0


def _resolved(document: Document) -> bool:
    return document.times_confirmed_at is not None or document.timestamps_as_minutes


def _seconds_by_document(sources) -> dict[int, dict[int | None, list[int]]]:
    """{source pk: {document pk (None: quotes without a document): [every second cited]}}: two
    queries, the first seconds of every quote, then the other seconds of the few that cite more
    (most cite one: decoding an empty JSON list per quote was a tenth of an import's time).

    The seconds are the documents' (a value a curator corrected counts as the document gave it,
    Quote.IMPORTED_FIELDS), and a quote a curator added counts as one without a document: the
    estimate judges the documents, and a curator's typo (20000 for 200) was the video's end, so
    no quote past it was under review (found by QA)."""
    grouped: dict[int, dict[int | None, list[int]]] = defaultdict(lambda: defaultdict(list))
    quotes = Quote.objects.filter(source__in=sources).order_by()
    starts = quotes.values_list(
        "source_id", "document_id", "added_by_curator", Coalesce("imported_start_second", "start_second")
    )
    for source_id, document_id, added, start in starts.iterator(chunk_size=5000):
        grouped[source_id][None if added else document_id].append(start)
    others = quotes.filter(~Q(other_seconds=[]) | Q(imported_other_seconds__isnull=False)).values_list(
        "source_id", "document_id", "added_by_curator", "imported_other_seconds", "other_seconds"
    )
    for source_id, document_id, added, imported, seconds in others.iterator(chunk_size=5000):
        seconds = seconds if imported is None else imported
        grouped[source_id][None if added else document_id].extend(
            int(s) for s in seconds or () if isinstance(s, int) or str(s).isdigit()
        )
    return grouped


def _estimate(groups: dict[int | None, list[int]], documents: dict[int, Document]) -> int | None:
    """The video's estimated end from `groups` ({document pk: seconds}; None: its quotes without a
    document). Those quotes (a fixture's, or kept by an import that cut them loose) are no summary
    of the video: they count only when no document does. As one more "document", a single quote
    cut loose at 0:21 made the lower median 21 s and put every other quote of its video under review.
    """
    if any(document_id is not None for document_id in groups):
        groups = {document_id: seconds for document_id, seconds in groups.items() if document_id is not None}
    maxima, confirmed = [], []
    for document_id, seconds in groups.items():
        document = documents.get(document_id)
        if document is not None and _resolved(document):
            confirmed.append(max(seconds))
        else:
            maxima.append(plausible_maximum(seconds))
    return estimate_end(maxima, confirmed=confirmed)


def refresh_sources(source_ids=None) -> Refresh:
    """Re-estimate the end of the videos `source_ids` (all when None), re-flag their documents and
    re-evaluate their quotes' time status. Only what changed is written; the caller holds the
    transaction. A handful of queries whatever the number of videos.
    """
    result = Refresh()
    sources = Source.objects.all() if source_ids is None else Source.objects.filter(pk__in=list(source_ids))
    # Titles tie (copies of a document, videos titled alike): the pk orders those, so that the
    # flagged documents are listed in the same order on every run and database.
    sources = list(sources.only("pk", "duration_seconds", "estimated_duration_seconds").order_by("title", "pk"))
    if not sources:
        return result
    ids = [source.pk for source in sources]
    documents_by_source: dict[int, dict[int, Document]] = defaultdict(dict)
    documents = (
        Document.objects.filter(source_id__in=ids)
        .only("pk", "source_id", "needs_review", "review_reason", "times_confirmed_at", "timestamps_as_minutes")
        .order_by("title", "pk")
    )
    for document in documents:
        documents_by_source[document.source_id][document.pk] = document
    grouped = _seconds_by_document(ids)

    changed_sources, changed_documents = [], []
    for source in sources:
        result.sources += 1
        groups = grouped.get(source.pk, {})
        own_documents = documents_by_source.get(source.pk, {})
        estimate = _estimate(groups, own_documents)
        if estimate != source.estimated_duration_seconds:
            source.estimated_duration_seconds = estimate
            changed_sources.append(source)
        end = source.end_seconds
        for document in own_documents.values():
            seconds = groups.get(document.pk, [])
            reason = (
                ""
                if _resolved(document) or not seconds
                else assess_document(seconds, end=end, estimated=source.duration_seconds is None)
            )
            if (document.needs_review, document.review_reason) != (bool(reason), reason):
                if reason and not document.needs_review:
                    result.flagged.append((document.pk, reason))
                elif document.needs_review and not reason:
                    result.cleared.append(document.pk)
                document.needs_review, document.review_reason = bool(reason), reason
                changed_documents.append(document)
    Source.objects.bulk_update(changed_sources, ["estimated_duration_seconds"])
    Document.objects.bulk_update(changed_documents, ["needs_review", "review_reason"])
    result.estimates_changed = len(changed_sources)
    result.quotes_changed = Quote.objects.filter(source_id__in=ids).refresh_time_status()
    return result


def provisional_end(source: Source, *, document_pk: int | None, seconds) -> int | None:
    """The video's end as the importer sees it while storing a document: the curator's duration,
    else the estimate from the other documents' stored seconds and this document's `seconds`."""
    if source.duration_seconds is not None:
        return source.duration_seconds
    groups = _seconds_by_document([source.pk]).get(source.pk, {})
    groups.pop(document_pk, None)
    others = Document.objects.filter(pk__in=[pk for pk in groups if pk is not None]).only(
        "pk", "times_confirmed_at", "timestamps_as_minutes"
    )
    seconds = list(seconds)
    if seconds:
        groups[-1] = seconds  # this document, under a key no stored document has
    return _estimate(groups, {document.pk: document for document in others})


def confirm_document_times(documents, *, when=None) -> Refresh:
    """A curator confirms that `documents` (a queryset) give their times as written: their flags
    clear and stay clear until their file changes; their videos are re-evaluated (their quotes
    become exact, or stay corrected, unless past the video's end). The caller holds the transaction."""
    from django.utils import timezone

    source_ids = set(documents.values_list("source_id", flat=True))
    documents.update(times_confirmed_at=when or timezone.now())
    return refresh_sources(source_ids)
