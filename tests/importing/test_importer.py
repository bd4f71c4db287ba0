"""The document importer: sources, documents, quotes with every second, topics; idempotence, isolation of bad files."""

import json
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from cases.importing import importer
from cases.importing import quotes as quote_writes
from cases.importing.importer import MAX_FILE_BYTES, MAX_LINE_CHARS, import_paths, reread_document
from cases.importing.parser import parse_document
from cases.models import Case, Document, Quote, Source, Topic
from tests.factories import CaseFactory, ChallengeFactory, SourceFactory
from tests.sample_corpus import CORPUS, FIXTURE_CORPUS, HAS_SAMPLE_CORPUS

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
SEED_NAME = "public_sector_innovation_and_collaboration.md"
INDEX_NAME = "oecdobservatoryofpublicsec3116.md"
SEED_VIDEO = "nGjuo-7sUXM"
VIDEO = "abcdefghijk"
OTHER_VIDEO = "ABCDEFGHIJK"


def anchor(value):
    return f'<a class="yt-timestamp" data-t="{value}">[{value}]</a>'


def document(body, *, title="A webinar", video=VIDEO):
    return f"---\ntitle: {title}\nvideoId: {video}\n---\n\nFrom: [[somechannel]] <br/>\n\n{body}"


BODY = (
    f"[[public_sector_innovation | Public sector innovation]] matters {anchor('00:00:10')}. "
    f"Governments look abroad {anchor('00:00:15')}, {anchor('00:01:05')}.\n\n"
    f"## Examples\n\n"
    f"*   **Deep space:** a [[Prize Competition]] across borders {anchor('01:10:01')}.\n"
)


def write(folder, name, text):
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def index(*videos, title="somechannel"):
    lines = [f"---\ntitle: {title}\n---"]
    for video_id, video_title in videos:
        lines.append(
            f"### [{video_title}](https://www.youtube.com/watch?v={video_id})\n- [[a_document | A document]]\n"
        )
    return "\n".join(lines)


def snapshot():
    """Everything an import writes, with the update times: equal snapshots mean nothing changed."""
    return {
        "sources": sorted(Source.objects.values_list("pk", "title", "channel", "updated_at")),
        "documents": sorted(Document.objects.values_list("pk", "slug", "content_hash", "needs_review", "updated_at")),
        "quotes": sorted(
            Quote.objects.values_list(
                "pk", "document_id", "text", "start_second", "other_seconds", "heading_path", "position", "updated_at"
            )
        ),
        "topics": sorted(Topic.objects.values_list("pk", "slug", "label")),
        "document_topics": sorted(Document.topics.through.objects.values_list("document_id", "topic_id")),
        "quote_topics": sorted(Quote.topics.through.objects.values_list("quote_id", "topic_id")),
        "quote_cases": sorted(Quote.cases.through.objects.values_list("quote_id", "case_id")),
    }


# --------------------------------------------------------------------------- one document


def test_a_document_becomes_a_source_a_document_quotes_and_topics(tmp_path):
    report = import_paths([write(tmp_path, "A_Webinar.md", document(BODY))])

    assert report.failures == []
    source = Source.objects.get(youtube_id=VIDEO)
    assert (source.kind, source.slug, source.title, source.channel) == ("video", VIDEO, "A webinar", "somechannel")
    assert source.url == f"https://www.youtube.com/watch?v={VIDEO}"
    doc = Document.objects.get()
    assert (doc.slug, doc.title, doc.source, doc.needs_review) == ("a_webinar", "A webinar", source, False)
    assert f"[00:00:10](https://www.youtube.com/watch?v={VIDEO}&t=10s)" in doc.body
    assert "yt-timestamp" not in doc.body and "[[Prize Competition]]" in doc.body
    assert doc.raw_text == document(BODY) and len(doc.content_hash) == 64
    quotes = list(Quote.objects.order_by("position"))
    assert [(q.text, q.start_second, q.other_seconds, q.heading_path, q.position) for q in quotes] == [
        ("Public sector innovation matters.", 10, [], "", 1),
        ("Governments look abroad.", 15, [65], "", 2),
        ("Deep space: a Prize Competition across borders.", 4210 - 9, [], "Examples", 3),
    ]
    assert all(q.document == doc and q.source == source for q in quotes)
    assert dict(Topic.objects.values_list("slug", "label")) == {
        "public_sector_innovation": "Public sector innovation",
        "prize_competition": "Prize Competition",
    }
    assert set(doc.topics.values_list("slug", flat=True)) == {"public_sector_innovation", "prize_competition"}
    assert list(quotes[0].topics.values_list("slug", flat=True)) == ["public_sector_innovation"]
    assert list(quotes[2].topics.values_list("slug", flat=True)) == ["prize_competition"]
    assert not quotes[1].topics.exists()
    assert report.as_dict() | {"seconds": 0} == report.as_dict() | {
        "documents": 1,
        "sources": 1,
        "quotes": 3,
        "timestamps": 4,
        "topics": 2,
        "flagged": 0,
        "failed": 0,
        "seconds": 0,
    }


