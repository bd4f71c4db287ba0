"""Import webinar summary documents (and the channel index) into sources, documents, quotes and topics.

One entry point per kind of input, all sharing one per-file routine:

* :func:`import_paths` -- files and folders (``*.md``, recursively) from the command line or a script;
* :func:`import_uploads` -- files uploaded in the admin;
* :func:`reread_document` -- a stored document read again from its ``raw_text`` (e.g. with its
  timestamps re-read as minutes:seconds).

Each file is stored in a savepoint of a batch's transaction (committed at least every
BATCH_SECONDS, its search index refreshed once at its end): a file that cannot be read or stored is reported as ``FILE:LINE: reason`` and leaves
nothing behind, the others import. A file whose content hash matches the stored document is
skipped without being parsed (the run reads its stored documents in one query). Quotes are updated in place, matched
on their text and first second as imported (then on that text alone), so the links curators made
from quotes to cases, challenges and success factors survive a re-import, and so do a text, times or
heading path a curator edited (never written over: the document's values go to the
``Quote.IMPORTED_FIELDS`` columns); a quote a curator added is never read; quotes
loaded from the curated fixtures (no document yet) are adopted the same way instead of being
duplicated. A linked or edited quote whose statement was reworded moves to the new version when the
match is safe, else it is cut loose and listed for curators (see :mod:`.carryover` for the rules and
thresholds; an edited text the document now words differently is named in the report's problems). Writes are bulk
queries, a handful per file whatever its number of anchors, and nothing parsed is kept once its
file is stored, so memory stays flat as the number of files grows.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import Count, Func, IntegerField, Sum
from django.db.models.functions import Coalesce

from ..models import Document, Quote
from ..search.deferral import deferred_index
from .ahead import ParseAhead
from .documents import BatchRows, store_document, store_index, stored_document
from .inputs import MAX_FILE_BYTES, MAX_LINE_CHARS, Input, decode, document_slug, expand, order
from .parser import DocumentError, is_channel_index, parse_document
from .report import FileError, ImportReport
from .review import refresh_sources

__all__ = ["ImportReport", "import_paths", "import_uploads", "reread_document", "MAX_FILE_BYTES", "MAX_LINE_CHARS"]

logger = logging.getLogger(__name__)


def import_paths(paths, *, dry_run=False, force=False, progress=None) -> ImportReport:
    """Import files and folders (``*.md`` under them, recursively; README.md skipped).

    ``dry_run``: do everything, report it, write nothing. ``force``: re-read files whose content
    is unchanged too. ``progress(done, total, name)`` is called after each file.
    """
    report = ImportReport(dry_run=dry_run)
    return _run(expand(paths, report), report, dry_run=dry_run, force=force, progress=progress)


def import_uploads(files, *, dry_run=False, force=False, progress=None) -> ImportReport:
    """Import uploaded files (Django ``UploadedFile`` objects, or anything with ``name`` and ``read()``)."""

    def upload_input(upload):
        name = Path(upload.name or "upload.md").name
        size = getattr(upload, "size", None)

        def read(limit=-1):
            if hasattr(upload, "seek"):
                upload.seek(0)
            return upload.read() if limit < 0 else upload.read(limit)

        return Input(
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

    Never raises: a failure (no stored text, a parse error, a database error or a bug) is in the
    report's failures as ``slug:line: reason``, and the document is left as it was.
    """
    report = ImportReport()
    started = time.perf_counter()
    name = document.slug
    with _failures_reported(report, name, doing="re-read"):
        if not document.raw_text.strip():
            raise FileError(0, "the document has no stored text to read again")
        parsed = parse_document(document.raw_text, minutes_seconds=minutes_seconds)
        with transaction.atomic():
            store_document(
                parsed,
                report,
                document=stored_document(document.slug),
                rows=BatchRows(),
                name=name,
                slug=document.slug,
                raw_text=document.raw_text,
                digest=document.content_hash,
                minutes_seconds=minutes_seconds,
            )
            if not minutes_seconds:
                Document.objects.filter(pk=document.pk).update(times_confirmed_at=None)
            _check_times(report)
    report.seconds = time.perf_counter() - started
    return report


# The longest a batch of files runs before it commits (seconds): on SQLite it holds the database's
# write lock, and other writers (curators' saves, the cache) wait for it, up to SQLITE_TIMEOUT.
BATCH_SECONDS = 1.0


def _run(inputs, report, *, dry_run, force, progress) -> ImportReport:
    started = time.perf_counter()
    inputs = order(inputs)
    total = len(inputs)
    # The files go in batches: one transaction a batch, a savepoint a file (a file that fails leaves
    # nothing behind and the others import), and the search index deferred to one set-based refresh
    # at the batch's end, in its transaction (cases.search.deferral). A batch commits once it has
    # run for BATCH_SECONDS: on SQLite a transaction holds the only write lock, so a curator's save
    # waits at most that long (a run-long transaction made saves fail with "database is locked"
    # after SQLITE_TIMEOUT); on PostgreSQL the import lock likewise. Fewer commits and refreshes
    # are the gain: on SQLite each commit made the FTS5 index write and merge a segment of its own,
    # and on PostgreSQL each statement's refresh upserted the vocabulary's count of every word it
    # indexed (a common word once per file, and in a long transaction each upsert slower than the
    # last, its dead versions kept until the commit). A run stopped midway keeps the batches
    # committed before, each file whole. A dry run does the same work in one transaction and
    # rolls it back. The next files are parsed in a worker process meanwhile (ParseAhead), those
    # that their turn will parse: the same rules, checked again at their turn.
    with transaction.atomic() if dry_run else nullcontext():
        known = _Known.of(inputs)
        remaining = enumerate(inputs, start=1)
        exhausted = False

        def parse_as(item, text, digest):
            return known.parse_as(document_slug(item.stem), text, digest, force=force)

        with ParseAhead(inputs, read=decode, wanted=parse_as) as ahead:
            while not exhausted:
                with deferred_index():
                    batch_started = time.perf_counter()
                    rows = BatchRows()
                    exhausted = True
                    for done, item in remaining:
                        _import_one(item, report, force=force, known=known, ahead=ahead, rows=rows)
                        if progress:
                            progress(done, total, item.name)
                        if time.perf_counter() - batch_started >= BATCH_SECONDS:
                            exhausted = False
                            break
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


