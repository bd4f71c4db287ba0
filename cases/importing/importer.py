"""Import webinar summary documents (and the channel index) into sources, documents, quotes and topics.

One entry point per kind of input, all sharing one per-file routine:

* :func:`import_paths` -- files and folders (``*.md``, recursively) from the command line or a script;
* :func:`import_uploads` -- files uploaded in the admin;
* :func:`reread_document` -- a stored document read again from its ``raw_text`` (e.g. with its
  timestamps re-read as minutes:seconds).

Each file is stored in a transaction of its own (on SQLite a savepoint of the run's one
transaction): a file that cannot be read or stored is reported as ``FILE:LINE: reason`` and leaves
nothing behind, the others import. A file whose content hash matches the stored document is
skipped without being parsed (the run reads its stored documents in one query). Quotes are updated in place, matched
on their text and first second (then on their text alone), so the links curators made from quotes
to cases, challenges and success factors survive a re-import; quotes loaded from the curated
fixtures (no document yet) are adopted the same way instead of being duplicated. A linked quote
whose statement was reworded moves to the new version when the match is safe, else it is cut
loose and listed for curators to re-link (see :mod:`.carryover` for the rules and thresholds). Writes are bulk
queries, a handful per file whatever its number of anchors, and nothing parsed is kept once its
file is stored, so memory stays flat as the number of files grows.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from ..characters import xml_safe
from ..locking import hold_import_lock
from ..models import Document, Quote, Source, StoryEvidence, Topic
from ..timestamps import format_timestamp
from ..wiki import wiki_slug
from .carryover import baseline, carry_over, restore, settle
from .parser import DocumentError, ParsedDocument, is_channel_index, parse_channel_index, parse_document
from .plausibility import choose_second
from .review import provisional_end, refresh_sources
from .rows import insert_rows

__all__ = ["ImportReport", "import_paths", "import_uploads", "reread_document", "MAX_FILE_BYTES"]

# Real documents are under 60 kB with lines under 3,000 characters; these limits keep a hostile or
# mistaken input (a log file, a minified blob) from tying the importer up.
MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARS = 20_000
# Seconds are stored in a 32-bit integer column.
MAX_SECOND = 2**31 - 1
# Folder READMEs describe the folder; they are not documents.
SKIPPED_NAMES = {"readme.md"}
logger = logging.getLogger(__name__)
YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{1,20}")
HEAD_BYTES = 4096

_field_max = {
    (model, name): model._meta.get_field(name).max_length
    for model, names in (
        (Source, ["title", "channel"]),
        (Document, ["title", "slug"]),
        (Quote, ["heading_path"]),
        (Topic, ["slug", "label"]),
    )
    for name in names
}


def _fit(model, name, value):
    return value[: _field_max[(model, name)]]


# --------------------------------------------------------------------------- the report


@dataclass
class ImportReport:
    """What an import read and stored; ``as_dict()`` is the command's ``--json`` object.

    ``documents``, ``quotes``, ``timestamps`` and ``topics`` count what the imported files hold
    (an unchanged file counts as what is stored for it), so importing the same files twice gives
    the same summary; ``created``/``updated``/``unchanged`` and the ``quotes_*`` counts say what
    changed (or, in a dry run, what would change).
    """

    dry_run: bool = False
    documents: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    indexes: int = 0
    quotes: int = 0
    quotes_created: int = 0
    quotes_updated: int = 0
    quotes_deleted: int = 0
    timestamps: int = 0
    flagged: int = 0
    failures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    source_keys: set[str] = field(default_factory=set)
    topic_slugs: set[str] = field(default_factory=set)
    # From channel indexes among the inputs (processed first): video id -> title, channel slug -> name.
    index_titles: dict[str, str] = field(default_factory=dict)
    channel_names: dict[str, str] = field(default_factory=dict)
    # Documents stored (pk -> the name reported) and their videos: their times are checked at the end.
    stored: dict[int, str] = field(default_factory=dict)
    touched_sources: set[int] = field(default_factory=set)
    corrected: int = 0
    # Curator links across re-imports (cases.importing.carryover): linked quotes moved to the new
    # version of their statement, linked quotes cut loose, and one entry per quote naming its cases.
    links_carried: int = 0
    links_cut_loose: int = 0
    relinks: list[dict] = field(default_factory=list)

    @property
    def cut_loose(self) -> list[dict]:
        """The report's entries of linked quotes cut loose (each naming its cases and claims)."""
        return [entry for entry in self.relinks if entry["outcome"] == "cut_loose"]

    @property
    def carried(self) -> list[dict]:
        """The report's entries of linked quotes moved to the new version of their statement."""
        return [entry for entry in self.relinks if entry["outcome"] == "carried"]

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def sources(self) -> int:
        return len(self.source_keys)

    @property
    def topics(self) -> int:
        return len(self.topic_slugs)

    def fail(self, name: str, line: int, reason: str) -> None:
        self.failures.append(f"{name}:{line}: {reason}")

    def add(self, other: ImportReport) -> None:
        """Count in what one file (`other`) stored, once its transaction has committed."""
        for name in (
            "documents",
            "created",
            "updated",
            "unchanged",
            "indexes",
            "quotes",
            "quotes_created",
            "quotes_updated",
            "quotes_deleted",
            "timestamps",
            "flagged",
            "corrected",
            "links_carried",
            "links_cut_loose",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures.extend(other.failures)
        self.relinks.extend(other.relinks)
        self.problems.extend(other.problems)
        self.source_keys |= other.source_keys
        self.topic_slugs |= other.topic_slugs
        self.stored.update(other.stored)
        self.touched_sources |= other.touched_sources
        if other.index_titles is not self.index_titles:
            self.index_titles.update(other.index_titles)
        if other.channel_names is not self.channel_names:
            self.channel_names.update(other.channel_names)

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "sources": self.sources,
            "quotes": self.quotes,
            "timestamps": self.timestamps,
            "topics": self.topics,
            "flagged": self.flagged,
            "corrected": self.corrected,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "indexes": self.indexes,
            "quotes_created": self.quotes_created,
            "quotes_updated": self.quotes_updated,
            "quotes_deleted": self.quotes_deleted,
            "links_carried": self.links_carried,
            "links_cut_loose": self.links_cut_loose,
            "relinks": list(self.relinks),
            "failures": list(self.failures),
            "problems": list(self.problems),
        }


