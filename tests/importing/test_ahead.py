"""Parsing ahead in a worker process (cases.importing.ahead): the same report and rows as parsing
in-process, failures reported alike, unchanged files never parsed, small runs without a worker."""

import os
import shutil
import signal
from concurrent.futures import ProcessPoolExecutor, wait
from pathlib import Path
from unittest import mock

import pytest
from django.db import transaction

from cases.importing import ahead, importer
from cases.importing.importer import import_paths, reread_document
from cases.models import Document, Quote, Source, Topic

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[1] / "corpus_fixture"
INDEX_NAME = "oecdobservatoryofpublicsec3116.md"
COPIES = 4  # 5 documents 4 times and the index: 21 files, over ahead.MIN_FILES


def copies(folder, *, extra=()):
    """The fixture corpus's documents COPIES times under distinct names, its index once, and `extra`
    (name, bytes) files: as bench/import_corpus.py --copies does."""
    folder.mkdir()
    for path in sorted(CORPUS.glob("*.md")):
        if path.name == "README.md":
            continue
        if path.name == INDEX_NAME:
            shutil.copy(path, folder / path.name)
            continue
        for number in range(COPIES):
            shutil.copy(path, folder / f"{path.stem}_{number}.md")
    for name, content in extra:
        (folder / name).write_bytes(content)
    return folder


def stored_rows():
    """What an import writes, by natural keys (two imports may draw other primary keys)."""
    return {
        "sources": sorted(
            Source.objects.values_list("slug", "youtube_id", "title", "channel", "estimated_duration_seconds")
        ),
        "documents": sorted(
            Document.objects.values_list(
                "slug", "title", "source__slug", "body", "raw_text", "content_hash", "needs_review", "review_reason"
            )
        ),
        "quotes": sorted(
            Quote.objects.values_list(
                "document__slug", "position", "text", "start_second", "other_seconds", "heading_path", "time_status"
            )
        ),
        "topics": sorted(Topic.objects.values_list("slug", "label")),
        "document_topics": sorted(Document.topics.through.objects.values_list("document__slug", "topic__slug")),
        "quote_topics": sorted(
            Quote.topics.through.objects.values_list("quote__document__slug", "quote__position", "topic__slug")
        ),
    }


def outcome(report):
    found = report.as_dict()
    del found["seconds"]
    return found


class EagerPool(ProcessPoolExecutor):
    """A worker that has parsed each file before the main process asks for it: every file is parsed
    there, none in-process (the importer otherwise parses a file the worker has not started)."""

    def submit(self, fn, /, *args, **kwargs):
        future = super().submit(fn, *args, **kwargs)
        wait([future])
        return future


