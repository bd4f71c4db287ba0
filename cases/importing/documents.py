"""Storing one parsed document, with its video and topics, and a channel index's videos."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..locking import hold_import_lock
from ..models import Document, Quote, Source, Topic
from .inputs import fit
from .parser import ParsedDocument, parse_channel_index
from .quotes import store_quotes, wanted_quotes
from .report import FileError, ImportReport
from .rows import sync_links

YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{1,20}")


@dataclass
class BatchRows:
    """The sources (by video id) and topic ids (by slug) the files of one batch have read or made:
    the ninth document of a video reads its source once, not nine times.

    Only good in the transaction that read them: the run makes one per batch (cases.importing.importer)
    and clears it when a file fails, whose savepoint took back the rows it made. A source's
    ``has_orphans`` may turn true (a file stranded quotes), never false: at worst a query too many.
    """

    sources: dict[str, Source] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)

    def clear(self) -> None:
        self.sources.clear()
        self.topics.clear()


def stored_document(slug: str) -> Document | None:
    """The stored document of `slug`, or None: read under the import lock, which it takes (call it
    inside the transaction that stores the file), so that "create or update" holds until the commit."""
    hold_import_lock()  # another import of the same file waits for this one, then updates
    return Document.objects.filter(slug=slug).first()


def store_document(parsed, report, *, document, rows, name, slug, raw_text, digest, minutes_seconds) -> Document:
    """Write one parsed document (its source, topics, quotes) over `document`, the stored one of
    `slug` that stored_document() read in the caller's transaction (None: created); `rows`: the
    batch's BatchRows."""
    for problem in parsed.problems:
        report.problems.append(f"{name}:{problem.line}: {problem.message}")
    source = source_for(parsed, report, rows.sources)
    labels = {fit(Topic, "slug", slug_): label for slug_, label in parsed.topics.items()}
    topic_ids = stored_topic_ids(labels, rows.topics)
    # Its flag (needs_review, review_reason) is set once the run's files are stored: see _check_times.
    values = {
        "title": fit(Document, "title", parsed.title or slug),
        "source_id": source.pk,
        "body": parsed.body,
        "raw_text": raw_text,
        "content_hash": digest,
        "timestamps_as_minutes": minutes_seconds,
    }
    created = document is None
    if created:
        document = Document.objects.create(slug=slug, **values)
        report.created += 1
    else:
        if document.content_hash != digest and document.times_confirmed_at is not None:
            values["times_confirmed_at"] = None  # a confirmation holds for the times it was given about
        if document.source_id != source.pk:
            report.touched_sources.add(document.source_id)  # the video it left: its estimate changes
        changed = [key for key, value in values.items() if getattr(document, key) != value]
        if changed:
            for key in changed:
                setattr(document, key, values[key])
            document.save(update_fields=[*changed, "updated_at"])
            report.updated += 1
        else:
            report.unchanged += 1
    report.documents += 1
    report.source_keys.add(source.slug)
    report.topic_slugs.update(topic_ids)
    report.stored[document.pk] = name
    report.touched_sources.add(source.pk)
    sync_links(
        Document.topics.through,
        "document_id",
        "topic_id",
        {(document.pk, topic_id) for topic_id in topic_ids.values()},
        [] if created else [document.pk],  # a new document has no links to read
    )
    wanted = wanted_quotes(parsed, report, name, source=source, document_pk=document.pk)
    orphaned = store_quotes(document, source, wanted, topic_ids, report, name, created=created)
    for known in rows.sources.values():
        if known.pk in orphaned:
            known.has_orphans = True
    return document