class FileError(Exception):
    """A file that cannot be imported: reported as FILE:LINE: reason."""

    def __init__(self, line: int, reason: str):
        super().__init__(line, reason)
        self.line = line
        self.reason = reason


# --------------------------------------------------------------------------- inputs


@dataclass
class _Input:
    name: str  # as reported: the path as given, or the uploaded file's name
    stem: str  # the file name without its extension: the document's slug
    read: Callable[..., bytes]  # read(limit=-1)
    size: Callable[[], int]
    is_dir: bool = False
    index_first: bool = False  # looks like a channel index: imported before the documents


def _path_input(path: Path, shown: str | None = None) -> _Input:
    def read(limit=-1):
        with path.open("rb") as handle:
            return handle.read(limit)

    return _Input(
        name=shown or str(path),
        stem=path.stem,
        read=read,
        size=lambda: path.stat().st_size,
        is_dir=path.is_dir(),
    )


def _expand(paths: Iterable[str | Path], report: ImportReport) -> list[_Input]:
    """Files named and the ``*.md`` files under folders named (recursively, sorted); missing ones reported."""
    inputs = []
    for given in paths:
        path = Path(given)
        if path.is_dir() and path.suffix != ".md":
            found = sorted(p for p in path.rglob("*.md") if p.name.lower() not in SKIPPED_NAMES)
            inputs.extend(_path_input(p) for p in found)
        elif path.exists() or path.is_symlink():
            inputs.append(_path_input(path, str(given)))
        else:
            report.fail(str(given), 0, "no such file or folder")
    return inputs