def in_process_and_ahead(monkeypatch, folder, **options):
    """(report, rows) of importing `folder` in-process (rolled back), then of importing it parsing
    ahead (kept), with no parse in-process; the second run must have started a worker."""
    before = stored_rows()
    with transaction.atomic():
        with monkeypatch.context() as patched:
            patched.setattr(ahead, "MIN_FILES", 10**6)
            patched.setattr(ahead, "ProcessPoolExecutor", mock.Mock(side_effect=AssertionError("no worker")))
            expected = outcome(import_paths([folder], **options)), stored_rows()
        transaction.set_rollback(True)
    assert stored_rows() == before

    started = []

    class Pool(EagerPool):
        def __init__(self, *args, **kwargs):
            started.append(kwargs["mp_context"].get_start_method())
            super().__init__(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(ahead, "ProcessPoolExecutor", Pool)
        patched.setattr(importer, "parse_document", mock.Mock(side_effect=AssertionError("parsed in-process")))
        found = outcome(import_paths([folder], **options)), stored_rows()
    assert started == ["spawn"]  # a fresh interpreter: no database connection inherited
    return expected, found


def test_parsing_ahead_stores_and_reports_exactly_what_parsing_in_process_does(tmp_path, monkeypatch):
    expected, found = in_process_and_ahead(monkeypatch, copies(tmp_path / "corpus"))
    assert found == expected
    report, rows = found
    assert report["failed"] == 0 and report["documents"] == 5 * COPIES and report["indexes"] == 1
    assert report["flagged"] == 2 * COPIES and report["problems"]
    assert len(rows["quotes"]) == report["quotes"] > 100


def test_a_malformed_file_among_many_is_reported_as_parsing_in_process_does(tmp_path, monkeypatch):
    extra = [
        ("m_no_video.md", b"---\ntitle: No video\n---\n\nText.\n"),  # the worker's DocumentError
        ("m_no_front_matter.md", b'Just text <a class="yt-timestamp" data-t="00:00:10">[00:00:10]</a>\n'),
        ("m_binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),  # not read: never reaches the worker
    ]
    expected, found = in_process_and_ahead(monkeypatch, copies(tmp_path / "corpus", extra=extra))
    assert found == expected
    folder = tmp_path / "corpus"
    assert found[0]["failures"] == [
        f"{folder / 'm_binary.md'}:3: binary file, not markdown text",
        f"{folder / 'm_no_front_matter.md'}:1: no front matter",
        f"{folder / 'm_no_video.md'}:1: no videoId in front matter",
    ]
    assert found[0]["documents"] == 5 * COPIES


def test_a_dry_run_and_a_forced_reimport_parse_ahead_as_in_process(tmp_path, monkeypatch):
    folder = copies(tmp_path / "corpus")
    expected, found = in_process_and_ahead(monkeypatch, folder, dry_run=True)
    assert found == expected and not Document.objects.exists()
    import_paths([folder])
    expected, found = in_process_and_ahead(monkeypatch, folder, force=True)
    assert found == expected and found[0]["unchanged"] == 5 * COPIES


def test_a_changed_document_read_as_minutes_seconds_is_parsed_ahead_so(tmp_path, monkeypatch):
    folder = copies(tmp_path / "corpus")
    import_paths([folder])
    reread_document(Document.objects.get(slug="anticorruption_strategies_in_slovakia_0"), minutes_seconds=True)
    changed = folder / "anticorruption_strategies_in_slovakia_0.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    expected, found = in_process_and_ahead(monkeypatch, folder)
    assert found == expected and found[0]["updated"] == 1
    assert Document.objects.get(slug="anticorruption_strategies_in_slovakia_0").timestamps_as_minutes


def test_small_runs_and_unchanged_files_start_no_worker(tmp_path, monkeypatch):
    pool = mock.Mock(side_effect=AssertionError("no worker"))
    monkeypatch.setattr(ahead, "ProcessPoolExecutor", pool)
    few = tmp_path / "few"
    few.mkdir()
    for path in sorted(CORPUS.glob("*.md")):
        shutil.copy(path, few / path.name)
    assert import_paths([few]).failed == 0  # 6 files, under MIN_FILES
    folder = copies(tmp_path / "corpus")
    monkeypatch.setattr(ahead, "ProcessPoolExecutor", EagerPool)
    import_paths([folder])
    monkeypatch.setattr(ahead, "ProcessPoolExecutor", pool)
    with mock.patch.object(importer, "parse_document") as parse:
        again = import_paths([folder])  # 21 files, all unchanged: skipped before parsing, anywhere
    parse.assert_not_called()
    assert again.unchanged == 5 * COPIES and again.failed == 0
    pool.assert_not_called()


def test_a_worker_that_dies_leaves_the_files_left_to_the_main_process(tmp_path, monkeypatch):
    folder = copies(tmp_path / "corpus")
    with transaction.atomic():
        monkeypatch.setattr(ahead, "MIN_FILES", 10**6)
        expected = outcome(import_paths([folder])), stored_rows()
        transaction.set_rollback(True)
    monkeypatch.setattr(ahead, "MIN_FILES", 20)

    class DyingPool(EagerPool):
        submitted = 0

        def submit(self, fn, /, *args, **kwargs):
            DyingPool.submitted += 1
            if DyingPool.submitted == 4:
                wait([super().submit(os._exit, 1)])  # the worker process ends, as if killed
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(ahead, "ProcessPoolExecutor", DyingPool)
    found = outcome(import_paths([folder])), stored_rows()
    assert found == expected
    assert DyingPool.submitted == 4  # three parsed by the worker, then none handed to it


def test_the_worker_leaves_ctrl_c_to_the_main_process_and_yields_to_it():
    spawn = ahead.multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn, initializer=ahead._start_worker) as pool:
        assert pool.submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_IGN
        assert pool.submit(os.nice, 0).result() == min(19, os.nice(0) + ahead.WORKER_NICENESS)


PARENT_SCRIPT = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
from cases.importing import ahead
if __name__ == "__main__":
    pool = ProcessPoolExecutor(max_workers=1, mp_context=ahead.multiprocessing.get_context("spawn"),
                               initializer=ahead._start_worker)
    print(pool.submit(os.getpid).result(), flush=True)
    time.sleep(60)
"""


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by its new parent) is gone as far as work goes.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_the_worker_ends_when_its_main_process_is_killed(tmp_path):
    """SIGKILL or SIGTERM of the import runs no clean-up: the worker must not wait for work forever."""
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(PARENT_SCRIPT)
    root = Path(__file__).resolve().parents[2]
    parent = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        worker = int(parent.stdout.readline())
        assert _alive(worker)
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker)
    finally:
        parent.kill()
        if _alive(worker):
            os.kill(worker, signal.SIGKILL)