class _JSONArrayLength(Func):
    """The number of items of a JSON array column (SQLite ``json_array_length``, PostgreSQL's jsonb one)."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra_context)


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
    def of(cls, inputs: list[Input]) -> _Known:
        slugs = sorted({document_slug(item.stem) for item in inputs if not item.is_dir})
        documents = {}
        for start in range(0, len(slugs), cls.BATCH):
            rows = Document.objects.filter(slug__in=slugs[start : start + cls.BATCH]).values_list(
                "slug", "pk", "content_hash", "needs_review", "timestamps_as_minutes", "source__slug"
            )
            documents.update((row[0], row[1:]) for row in rows)
        return cls(documents=documents)

    def skips(self, slug: str, text: str, digest: str, *, force: bool) -> tuple | None:
        """The stored document (as in ``documents``) of a file left as it is, unparsed: one read
        with the same content, unless forced or a channel index; else None."""
        seen = self.documents.get(slug)
        if seen and seen[1] == digest and not force and not is_channel_index(text):
            return seen
        return None

    def parse_as(self, slug: str, text: str, digest: str, *, force: bool) -> bool | None:
        """As the file's turn will parse it unless a file before stores its slug: ``minutes_seconds``
        (its stored document's), or None when it will not be parsed (unchanged, a channel index)."""
        if is_channel_index(text) or self.skips(slug, text, digest, force=force):
            return None
        seen = self.documents.get(slug)
        return bool(seen and seen[3])

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
            # Counted by the database: decoding 44,000 JSON lists was half an unchanged re-import.
            counts = Quote.objects.filter(document_id__in=ids).aggregate(
                quotes=Count("pk"), others=Coalesce(Sum(_JSONArrayLength("other_seconds")), 0)
            )
            report.quotes += counts["quotes"]
            report.timestamps += counts["quotes"] + counts["others"]
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


def _import_one(
    item: Input, report: ImportReport, *, force: bool, known: _Known, ahead: ParseAhead, rows: BatchRows
) -> None:
    """Read, parse and store one file in a savepoint of its own; any failure is reported, never raised.

    The file's counts go to a report of its own, added to the run's only when the file is stored.
    """
    # The run's index titles and channel names, read and extended by the file.
    tally = ImportReport(index_titles=report.index_titles, channel_names=report.channel_names)
    stored = False
    with _failures_reported(report, item.name, doing="imported"):
        _read_and_store(item, tally, force=force, known=known, report=report, ahead=ahead, rows=rows)
        report.add(tally)
        stored = True
    if not stored:
        rows.clear()  # the file's savepoint took back what it wrote: rows it made may be gone


@contextmanager
def _failures_reported(report: ImportReport, name: str, *, doing: str):
    """Any failure of the file `name` in the block goes to `report` as ``name:line: reason``, never
    raised (the block's own transaction has rolled back by then); `doing` names the work in the
    reason of an unexpected one ("imported": "could not be imported (ValueError: ...)")."""
    try:
        yield
    except (FileError, DocumentError) as error:
        report.fail(name, error.line, error.reason)
    except DatabaseError as error:
        report.fail(name, 0, f"could not be stored: {error}".strip())
    except Exception as error:  # a bug must not stop the other files: reported, and logged with its traceback
        logger.exception("%s could not be %s", name, doing)
        report.fail(name, 0, f"could not be {doing} ({type(error).__name__}: {error})")


def _read_and_store(
    item: Input,
    tally: ImportReport,
    *,
    force: bool,
    known: _Known,
    report: ImportReport,
    ahead: ParseAhead,
    rows: BatchRows,
) -> None:
    text, digest = ahead.read(item)
    slug = document_slug(item.stem)
    seen = known.skips(slug, text, digest, force=force)
    if seen:
        pk, _, needs_review, _, source_slug = seen
        known.unchanged.append((pk, needs_review, source_slug))
        return
    # Every database statement of the file runs in its transaction or savepoint: an error leaves the run usable.
    with transaction.atomic():
        known.count_unchanged(report)  # before anything is stored: counted as the files found them
        if is_channel_index(text):
            store_index(text, tally, name=item.name)
            rows.clear()  # it may retitle sources the batch has read
            return
        known.documents.pop(slug, None)
        document = stored_document(slug)
        minutes_seconds = bool(document and document.timestamps_as_minutes)
        parsed = ahead.parsed(minutes_seconds=minutes_seconds) or parse_document(text, minutes_seconds=minutes_seconds)
        store_document(
            parsed,
            tally,
            document=document,
            rows=rows,
            name=item.name,
            slug=slug,
            raw_text=text,
            digest=digest,
            minutes_seconds=minutes_seconds,
        )