def _looks_like_index(head: bytes) -> bool:
    """From a file's first bytes: no videoId in its front matter, '### [title](url)' headings."""
    text = head.decode("utf-8", "ignore")
    if not text.lstrip().startswith("---"):
        return False
    front = text.lstrip()[3:].split("\n---", 1)[0]
    return not re.search(r"^\s*videoid\s*:", front, re.I | re.M) and "](http" in text


def _order(inputs: list[_Input]) -> list[_Input]:
    """Channel indexes first, so the sources they name get the index's titles (only each file's head is read)."""
    for item in inputs:
        if not item.is_dir:
            try:
                item.index_first = _looks_like_index(item.read(HEAD_BYTES))
            except OSError:
                pass  # reported when the file is imported
    return sorted(inputs, key=lambda item: not item.index_first)


def _decode(item: _Input) -> tuple[str, str]:
    """(text, sha256 of the bytes) of an input, or FileError when it is not readable markdown text."""
    if item.is_dir:
        raise FileError(0, "is a folder, not a file")
    try:
        size = item.size()
        if size > MAX_FILE_BYTES:
            raise FileError(0, f"file is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
        data = item.read(MAX_FILE_BYTES + 1)  # a file that grew since: still bounded
    except OSError as error:
        raise FileError(0, f"cannot be read: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise FileError(0, f"file is too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,})")
    if not data.strip():
        raise FileError(1, "empty file")
    if b"\x00" in data:
        raise FileError(data.count(b"\n", 0, data.index(b"\x00")) + 1, "binary file, not markdown text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FileError(line, f"not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded)") from None
    text = xml_safe(text)  # controls pasted from PDFs (U+000B) would reach the Atom feed and sitemaps
    if len(text) > MAX_LINE_CHARS:
        for lineno, line in enumerate(text.split("\n"), start=1):
            if len(line) > MAX_LINE_CHARS:
                raise FileError(lineno, f"line is {len(line):,} characters long (the limit is {MAX_LINE_CHARS:,})")
    return text, hashlib.sha256(data).hexdigest()


def document_slug(stem: str) -> str:
    """The slug of the document a file holds: its name as wiki links name it ('Public_Sector' -> 'public_sector')."""
    return _fit(Document, "slug", wiki_slug(stem))


# --------------------------------------------------------------------------- entry points


def import_paths(paths, *, dry_run=False, force=False, progress=None) -> ImportReport:
    """Import files and folders (``*.md`` under them, recursively; README.md skipped).

    ``dry_run``: do everything, report it, write nothing. ``force``: re-read files whose content
    is unchanged too. ``progress(done, total, name)`` is called after each file.
    """
    report = ImportReport(dry_run=dry_run)
    return _run(_expand(paths, report), report, dry_run=dry_run, force=force, progress=progress)


def import_uploads(files, *, dry_run=False, force=False, progress=None) -> ImportReport:
    """Import uploaded files (Django ``UploadedFile`` objects, or anything with ``name`` and ``read()``)."""

    def upload_input(upload):
        name = Path(upload.name or "upload.md").name
        size = getattr(upload, "size", None)

        def read(limit=-1):
            if hasattr(upload, "seek"):
                upload.seek(0)
            return upload.read() if limit < 0 else upload.read(limit)

        return _Input(
            name=name, stem=Path(name).stem, read=read, size=(lambda: size) if size is not None else (lambda: 0)
        )

    report = ImportReport(dry_run=dry_run)
    inputs = []
    for upload in files:
        item = upload_input(upload)
        if not item.name.lower().endswith(".md"):
            report.fail(item.name, 0, "not a markdown document (the name must end in .md)")
            continue
        inputs.append(item)
    return _run(inputs, report, dry_run=dry_run, force=force, progress=progress)