def test_folders_are_read_recursively_for_markdown_files_and_their_readme_is_skipped(tmp_path):
    write(tmp_path, "README.md", "# About these documents\n")
    write(tmp_path, "a.md", document(BODY))
    write(tmp_path, "deeper/b.md", document(BODY, video=OTHER_VIDEO))
    write(tmp_path, "deeper/notes.txt", "not a document")

    report = import_paths([tmp_path])

    assert report.failures == []
    assert sorted(Document.objects.values_list("slug", flat=True)) == ["a", "b"]


def test_a_missing_path_is_reported(tmp_path):
    report = import_paths([tmp_path / "nowhere.md"])
    assert report.failures == [f"{tmp_path / 'nowhere.md'}:0: no such file or folder"]


def test_progress_is_reported_after_each_file(tmp_path):
    write(tmp_path, "a.md", document(BODY))
    write(tmp_path, "b.md", "broken")
    calls = []
    import_paths([tmp_path], progress=lambda done, total, name: calls.append((done, total, Path(name).name)))
    assert calls == [(1, 2, "a.md"), (2, 2, "b.md")]


def test_a_value_without_a_number_is_reported_with_its_line_not_guessed(tmp_path):
    body = f"Fine {anchor('00:00:10')}.\nBroken {anchor('aa:bb')}.\n"
    path = write(tmp_path, "doc.md", document(body))
    report = import_paths([path])
    assert report.failures == []
    assert f'{path}:9: timestamp "aa:bb" has no number' in report.problems
    assert list(Quote.objects.values_list("start_second", flat=True)) == [10]


# --------------------------------------------------------------------------- source titles


def test_the_source_title_comes_from_the_channel_index_among_the_inputs_whatever_their_order(tmp_path):
    write(tmp_path, "a_doc.md", document(BODY, title="The document's title"))
    write(tmp_path, "z_index.md", index((VIDEO, "The video's title"), (OTHER_VIDEO, "Another video")))

    report = import_paths([tmp_path / "a_doc.md", tmp_path / "z_index.md"])

    assert report.failures == [] and report.indexes == 1
    assert Source.objects.get(youtube_id=VIDEO).title == "The video's title"
    other = Source.objects.get(youtube_id=OTHER_VIDEO)
    assert (other.kind, other.title, other.channel) == ("video", "Another video", "somechannel")
    assert report.sources == 2


def test_the_source_title_comes_from_an_index_imported_before(tmp_path):
    import_paths([write(tmp_path, "index.md", index((VIDEO, "The video's title")))])
    import_paths([write(tmp_path, "doc.md", document(BODY, title="The document's title"))])
    assert Source.objects.get(youtube_id=VIDEO).title == "The video's title"


def test_an_index_imported_later_replaces_a_title_taken_from_a_document(tmp_path):
    import_paths([write(tmp_path, "doc.md", document(BODY, title="The document's title"))])
    import_paths([write(tmp_path, "index.md", index((VIDEO, "The video's title")))])
    assert Source.objects.get(youtube_id=VIDEO).title == "The video's title"