def store_index(text: str, report: ImportReport, *, name: str) -> None:
    """Sources (videos) of a channel index with their titles; an existing source's title is replaced
    only when it is empty, its video id, or one of its documents' titles (never a curator's).

    The index names its channel by a slug ('oecdobservatoryofpublicsec3116'); when a curator gave one
    of its videos a channel name, that name becomes the channel of all of them.
    """
    hold_import_lock()
    channel_slug, videos = parse_channel_index(text)
    report.indexes += 1
    wanted = {}
    for video in videos:
        if not YOUTUBE_ID.fullmatch(video.video_id):
            report.problems.append(f'{name}:0: video id "{video.video_id}" is not a YouTube id: skipped')
            continue
        wanted[video.video_id] = fit(Source, "title", video.title.strip() or video.video_id)
    report.source_keys.update(wanted)
    existing = {source.youtube_id: source for source in Source.objects.filter(youtube_id__in=list(wanted))}
    document_titles = set(Document.objects.filter(source__in=list(existing.values())).values_list("source_id", "title"))
    channel_slug = fit(Source, "channel", channel_slug)
    curated = Counter(s.channel for s in existing.values() if s.channel and s.channel != channel_slug)
    channel = curated.most_common(1)[0][0] if curated else channel_slug
    now = timezone.now()
    new, changed = [], []
    for video_id, title in wanted.items():
        source = existing.get(video_id)
        if source is None:
            new.append(
                Source(
                    kind=Source.Kind.VIDEO,
                    slug=video_id,
                    youtube_id=video_id,
                    title=title,
                    url=f"https://www.youtube.com/watch?v={video_id}",
                    channel=channel,
                )
            )
            continue
        dirty = False
        replaceable = not source.title or source.title == video_id or (source.pk, source.title) in document_titles
        if source.title != title and replaceable:
            source.title, dirty = title, True
        if channel and source.channel != channel and source.channel in ("", channel_slug):
            source.channel, dirty = channel, True
        if dirty:
            source.updated_at = now
            changed.append(source)
    Source.objects.bulk_create(new)
    Source.objects.bulk_update(changed, ["title", "channel", "updated_at"])
    # Shared with the run, for the documents that follow.
    report.index_titles.update(wanted)
    if channel_slug:
        report.channel_names[channel_slug] = channel


def source_for(parsed: ParsedDocument, report: ImportReport, known: dict[str, Source]) -> Source:
    """The stored video the document names, created (titled from the channel index when it named
    it) if missing; FileError when the video id is not a YouTube id. Its ``has_orphans`` tells
    whether it has quotes no document holds (kept for a curator's links, see store_quotes).
    `known` (BatchRows.sources): the sources the batch has read, by video id; this one is added."""
    video_id = parsed.video_id
    if not YOUTUBE_ID.fullmatch(video_id):
        raise FileError(0, f'videoId "{video_id}" is not a YouTube id')
    source = known.get(video_id)
    if source is None:
        source = (
            Source.objects.filter(youtube_id=video_id)
            .annotate(has_orphans=Exists(Quote.objects.filter(source=OuterRef("pk"), document__isnull=True)))
            .first()
        )
    channel = fit(Source, "channel", parsed.channel or "")
    channel = report.channel_names.get(channel, channel)
    if source is None:
        title = report.index_titles.get(video_id) or parsed.title or video_id
        source = Source.objects.create(
            kind=Source.Kind.VIDEO,
            slug=video_id,
            youtube_id=video_id,
            title=fit(Source, "title", title),
            url=f"https://www.youtube.com/watch?v={video_id}",
            channel=channel,
        )
        source.has_orphans = False
    elif channel and not source.channel:
        source.channel = channel
        source.save(update_fields=["channel", "updated_at"])
    known[video_id] = source
    return source


def stored_topic_ids(labels: dict[str, str], known: dict[str, int]) -> dict[str, int]:
    """{slug: pk} of the topics named ({slug: label}), creating the missing ones (their label: the
    first one seen). `known` (BatchRows.topics): the batch's topic ids by slug, read here only for
    the slugs it lacks, and added to."""
    unknown = [slug for slug in labels if slug not in known]
    if unknown:
        known.update(Topic.objects.filter(slug__in=unknown).values_list("slug", "pk"))
        missing = [
            Topic(slug=slug, label=fit(Topic, "label", labels[slug].strip() or slug))
            for slug in unknown
            if slug not in known
        ]
        for topic in Topic.objects.bulk_create(missing):
            known[topic.slug] = topic.pk
    return {slug: known[slug] for slug in labels}