def reread_document(document: Document, *, minutes_seconds: bool) -> ImportReport:
    """Read a stored document again from its raw text, its timestamps as H:M:S or (shifted) M:S.

    Quotes keep their links: their seconds change, their text does not. Reading as minutes:seconds
    is a curator's decision about a flagged document, so it clears the flag; reading as written
    makes the document's times subject to the checks again (and clears a confirmation). The
    video's estimate, its documents' flags and its quotes' time status are re-evaluated.
    """
    report = ImportReport()
    started = time.perf_counter()
    name = document.slug
    try:
        if not document.raw_text.strip():
            raise FileError(0, "the document has no stored text to read again")
        parsed = parse_document(document.raw_text, minutes_seconds=minutes_seconds)
        with transaction.atomic():
            _store_document(
                parsed,
                report,
                name=name,
                slug=document.slug,
                raw_text=document.raw_text,
                digest=document.content_hash,
                minutes_seconds=minutes_seconds,
            )
            if not minutes_seconds:
                Document.objects.filter(pk=document.pk).update(times_confirmed_at=None)
            _check_times(report)
    except (FileError, DocumentError) as error:
        report.fail(name, error.line, error.reason)
    report.seconds = time.perf_counter() - started
    return report


def _run(inputs, report, *, dry_run, force, progress) -> ImportReport:
    started = time.perf_counter()
    inputs = _order(inputs)
    total = len(inputs)
    # Each file is stored in a transaction of its own or a savepoint: a file that fails leaves
    # nothing behind and the others import. On SQLite the run is one transaction and each file a
    # savepoint in it, because each commit made the FTS5 index write and merge a segment of its own
    # (a quarter of a first import's time); a run stopped midway then leaves nothing written. On
    # PostgreSQL each file commits: in one long transaction every version of the search
    # vocabulary's rows that the index triggers update stays until the commit (no page pruning of
    # versions the open transaction made), and each file's upserts got slower than the last.
    # A dry run does the same work in one transaction and rolls it back.
    one_transaction = dry_run or connection.vendor == "sqlite"
    with transaction.atomic() if one_transaction else nullcontext():
        known = _Known.of(inputs)
        for done, item in enumerate(inputs, start=1):
            _import_one(item, report, force=force, known=known)
            if progress:
                progress(done, total, item.name)
        try:
            with transaction.atomic():
                known.count_unchanged(report)
                _check_times(report)
        except DatabaseError as error:
            report.fail("(times)", 0, f"the times of the imported documents could not be checked: {error}")
        if dry_run:
            transaction.set_rollback(True)
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class _Known:
    """The stored documents the run's files name, read in one query, and the unchanged files seen so
    far, counted together: an unchanged re-import reads no document twice and runs no query a file.

    ``documents`` maps a slug to its stored document (pk, content hash, flag, minutes:seconds,
    source slug); a slug is dropped once a file of the run stores it (a later file of the same name
    reads the database again). Unchanged documents are counted before anything else is stored, so
    the counts are those of the documents as the files found them.
    """

    documents: dict[str, tuple] = field(default_factory=dict)
    unchanged: list[tuple] = field(default_factory=list)

    BATCH = 500  # keys in one IN list (well under SQLite's limit on query parameters)

    @classmethod
    def of(cls, inputs: list[_Input]) -> _Known:
        slugs = sorted({document_slug(item.stem) for item in inputs if not item.is_dir})
        documents = {}
        for start in range(0, len(slugs), cls.BATCH):
            rows = Document.objects.filter(slug__in=slugs[start : start + cls.BATCH]).values_list(
                "slug", "pk", "content_hash", "needs_review", "timestamps_as_minutes", "source__slug"
            )
            documents.update((row[0], row[1:]) for row in rows)
        return cls(documents=documents)

    def count_unchanged(self, report: ImportReport) -> None:
        """Add the unchanged documents seen since the last call to `report` (a few queries for all)."""
        pending, self.unchanged = self.unchanged, []
        for start in range(0, len(pending), self.BATCH):
            batch = pending[start : start + self.BATCH]
            ids = [pk for pk, _, _ in batch]
            report.documents += len(batch)
            report.unchanged += len(batch)
            report.flagged += sum(needs_review for _, needs_review, _ in batch)
            report.source_keys.update(source_slug for _, _, source_slug in batch)
            for other_seconds in (
                Quote.objects.filter(document_id__in=ids).order_by().values_list("other_seconds", flat=True)
            ):
                report.quotes += 1
                report.timestamps += 1 + len(other_seconds or ())
            report.topic_slugs.update(
                Document.topics.through.objects.filter(document_id__in=ids)
                .order_by()
                .values_list("topic__slug", flat=True)
                .distinct()
            )