def test_an_index_never_replaces_a_curators_title(tmp_path):
    SourceFactory(youtube_id=VIDEO, title="A curated title", channel="Curated channel")
    import_paths([write(tmp_path, "index.md", index((VIDEO, "The video's title")))])
    source = Source.objects.get(youtube_id=VIDEO)
    assert (source.title, source.channel) == ("A curated title", "Curated channel")


def test_the_channel_name_a_curator_gave_one_video_names_every_video_of_the_index(tmp_path):
    SourceFactory(youtube_id=VIDEO, title="A curated title", channel="The Channel")
    write(tmp_path, "index.md", index((VIDEO, "A"), (OTHER_VIDEO, "B")))
    write(tmp_path, "doc.md", document(BODY, video="ccccccccccc"))  # not in the index, same channel
    import_paths([tmp_path])
    assert set(Source.objects.values_list("youtube_id", "channel")) == {
        (VIDEO, "The Channel"),
        (OTHER_VIDEO, "The Channel"),
        ("ccccccccccc", "The Channel"),
    }


def test_without_an_index_the_source_title_is_the_documents(tmp_path):
    import_paths([write(tmp_path, "doc.md", document(BODY, title="The document's title"))])
    assert Source.objects.get(youtube_id=VIDEO).title == "The document's title"


# --------------------------------------------------------------------------- idempotence, updates in place


def test_importing_the_same_files_again_changes_nothing(tmp_path):
    write(tmp_path, "a.md", document(BODY))
    write(tmp_path, "b.md", document(BODY, video=OTHER_VIDEO))
    write(tmp_path, "index.md", index((VIDEO, "The video")))
    first = import_paths([tmp_path])
    before = snapshot()

    again = import_paths([tmp_path])
    forced = import_paths([tmp_path], force=True)

    assert snapshot() == before
    totals = ["documents", "sources", "quotes", "timestamps", "topics", "flagged", "failed"]
    for later in (again, forced):
        assert [getattr(later, key) for key in totals] == [getattr(first, key) for key in totals]
        assert (later.created, later.updated, later.unchanged) == (0, 0, 2)
        assert later.quotes_created == later.quotes_updated == later.quotes_deleted == 0


def test_unchanged_files_are_skipped_without_being_parsed(tmp_path):
    path = write(tmp_path, "a.md", document(BODY))
    import_paths([path])
    with mock.patch("cases.importing.importer.parse_document") as parse:
        report = import_paths([path])
    parse.assert_not_called()
    assert report.unchanged == 1


def test_a_changed_file_updates_in_place_and_curator_links_survive(tmp_path):
    path = write(tmp_path, "a.md", document(BODY))
    import_paths([path])
    case = CaseFactory()
    challenge = ChallengeFactory()
    kept = Quote.objects.get(start_second=15)
    kept.cases.add(case)
    kept.challenges.add(challenge)
    moved = Quote.objects.get(start_second=4201)
    moved.cases.add(case)
    doc_id = Document.objects.get().pk

    changed_body = (
        "## A new heading\n\n"
        f"A new statement {anchor('00:00:05')}.\n"
        f"Governments look abroad {anchor('00:00:15')}, {anchor('00:01:05')}, {anchor('00:02:00')}.\n\n"
        f"Deep space: a [[Prize Competition]] across borders {anchor('01:10:02')}.\n"
    )
    report = import_paths([write(tmp_path, "a.md", document(changed_body, title="Renamed"))])

    assert report.failures == [] and report.updated == 1
    assert Document.objects.get().pk == doc_id and Document.objects.get().title == "Renamed"
    kept_now = Quote.objects.get(pk=kept.pk)
    assert (kept_now.start_second, kept_now.other_seconds, kept_now.heading_path, kept_now.position) == (
        15,
        [65, 120],
        "A new heading",
        2,
    )
    assert list(kept_now.cases.all()) == [case] and list(kept_now.challenges.all()) == [challenge]
    # Same text, another second: still the same quote, its link kept.
    moved_now = Quote.objects.get(pk=moved.pk)
    assert (moved_now.start_second, list(moved_now.cases.all())) == (4202, [case])
    assert not Quote.objects.filter(text="Public sector innovation matters.").exists()
    assert Quote.objects.filter(document_id=doc_id).count() == 3
    assert set(Document.objects.get().topics.values_list("slug", flat=True)) == {"prize_competition"}


