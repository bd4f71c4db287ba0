"""The rows a batch of files shares (documents.BatchRows, has_orphans, stored_document): its cached sources and
topics across failing files, and quotes cut loose then taken back in the same run."""

from unittest import mock

import pytest
from django.db import DatabaseError, connection

from cases.importing import documents as document_writes
from cases.importing.importer import import_paths, reread_document
from cases.models import Document, Quote, Source, Topic
from tests.importing.test_carryover import CONTEXT, OPENING, REVIEW, TRAINING, VIDEO, anchor, imported  # noqa: F401
from tests.importing.test_carryover import document as carry_document
from tests.importing.test_importer import BODY, OTHER_VIDEO, document, write

MOVED_TO = "movedmoved1"


def failing_for(slugs):
    """store_quotes that writes the quotes, then fails for the documents of `slugs`."""
    real = document_writes.store_quotes

    def store_quotes(doc, *args, **kwargs):
        orphaned = real(doc, *args, **kwargs)
        if doc.slug in slugs:
            raise DatabaseError("disk full")
        return orphaned

    return mock.patch.object(document_writes, "store_quotes", side_effect=store_quotes)


def dangling_foreign_keys():
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_key_check")
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_failing_file_between_files_of_a_new_video_and_topic_commits_cleanly(tmp_path):
    # b makes the video and topic, c fails after making another topic and setting nothing else,
    # d uses all of them: the batch must commit (no dangling ids on SQLite's deferred check).
    write(tmp_path, "b.md", document(BODY.replace("[[Prize Competition]]", "[[Only Here]]"), video=OTHER_VIDEO))
    write(tmp_path, "c.md", document(BODY.replace("[[Prize Competition]]", "[[Fresh Topic]]"), video="cccccccccc1"))
    write(
        tmp_path,
        "d.md",
        document(BODY.replace("[[Prize Competition]]", "[[Fresh Topic]] [[Only Here]]"), video=OTHER_VIDEO),
    )
    write(tmp_path, "e.md", document(BODY.replace("[[Prize Competition]]", "[[Fresh Topic]]"), video="cccccccccc1"))
    with failing_for({"c"}):
        report = import_paths([tmp_path])

    assert report.failed == 1
    assert sorted(Document.objects.values_list("slug", flat=True)) == ["b", "d", "e"]
    assert Source.objects.filter(youtube_id="cccccccccc1").count() == 1
    assert set(Topic.objects.values_list("slug", flat=True)) >= {"only_here", "fresh_topic"}
    e = Document.objects.get(slug="e")
    assert e.source.youtube_id == "cccccccccc1" and e.topics.filter(slug="fresh_topic").exists()
    assert dangling_foreign_keys() == []


@pytest.mark.django_db(transaction=True)
def test_the_first_file_of_a_batch_fails_and_the_next_makes_the_video_again(tmp_path):
    write(tmp_path, "a.md", document(BODY.replace("[[Prize Competition]]", "[[Only Here]]"), video=OTHER_VIDEO))
    write(tmp_path, "b.md", document(BODY.replace("[[Prize Competition]]", "[[Only Here]]"), video=OTHER_VIDEO))
    with failing_for({"a"}):
        report = import_paths([tmp_path])
    assert report.failed == 1
    assert Document.objects.get().source == Source.objects.get(youtube_id=OTHER_VIDEO)
    assert dangling_foreign_keys() == []


def _moved_scenario(imported, tmp_path):  # noqa: F811
    """first.md: a new document of the video (caches it, no orphans); anticorruption.md moves to
    another video and drops REVIEW (cut loose, source: the old video); part_two.md: a new document
    of the old video stating REVIEW: it should take the quote back."""
    first = tmp_path / "first.md"
    first.write_text(
        carry_document(f"An unrelated statement about something else {anchor('00:09:00')}."), encoding="utf-8"
    )
    imported.path.write_text(
        carry_document(OPENING, CONTEXT, TRAINING).replace(f"videoId: {VIDEO}", f"videoId: {MOVED_TO}"),
        encoding="utf-8",
    )
    part_two = tmp_path / "part_two.md"
    part_two.write_text(carry_document(REVIEW), encoding="utf-8")
    return [first, imported.path, part_two]