def _check_times(report: ImportReport) -> None:
    """Once the files are stored: re-estimate their videos' ends, re-flag their documents, re-evaluate
    their quotes' time status; count the stored documents flagged and report the newly flagged."""
    if not report.touched_sources:
        return
    refresh = refresh_sources(report.touched_sources)
    stored = list(report.stored)
    report.flagged += Document.objects.filter(pk__in=stored, needs_review=True).count()
    for document_pk, reason in refresh.flagged:
        report.problems.append(f"{report.stored.get(document_pk, document_pk)}:0: flagged for review: {reason}")


def _import_one(item: _Input, report: ImportReport, *, force: bool, known: _Known) -> None:
    """Read, parse and store one file in a savepoint of its own; any failure is reported, never raised.

    The file's counts go to a report of its own, added to the run's only when the file is stored.
    """
    # The run's index titles and channel names, read and extended by the file.
    tally = ImportReport(index_titles=report.index_titles, channel_names=report.channel_names)
    try:
        _read_and_store(item, tally, force=force, known=known, report=report)
    except (FileError, DocumentError) as error:
        report.fail(item.name, error.line, error.reason)
    except DatabaseError as error:
        report.fail(item.name, 0, f"could not be stored: {error}".strip())
    except Exception as error:  # a bug must not stop the other files: reported, and logged with its traceback
        logger.exception("importing %s failed", item.name)
        report.fail(item.name, 0, f"could not be imported ({type(error).__name__}: {error})")
    else:
        report.add(tally)


def _read_and_store(item: _Input, tally: ImportReport, *, force: bool, known: _Known, report: ImportReport) -> None:
    text, digest = _decode(item)
    slug = document_slug(item.stem)
    seen = known.documents.get(slug)
    if seen and seen[1] == digest and not force and not is_channel_index(text):
        pk, _, needs_review, _, source_slug = seen
        known.unchanged.append((pk, needs_review, source_slug))
        return
    # Every database statement of the file runs in its transaction or savepoint: an error leaves the run usable.
    with transaction.atomic():
        known.count_unchanged(report)  # before anything is stored: counted as the files found them
        if is_channel_index(text):
            _store_index(text, tally, name=item.name)
            return
        known.documents.pop(slug, None)
        stored = Document.objects.filter(slug=slug).values_list("timestamps_as_minutes", flat=True).first()
        minutes_seconds = bool(stored)
        parsed = parse_document(text, minutes_seconds=minutes_seconds)
        _store_document(
            parsed, tally, name=item.name, slug=slug, raw_text=text, digest=digest, minutes_seconds=minutes_seconds
        )


# --------------------------------------------------------------------------- the channel index


def _store_index(text: str, report: ImportReport, *, name: str) -> None:
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
        wanted[video.video_id] = _fit(Source, "title", video.title.strip() or video.video_id)
    report.source_keys.update(wanted)
    existing = {source.youtube_id: source for source in Source.objects.filter(youtube_id__in=list(wanted))}
    document_titles = set(Document.objects.filter(source__in=list(existing.values())).values_list("source_id", "title"))
    channel_slug = _fit(Source, "channel", channel_slug)
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


# --------------------------------------------------------------------------- documents


def _source_for(parsed: ParsedDocument, report: ImportReport) -> Source:
    video_id = parsed.video_id
    if not YOUTUBE_ID.fullmatch(video_id):
        raise FileError(0, f'videoId "{video_id}" is not a YouTube id')
    source = Source.objects.filter(youtube_id=video_id).first()
    channel = _fit(Source, "channel", parsed.channel or "")
    channel = report.channel_names.get(channel, channel)
    if source is None:
        title = report.index_titles.get(video_id) or parsed.title or video_id
        return Source.objects.create(
            kind=Source.Kind.VIDEO,
            slug=video_id,
            youtube_id=video_id,
            title=_fit(Source, "title", title),
            url=f"https://www.youtube.com/watch?v={video_id}",
            channel=channel,
        )
    if channel and not source.channel:
        source.channel = channel
        source.save(update_fields=["channel", "updated_at"])
    return source