def test_a_linked_quote_whose_statement_is_gone_is_kept_without_its_document(tmp_path):
    path = write(tmp_path, "a.md", document(BODY))
    import_paths([path])
    linked = Quote.objects.get(start_second=10)
    linked.cases.add(CaseFactory())

    report = import_paths([write(tmp_path, "a.md", document(f"Only this {anchor('00:00:15')}.\n"))])

    linked.refresh_from_db()
    assert linked.document is None and linked.cases.exists()
    # Reported with the linked quotes cut loose, to re-link (not among what was read imperfectly).
    [entry] = report.cut_loose
    assert (entry["quote"], entry["old_time"]) == (linked.pk, "00:00:10") and report.problems == []
    assert Quote.objects.filter(document__isnull=False).count() == 1
    assert report.quotes_deleted == 3


def test_the_same_statement_twice_makes_two_quotes_and_both_survive_reimport(tmp_path):
    body = f"Said twice {anchor('00:00:10')}.\n\nSaid twice {anchor('00:00:10')}.\n"
    path = write(tmp_path, "a.md", document(body))
    import_paths([path])
    ids = sorted(Quote.objects.values_list("pk", flat=True))
    import_paths([path], force=True)
    assert len(ids) == 2 and sorted(Quote.objects.values_list("pk", flat=True)) == ids


# --------------------------------------------------------------------------- bad input


def failing_quote_inserts(failing_file):
    """A patch making the quote inserts of the `failing_file`-th file stored (1 for the first) raise
    DatabaseError("disk full"). The importer inserts new quotes as rows (cases.importing.quotes),
    not through QuerySet.bulk_create."""
    original = quote_writes.insert_rows
    quote_batches = []

    def insert_rows(model, names, rows, **kwargs):
        if model is Quote:
            quote_batches.append(rows)
            if len(quote_batches) == failing_file:
                raise DatabaseError("disk full")
        return original(model, names, rows, **kwargs)

    return mock.patch.object(quote_writes, "insert_rows", side_effect=insert_rows)


def test_a_broken_file_among_good_ones_is_rolled_back_alone(tmp_path):
    write(tmp_path, "a.md", document(BODY))
    write(tmp_path, "b.md", document(BODY.replace("[[Prize Competition]]", "[[Only In B]]"), video=OTHER_VIDEO))
    write(tmp_path, "c.md", document(BODY, video="ccccccccccc"))
    with failing_quote_inserts(2):
        report = import_paths([tmp_path])

    assert report.failures == [f"{tmp_path / 'b.md'}:0: could not be stored: disk full"]
    assert sorted(Document.objects.values_list("slug", flat=True)) == ["a", "c"]
    assert not Source.objects.filter(youtube_id=OTHER_VIDEO).exists()
    assert not Topic.objects.filter(slug="only_in_b").exists()
    assert Quote.objects.count() == 6
    assert report.documents == 2 and report.failed == 1


def test_a_file_that_fails_takes_back_the_video_and_topic_it_made_and_the_next_file_makes_them_again(tmp_path):
    # The files of a batch share the sources and topics they read (documents.BatchRows); rows made
    # by a file whose savepoint rolls back must not be reused by the files after it.
    write(tmp_path, "a.md", document(BODY.replace("[[Prize Competition]]", "[[Only Here]]"), video=OTHER_VIDEO))
    write(tmp_path, "b.md", document(BODY.replace("[[Prize Competition]]", "[[Only Here]]"), video=OTHER_VIDEO))
    with failing_quote_inserts(1):
        report = import_paths([tmp_path])

    assert report.failures == [f"{tmp_path / 'a.md'}:0: could not be stored: disk full"]
    assert list(Document.objects.values_list("slug", flat=True)) == ["b"]
    document_b = Document.objects.get()
    assert document_b.source == Source.objects.get(youtube_id=OTHER_VIDEO)
    assert Topic.objects.filter(slug="only_here", documents=document_b).exists()
    assert Quote.objects.filter(document=document_b).count() == 3