@pytest.mark.django_db
def test_a_quote_cut_loose_by_a_document_that_moved_video_is_taken_back_later_in_the_run(imported, tmp_path):  # noqa: F811
    paths = _moved_scenario(imported, tmp_path)
    report = import_paths(paths)

    assert report.failures == []
    review = Quote.objects.get(pk=imported.quotes[316].pk)
    assert review.document.slug == "part_two"
    assert review.source.youtube_id == VIDEO
    assert list(review.cases.all()) == [imported.case]
    assert Quote.objects.filter(text=review.text).count() == 1
    assert Quote.objects.get(pk=imported.quotes[171].pk).source.youtube_id == MOVED_TO


@pytest.mark.django_db
def test_a_dry_run_reports_what_the_run_does(imported, tmp_path):  # noqa: F811
    paths = _moved_scenario(imported, tmp_path)
    before = sorted(Quote.objects.values_list("pk", "document_id", "source_id", "text"))
    dry = import_paths(paths, dry_run=True)
    assert sorted(Quote.objects.values_list("pk", "document_id", "source_id", "text")) == before
    real = import_paths(paths)
    keys = [
        "documents",
        "created",
        "updated",
        "quotes",
        "quotes_created",
        "quotes_updated",
        "quotes_deleted",
        "links_carried",
        "links_cut_loose",
        "failed",
    ]
    assert {k: dry.as_dict()[k] for k in keys} == {k: real.as_dict()[k] for k in keys}
    assert [r["outcome"] for r in dry.relinks] == [r["outcome"] for r in real.relinks]


@pytest.mark.django_db
def test_force_reimport_of_everything_changes_nothing(imported, tmp_path):  # noqa: F811
    paths = _moved_scenario(imported, tmp_path)
    import_paths(paths)
    state = sorted(Quote.objects.values_list("pk", "document_id", "source_id", "text", "start_second"))
    report = import_paths(paths, force=True)
    assert report.failures == [] and report.quotes_created == 0 and report.quotes_deleted == 0
    assert sorted(Quote.objects.values_list("pk", "document_id", "source_id", "text", "start_second")) == state


@pytest.mark.django_db
def test_reread_of_a_new_document_adopts_orphans_of_its_video(imported, tmp_path):  # noqa: F811
    # REVIEW cut loose; part_two (new, same video) imported in another run takes it back; reread keeps it.
    imported.path.write_text(carry_document(OPENING, CONTEXT, TRAINING), encoding="utf-8")
    import_paths([imported.path])
    part_two = tmp_path / "part_two.md"
    part_two.write_text(carry_document(REVIEW), encoding="utf-8")
    import_paths([part_two])
    doc = Document.objects.get(slug="part_two")
    report = reread_document(doc, minutes_seconds=False)
    assert report.failures == []
    assert Quote.objects.get(pk=imported.quotes[316].pk).document_id == doc.pk
    assert Quote.objects.filter(text=imported.quotes[316].text).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_upload_with_a_bad_file_among_good_ones_of_one_new_video_and_topic():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.importing.importer import import_uploads

    body = BODY.replace("[[Prize Competition]]", "[[Uploaded Topic]]")
    files = [
        SimpleUploadedFile("a.md", document(body, video="uuuuuuuuuu1").encode()),
        SimpleUploadedFile("b.md", document(body, video="uuuuuuuuuu1").encode()),
        SimpleUploadedFile("bad.md", document(body, video="not a video id!").encode()),
        SimpleUploadedFile("notes.txt", b"hello"),
        SimpleUploadedFile("c.md", document(body, video="uuuuuuuuuu1").encode()),
    ]
    with failing_for({"b"}):
        report = import_uploads(files)
    assert report.failed == 3
    assert sorted(Document.objects.values_list("slug", flat=True)) == ["a", "c"]
    assert Source.objects.filter(youtube_id="uuuuuuuuuu1").count() == 1
    assert Topic.objects.filter(slug="uploaded_topic").count() == 1
    assert Document.objects.get(slug="c").topics.filter(slug="uploaded_topic").exists()
    assert dangling_foreign_keys() == []