def _topic_ids(labels: dict[str, str]) -> dict[str, int]:
    """{slug: pk} of the topics named, creating the missing ones (their label: the first one seen)."""
    if not labels:
        return {}
    ids = dict(Topic.objects.filter(slug__in=list(labels)).values_list("slug", "pk"))
    missing = [
        Topic(slug=slug, label=_fit(Topic, "label", label.strip() or slug))
        for slug, label in labels.items()
        if slug not in ids
    ]
    for topic in Topic.objects.bulk_create(missing):
        ids[topic.slug] = topic.pk
    return ids


def _sync_links(through, owner_field: str, target_field: str, wanted: set[tuple[int, int]], owner_ids) -> None:
    """Make the (owner, target) rows of a many-to-many table for `owner_ids` exactly `wanted`
    (`owner_ids`: those that may have rows already; owners just created have none)."""
    have = {}
    if owner_ids:
        rows = through.objects.filter(**{f"{owner_field}__in": list(owner_ids)})
        have = {(owner, target): pk for pk, owner, target in rows.values_list("pk", owner_field, target_field)}
    stale = [pk for pair, pk in have.items() if pair not in wanted]
    if stale:
        through.objects.filter(pk__in=stale).delete()
    insert_rows(through, [owner_field, target_field], sorted(pair for pair in wanted if pair not in have))


@dataclass
class _Wanted:
    """A quote as the document states it."""

    text: str
    start_second: int
    other_seconds: list[int]
    heading_path: str
    position: int
    topics: list[str]
    corrected_from: int | None = None


def _corrections(parsed: ParsedDocument, report: ImportReport, name: str, *, source, document_pk):
    """{(statement position, second): (second to store, replaced second or None)} for the anchors
    whose data-t and text name different times (the parser's ``Statement.alternatives``): the one
    plausible for the video is stored (see plausibility.choose_second); each correction is reported."""
    disputed = [(statement, getattr(statement, "alternatives", None) or {}) for statement in parsed.statements]
    disputed = [(statement, alternatives) for statement, alternatives in disputed if alternatives]
    if not disputed:
        return {}
    undisputed = [
        second
        for statement in parsed.statements
        for second in statement.seconds
        if second not in (getattr(statement, "alternatives", None) or {}) and 0 <= second <= MAX_SECOND
    ]
    end = provisional_end(source, document_pk=document_pk, seconds=undisputed)
    choices = {}
    for statement, alternatives in disputed:
        for second, alternative in alternatives.items():
            chosen, replaced = choose_second(second, alternative, end=end)
            choices[(statement.position, second)] = (chosen, replaced)
            if replaced is not None:
                report.corrected += 1
                report.problems.append(
                    f"{name}:{statement.line}: timestamp {format_timestamp(replaced)} is past the video's end "
                    f"({format_timestamp(end) if end is not None else 'unknown'}) and its text names "
                    f"{format_timestamp(chosen)}: corrected to {format_timestamp(chosen)}"
                )
    return choices


def _wanted_quotes(parsed: ParsedDocument, report: ImportReport, name: str, *, source, document_pk) -> list[_Wanted]:
    choices = _corrections(parsed, report, name, source=source, document_pk=document_pk)
    wanted = []
    for statement in parsed.statements:
        seconds, corrected_from = [], None
        for index, second in enumerate(statement.seconds):
            chosen, replaced = choices.get((statement.position, second), (second, None))
            if index == 0 and replaced is not None:
                corrected_from = replaced
            if chosen not in seconds:
                seconds.append(chosen)
        in_range = [second for second in seconds if 0 <= second <= MAX_SECOND]
        if len(in_range) < len(seconds):
            report.problems.append(
                f"{name}:{statement.line}: a timestamp is too large to be a second of a video: left out"
            )
        if not in_range:
            continue
        if in_range[0] != seconds[0] or corrected_from is not None and corrected_from > MAX_SECOND:
            corrected_from = None
        wanted.append(
            _Wanted(
                text=statement.text,
                start_second=in_range[0],
                other_seconds=in_range[1:],
                heading_path=_fit(Quote, "heading_path", " > ".join(statement.heading_path)),
                position=statement.position,
                topics=[_fit(Topic, "slug", slug) for slug in statement.topics],
                corrected_from=corrected_from,
            )
        )
    return wanted