@pytest.mark.parametrize(
    "name, content, line, reason",
    [
        (
            "latin1.md",
            "---\ntitle: Caf\xe9\nvideoId: abcdefghijk\n---\n".encode("latin-1"),
            2,
            "not UTF-8 text (byte 0xe9 cannot be decoded)",
        ),
        (
            "no_front_matter.md",
            'Just text <a class="yt-timestamp" data-t="00:00:10">[00:00:10]</a>\n',
            1,
            "no front matter",
        ),
        ("no_video.md", "---\ntitle: No video\n---\n\nText.\n", 1, "no videoId in front matter"),
        ("bad_video.md", "---\ntitle: Bad\nvideoId: a/b c\n---\n\nText.\n", 0, 'videoId "a/b c" is not a YouTube id'),
        ("empty.md", "", 1, "empty file"),
        ("blank.md", "\n  \n", 1, "empty file"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, "binary file, not markdown text"),
        (
            "long_line.md",
            "---\ntitle: Long\nvideoId: abcdefghijk\n---\n" + "x" * (MAX_LINE_CHARS + 1),
            5,
            f"line is {MAX_LINE_CHARS + 1:,} characters long (the limit is {MAX_LINE_CHARS:,})",
        ),
        (
            "huge.md",
            "---\ntitle: Huge\nvideoId: abcdefghijk\n---\n" + "word " * (MAX_FILE_BYTES // 5),
            0,
            "file is too large",
        ),
    ],
)
def test_an_unreadable_file_is_reported_and_the_others_import(tmp_path, name, content, line, reason):
    good = write(tmp_path, "good.md", document(BODY))
    bad = write(tmp_path, name, content)

    report = import_paths([good, bad])

    assert len(report.failures) == 1
    assert report.failures[0].startswith(f"{bad}:{line}: {reason}")
    assert list(Document.objects.values_list("slug", flat=True)) == ["good"]
    assert Source.objects.count() == 1


def test_a_folder_named_like_a_document_is_reported(tmp_path):
    (tmp_path / "docs" / "folder.md").mkdir(parents=True)
    write(tmp_path, "docs/good.md", document(BODY))
    report = import_paths([tmp_path / "docs"])
    assert report.failures == [f"{tmp_path / 'docs' / 'folder.md'}:0: is a folder, not a file"]
    assert Document.objects.count() == 1


def test_a_dry_run_reports_what_would_change_and_writes_nothing(tmp_path):
    write(tmp_path, "a.md", document(BODY))
    write(tmp_path, "index.md", index((VIDEO, "The video")))
    report = import_paths([tmp_path], dry_run=True)
    assert (report.dry_run, report.created, report.quotes_created, report.timestamps, report.sources) == (
        True,
        1,
        3,
        4,
        1,
    )
    assert not Source.objects.exists() and not Document.objects.exists() and not Topic.objects.exists()
    assert not Quote.objects.exists()


def test_a_timestamp_too_large_for_a_second_is_reported_not_stored(tmp_path):
    body = f"Fine {anchor('00:00:10')}.\nAbsurd {anchor('999999999:00:00')}.\n"
    path = write(tmp_path, "a.md", document(body))
    report = import_paths([path])
    assert report.failures == []
    assert any(problem.startswith(f"{path}:9: a timestamp is too large") for problem in report.problems)
    assert list(Quote.objects.values_list("start_second", flat=True)) == [10]


# --------------------------------------------------------------------------- shifted documents


SHIFTED_BODY = "".join(f"Point {n} {anchor(f'{n * 7:02d}:{n:02d}:00')}.\n" for n in range(1, 6))


def test_a_shifted_document_is_imported_and_flagged(tmp_path):
    report = import_paths([write(tmp_path, "shifted.md", document(SHIFTED_BODY))])
    doc = Document.objects.get()
    assert doc.needs_review and "shifted one field left" in doc.review_reason
    assert report.flagged == 1
    assert Quote.objects.get(position=5).start_second == 35 * 3600 + 5 * 60


def test_rereading_as_minutes_seconds_keeps_links_and_survives_reimport(tmp_path):
    path = write(tmp_path, "shifted.md", document(SHIFTED_BODY))
    import_paths([path])
    quote = Quote.objects.get(position=5)
    case = CaseFactory()
    quote.cases.add(case)

    report = reread_document(Document.objects.get(), minutes_seconds=True)

    assert report.failures == []
    doc = Document.objects.get()
    assert (doc.timestamps_as_minutes, doc.needs_review, doc.review_reason) == (True, False, "")
    quote.refresh_from_db()
    assert quote.start_second == 35 * 60 + 5 and list(quote.cases.all()) == [case]
    assert Quote.objects.count() == 5
    # The file, changed later, is read the way the curator decided.
    import_paths([write(tmp_path, "shifted.md", document(SHIFTED_BODY + f"More {anchor('40:00:00')}.\n"))])
    assert Quote.objects.get(pk=quote.pk).start_second == 35 * 60 + 5
    assert Quote.objects.get(position=6).start_second == 40 * 60
    assert not Document.objects.get().needs_review


def test_rereading_a_document_without_its_text_is_reported(tmp_path):
    doc = Document.objects.create(title="Hand made", slug="hand_made", source=SourceFactory(), body="x")
    report = reread_document(doc, minutes_seconds=True)
    assert report.failures == ["hand_made:0: the document has no stored text to read again"]


# In the fixture corpus: its data-t values are shifted one field left and its texts are not, so the
# first import stores the texts' times as "corrected"; read as minutes:seconds, nothing is corrected.
CORRECTED_DOCUMENT = "public_sector_innovation_strategies"


def times_of(document):
    return list(
        document.quotes.order_by("position").values_list(
            "position", "text", "start_second", "time_status", "corrected_from_seconds"
        )
    )


def test_rereading_corrected_quotes_as_minutes_seconds_makes_them_exact_and_back():
    import_paths([FIXTURE_CORPUS])
    doc = Document.objects.get(slug=CORRECTED_DOCUMENT)
    as_imported = times_of(doc)
    assert Quote.TimeStatus.CORRECTED in {status for *_, status, _ in as_imported}

    report = reread_document(doc, minutes_seconds=True)

    assert report.failures == []
    reread = times_of(doc)
    assert [(position, text) for position, text, *_ in reread] == [(p, t) for p, t, *_ in as_imported]
    # The quote at data-t 09:59:54 with the text [59:54]: 09:59 read as minutes:seconds is kept.
    assert reread[0][2:] == (9 * 60 + 59, Quote.TimeStatus.EXACT, None)
    assert {(status, original) for *_, status, original in reread} == {(Quote.TimeStatus.EXACT, None)}
    assert doc.quotes.refresh_time_status() == 0  # the statuses the rule gives, already stored
    # Read as written again: the corrections come back as the first import made them.
    assert reread_document(doc, minutes_seconds=False).failures == []
    assert times_of(doc) == as_imported


def test_an_unexpected_failure_of_a_reread_is_reported_and_leaves_the_document_as_it_was():
    import_paths([FIXTURE_CORPUS])
    doc = Document.objects.get(slug=CORRECTED_DOCUMENT)
    as_imported = times_of(doc)
    real_check = importer._check_times

    def check_then_fail(report):  # once the quotes are written: they must be rolled back
        real_check(report)
        raise RuntimeError("a bug")

    with mock.patch.object(importer, "_check_times", side_effect=check_then_fail):
        report = reread_document(doc, minutes_seconds=True)

    assert report.failures == [f"{CORRECTED_DOCUMENT}:0: could not be re-read (RuntimeError: a bug)"]
    assert times_of(doc) == as_imported
    assert not Document.objects.get(pk=doc.pk).timestamps_as_minutes


# --------------------------------------------------------------------------- bulk writes


def test_the_number_of_queries_does_not_grow_with_the_anchors(tmp_path):
    """Bulk writes: thirty times the anchors cost only a few more batches (SQLite caps parameters per query)."""

    def queries_for(statements, video):
        body = "".join(
            f"Statement {n} about [[topic {n % 7}]] {anchor(f'00:{n // 60:02d}:{n % 60:02d}')}, "
            f"{anchor(f'01:{n // 60:02d}:{n % 60:02d}')}.\n"
            for n in range(statements)
        )
        path = write(tmp_path, f"doc_{statements}.md", document(body, video=video))
        with CaptureQueriesContext(connection) as context:
            report = import_paths([path])
        assert report.failures == [] and report.timestamps == 2 * statements
        return len(context.captured_queries)

    few, many = queries_for(10, OTHER_VIDEO), queries_for(300, VIDEO)
    assert many <= few + 6, (few, many)


def test_a_first_import_neither_reads_nor_writes_the_imported_values(tmp_path):
    """A curator's edits are kept by re-imports (Quote.IMPORTED_FIELDS' columns), a curator's own quote
    left alone (Quote.added_by_curator); a first import has none to keep and pays nothing for them:
    no statement of it names those columns but the ones that have always run once a run (the
    time-status rule: a curator's start second is not doubted for its document's flag; the read of
    the video's seconds for its estimated end: the documents' seconds, not a curator's), and every
    quote is as imported."""
    body = "".join(f"Statement {n} {anchor(f'00:00:{n:02d}')}.\n" for n in range(20))
    with CaptureQueriesContext(connection) as context:
        report = import_paths([write(tmp_path, "a.md", document(body))])
    assert report.failures == [] and report.quotes_created == 20
    columns = [*Quote.IMPORTED_FIELDS.values(), "added_by_curator"]
    naming = [query["sql"] for query in context.captured_queries if any(c in query["sql"] for c in columns)]
    update = 'UPDATE "cases_quote" SET "time_status"'
    # The estimate's reads (on PostgreSQL inside a server-side cursor's DECLARE … FOR).
    read = 'SELECT "cases_quote"."source_id" AS "source_id", "cases_quote"."document_id"'
    assert naming and all(sql.startswith(update) or read in sql for sql in naming), naming
    assert len(naming) <= 5  # the rule's three updates and the estimate's two reads, whatever the number of files
    assert not Quote.objects.exclude(**{column: None for column in columns}).exists()


# --------------------------------------------------------------------------- the seed document and the fixtures


def fixture_quotes():
    path = FIXTURES / "quotes.json"
    if not path.exists():
        pytest.skip("fixtures/quotes.json is not there yet")
    return [row["fields"] for row in json.loads(path.read_text(encoding="utf-8")) if row["model"] == "cases.quote"]


def quote_rows(quotes):
    return sorted((q.text, q.start_second, q.other_seconds, q.heading_path, q.position) for q in quotes)


def test_the_seed_document_yields_71_distinct_timestamps_and_the_quotes_the_fixtures_hold():
    seed = FIXTURES / "documents" / SEED_NAME
    report = import_paths([seed])
    assert report.failures == [] and report.quotes == 72 and report.timestamps == 72
    quotes = Quote.objects.filter(document__slug="public_sector_innovation_and_collaboration")
    assert len({second for quote in quotes for second in quote.seconds}) == 71
    imported = {(quote.text, quote.start_second) for quote in quotes}
    # The fixtures also hold statements of the four other documents about the video (claims' evidence).
    expected = sorted(
        (row["text"], row["start_second"], row["other_seconds"], row["heading_path"], row["position"])
        for row in fixture_quotes()
        if (row["text"], row["start_second"]) in imported
    )
    assert len(expected) == 72 and quote_rows(quotes) == expected


def test_the_seed_imports_its_document_adopting_the_fixture_quotes_with_their_links(seed):
    """load_seed imports fixtures/documents after the fixtures (and again, forced, with --force)."""
    doc = Document.objects.get(slug="public_sector_innovation_and_collaboration")
    assert doc.source.youtube_id == SEED_VIDEO and doc.topics.count() == 4
    assert Source.objects.filter(kind="video").count() == 97
    assert Source.objects.get(youtube_id="MymoO7zOk24").title == "Innovation Playbook"
    # The seed document's 72 statements, and those of the four other documents about the video.
    assert Quote.objects.count() == 287 and Quote.objects.filter(document=doc).count() == 72
    assert Case.objects.count() == 11
    linked_before = sorted(Quote.cases.through.objects.values_list("quote_id", "case_id"))
    quote_ids = sorted(Quote.objects.values_list("pk", flat=True))
    assert len(quote_ids) == 287 and linked_before

    call_command("load_seed", "--force", verbosity=0)  # imports fixtures/documents again, forced

    doc = Document.objects.get(slug="public_sector_innovation_and_collaboration")
    assert sorted(Quote.objects.values_list("pk", flat=True)) == quote_ids
    assert Quote.objects.filter(document=doc).count() == 72
    assert sorted(Quote.cases.through.objects.values_list("quote_id", "case_id")) == linked_before
    assert Quote.objects.get(document=doc, position=1).topics.filter(slug="public_sector_innovation").exists()
    source = Source.objects.get(youtube_id=SEED_VIDEO)
    assert source.title.startswith("Surfacing Insights and Experimenting across Borders")
    assert set(Source.objects.filter(kind="video").values_list("channel", flat=True)) == {
        "OECD Observatory of Public Sector Innovation"
    }


# --------------------------------------------------------------------------- the sample corpus


# Shifted (all values, or mixed with correct ones), or past the end the other documents of the video set.
CORPUS_FLAGGED = {
    "anticorruption_strategies_in_slovakia",
    "behavioral_insights_in_public_policy",  # past the end
    "challenges_and_success_factors_in_crossborder_collaboration",
    "collaboration_and_communication_innovations",
    "digital_decarbonization_and_carbon_footprint_of_data",  # past the end
    "effective_communication_and_citizen_trust_in_crisis",
    "experimental_approaches_in_public_administration",
    "innovation_and_technology_in_climate_mitigation",
    "innovation_in_public_service_delivery",
    "intersection_of_ai_and_behavioral_science",
    "learning_by_doing_and_capacity_building_in_public_sector",
    # not public_sector_innovation_strategies: its 40 shifted data-t values each carry their text
    # ("09:59:54">[59:54]), which is plausible, so they are corrected on import instead
    "role_of_civil_servants_in_anticipatory_innovation",
    "role_of_innovation_ecosystems_during_a_crisis",
}


def test_the_corpus_imports_every_anchor_and_again_as_a_no_op():
    """The sample corpus, else tests/corpus_fixture (the same accounting; the whole corpus's own
    figures only where it is at hand)."""
    from tests.importing.test_parser import independent_counts  # the parser test's own accounting

    expected = 0
    for path in CORPUS.glob("*.md"):
        if path.name in ("README.md", INDEX_NAME):
            continue
        text = path.read_text(encoding="utf-8")
        tags, bare, repeated = independent_counts(text)
        unreadable = sum(p.message.endswith("has no number") for p in parse_document(text).problems)
        expected += tags + bare - repeated - unreadable

    documents = [path for path in CORPUS.glob("*.md") if path.name not in ("README.md", INDEX_NAME)]
    flagged_here = {stem for stem in CORPUS_FLAGGED if (CORPUS / f"{stem}.md").exists()}
    report = import_paths([CORPUS])

    assert report.failures == []
    assert (report.documents, report.indexes, report.flagged) == (len(documents), 1, len(flagged_here))
    assert flagged_here  # tests/corpus_fixture holds two
    if HAS_SAMPLE_CORPUS:
        assert (len(documents), report.sources) == (96, 97)
    stored = sum(1 + len(other) for other in Quote.objects.values_list("other_seconds", flat=True))
    assert stored == report.timestamps == expected
    assert report.quotes == Quote.objects.count()
    assert report.topics == Topic.objects.count()
    flagged = set(Document.objects.filter(needs_review=True).values_list("slug", flat=True))
    assert flagged == flagged_here

    before = snapshot()
    again = import_paths([CORPUS])
    assert snapshot() == before
    assert (again.unchanged, again.created, again.updated, again.timestamps) == (
        len(documents),
        0,
        0,
        report.timestamps,
    )