def _match_quotes(wanted: list[_Wanted], own: list[Quote], orphans: list[Quote]) -> list[Quote | None]:
    """For each wanted quote, the stored quote it is (or None): the document's own quotes by text and
    first second, then fixture quotes of the source (no document) likewise, then own ones by text."""
    by_key, orphans_by_key, by_text = defaultdict(deque), defaultdict(deque), defaultdict(deque)
    for quote in own:
        by_key[(quote.text, quote.start_second)].append(quote)
        by_text[quote.text].append(quote)
    for quote in orphans:
        orphans_by_key[(quote.text, quote.start_second)].append(quote)
    used: set[int] = set()

    def take(queues, key):
        queue = queues.get(key)
        while queue:
            quote = queue.popleft()
            if quote.pk not in used:
                used.add(quote.pk)
                return quote
        return None

    matches = [take(by_key, (w.text, w.start_second)) or take(orphans_by_key, (w.text, w.start_second)) for w in wanted]
    for index, w in enumerate(wanted):
        if matches[index] is None:
            matches[index] = take(by_text, w.text)
    return matches


QUOTE_FIELDS = [
    "document",
    "text",
    "start_second",
    "other_seconds",
    "heading_path",
    "position",
    "corrected_from_seconds",
]
# The same, as the keys of the values the importer builds for a quote.
NEW_QUOTE_FIELDS = [f"{name}_id" if name == "document" else name for name in QUOTE_FIELDS]


class _NewQuote:
    """A quote about to be inserted: its values, then its primary key (all the importer reads of it)."""

    __slots__ = ("values", "pk")

    def __init__(self, values: dict):
        self.values = values
        self.pk = None

    def __getattr__(self, name):  # quote.text, quote.start_second, ... as a stored quote answers them
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def _store_document(parsed, report, *, name, slug, raw_text, digest, minutes_seconds) -> Document:
    """Write one parsed document (its source, topics, quotes); the caller holds the transaction."""
    hold_import_lock()  # another import of the same file waits for this one, then updates
    for problem in parsed.problems:
        report.problems.append(f"{name}:{problem.line}: {problem.message}")
    source = _source_for(parsed, report)
    topic_ids = _topic_ids({_fit(Topic, "slug", slug_): label for slug_, label in parsed.topics.items()})
    # Its flag (needs_review, review_reason) is set once the run's files are stored: see _check_times.
    values = {
        "title": _fit(Document, "title", parsed.title or slug),
        "source_id": source.pk,
        "body": parsed.body,
        "raw_text": raw_text,
        "content_hash": digest,
        "timestamps_as_minutes": minutes_seconds,
    }
    document = Document.objects.filter(slug=slug).first()
    if document is None:
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
    _sync_links(
        Document.topics.through,
        "document_id",
        "topic_id",
        {(document.pk, topic_id) for topic_id in topic_ids.values()},
        [document.pk],
    )
    wanted = _wanted_quotes(parsed, report, name, source=source, document_pk=document.pk)
    _store_quotes(document, source, wanted, topic_ids, report, name)
    return document


def _store_quotes(document, source, wanted, topic_ids, report, name) -> None:
    stored = list(
        Quote.objects.filter(Q(document=document) | Q(source=source, document__isnull=True))
        .only("pk", "source", *QUOTE_FIELDS)
        .order_by("position", "pk")
    )
    own = [quote for quote in stored if quote.document_id == document.pk]
    orphans = [quote for quote in stored if quote.document_id is None]
    matches = _match_quotes(wanted, own, orphans)
    # Linked quotes no exact match took move to the new version of their statement where it is safe.
    linked = _linked_quote_ids([quote.pk for quote in own]) if own else set()
    taken = {quote.pk for quote in matches if quote is not None}
    outcome = carry_over(wanted, matches, [q for q in own if q.pk in linked and q.pk not in taken])
    for index, (quote, _) in outcome.carried.items():
        matches[index] = quote
    before = {quote.pk: (quote.text, quote.start_second) for quote in own if quote.pk in linked}

    now = timezone.now()
    new, changed, placed = [], [], []  # placed: the stored quote of each wanted quote, in order
    for w, quote in zip(wanted, matches):
        values = {
            "document_id": document.pk,
            "text": w.text,
            "start_second": w.start_second,
            "other_seconds": w.other_seconds,
            "heading_path": w.heading_path,
            "position": w.position,
            "corrected_from_seconds": w.corrected_from,
        }
        if quote is None:
            # Its time status is set with the rest of the video's once the run's files are stored.
            quote = _NewQuote(values)
            new.append(quote)
        else:
            if quote.source_id != source.pk:  # the document now names another video
                values["source_id"] = source.pk
            if any(getattr(quote, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(quote, key, value)
                quote.updated_at = now
                changed.append(quote)
        placed.append(quote)
    matched_ids = {quote.pk for quote in placed if quote.pk}
    leftovers = [quote.pk for quote in own if quote.pk not in matched_ids]
    # Linked quotes whose wording or time the new version changed: recorded before and after.
    moved = {
        quote.pk: before[quote.pk]
        for quote in changed
        if quote.pk in before and (quote.text, quote.start_second) != before[quote.pk]
    }
    stranded = [item for item in outcome.stranded if item.quote.pk in leftovers]
    baseline([*moved, *(item.quote.pk for item in stranded)])

    if leftovers:
        if stranded:
            # Statements gone or changed beyond a safe match, whose quotes curators linked: kept,
            # detached, listed for a curator to re-link (carryover.settle reports them).
            Quote.objects.filter(pk__in=[item.quote.pk for item in stranded]).update(document=None, updated_at=now)
        unlinked = [pk for pk in leftovers if pk not in linked]
        if unlinked:
            Quote.objects.filter(pk__in=unlinked).delete()
        report.quotes_deleted += len(leftovers)
    Quote.objects.bulk_update(changed, [*QUOTE_FIELDS, "source", "updated_at"])
    # Tuples rather than model instances: the ORM's per-field work was most of a first import's time.
    keys = insert_rows(
        Quote,
        [*NEW_QUOTE_FIELDS, "source", "time_status", "created_at", "updated_at"],
        (
            [*(quote.values[key] for key in NEW_QUOTE_FIELDS), source.pk, Quote.TimeStatus.EXACT, now, now]
            for quote in new
        ),
        returning=True,
    )
    for quote, key in zip(new, keys, strict=True):
        quote.pk = key
    report.quotes_created += len(new)
    report.quotes_updated += len(changed)
    report.quotes += len(wanted)
    report.timestamps += sum(1 + len(w.other_seconds) for w in wanted)
    restore(matched_ids & {quote.pk for quote in orphans})
    settle(name=name, document=document, report=report, moved=moved, stranded=stranded, placed=placed)

    wanted_links = {
        (quote.pk, topic_ids[slug]) for w, quote in zip(wanted, placed) for slug in w.topics if slug in topic_ids
    }
    stored_before = [quote.pk for quote in placed if not isinstance(quote, _NewQuote)]
    _sync_links(Quote.topics.through, "quote_id", "topic_id", wanted_links, stored_before)


def _linked_quote_ids(quote_ids) -> set[int]:
    linked = set()
    for relation in ("cases", "challenges", "success_factors"):
        through = Quote._meta.get_field(relation).remote_field.through
        linked.update(through.objects.filter(quote_id__in=quote_ids).values_list("quote_id", flat=True))
    # A story section's evidence is a curator's link too, even when the quote backs no case itself.
    linked.update(
        StoryEvidence.quotes.through.objects.filter(quote_id__in=quote_ids).values_list("quote_id", flat=True)
    )
    return linked
