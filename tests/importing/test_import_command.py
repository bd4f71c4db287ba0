"""`manage.py import_documents`: the summary, --json, --dry-run, exit status, progress on a terminal only."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.importing.importer import import_paths
from cases.models import Document, Quote, Source

pytestmark = pytest.mark.django_db

VIDEO = "abcdefghijk"
BODY = (
    'A statement <a class="yt-timestamp" data-t="00:00:10">[00:00:10]</a>. '
    'Another one <a class="yt-timestamp" data-t="00:01:00">[00:01:00]</a>, '
    '<a class="yt-timestamp" data-t="00:02:00">[00:02:00]</a>.\n'
)
JSON_KEYS = {"documents", "sources", "quotes", "timestamps", "topics", "flagged", "failed", "seconds"}


def document(video=VIDEO, body=BODY):
    return f"---\ntitle: A webinar\nvideoId: {video}\n---\n\nFrom: [[channel]] <br/>\n\n{body}"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a.md").write_text(document(), encoding="utf-8")
    (tmp_path / "b.md").write_text(document("ABCDEFGHIJK"), encoding="utf-8")
    return tmp_path


class Terminal(io.StringIO):
    def isatty(self):
        return True


def run(*args, stdout=None):
    out, err = stdout or io.StringIO(), io.StringIO()
    try:
        call_command("import_documents", *[str(arg) for arg in args], stdout=out, stderr=err)
        status = 0
    except CommandError as error:
        status = error.returncode
        err.write(str(error))
    return status, out.getvalue(), err.getvalue()


def test_json_prints_one_object_with_the_documented_keys(folder):
    status, out, err = run(folder, "--json")
    assert status == 0 and err == ""
    summary = json.loads(out)
    assert JSON_KEYS <= set(summary)
    assert {key: summary[key] for key in JSON_KEYS - {"seconds"}} == {
        "documents": 2,
        "sources": 2,
        "quotes": 4,
        "timestamps": 6,
        "topics": 0,
        "flagged": 0,
        "failed": 0,
    }
    assert isinstance(summary["seconds"], float)


def test_the_summary_says_what_was_imported(folder):
    status, out, _ = run(folder)
    assert status == 0
    assert "Imported 2 documents (2 new, 0 changed, 0 unchanged) from 2 sources: 4 quotes citing 6 timestamps" in out
    _, again, _ = run(folder)
    assert "(0 new, 0 changed, 2 unchanged)" in again


def test_a_failed_file_is_reported_as_file_line_reason_and_the_exit_status_is_not_zero(folder):
    (folder / "broken.md").write_text("---\ntitle: No video\n---\n\nText.\n", encoding="utf-8")
    status, out, err = run(folder, "--json")
    assert status == 1
    assert f"{folder / 'broken.md'}:1: no videoId in front matter" in err
    summary = json.loads(out)
    assert summary["failed"] == 1 and summary["documents"] == 2
    assert Document.objects.count() == 2


def test_dry_run_writes_nothing(folder):
    status, out, _ = run(folder, "--dry-run")
    assert status == 0
    assert out.startswith("Dry run, nothing written: would import 2 documents")
    assert not Document.objects.exists() and not Quote.objects.exists() and not Source.objects.exists()


def test_a_progress_line_on_a_terminal(folder):
    status, out, _ = run(folder, stdout=Terminal())
    assert status == 0
    assert "\r" in out and "2/2" in out


def test_no_progress_line_when_not_on_a_terminal_nor_with_json(folder):
    _, out, _ = run(folder)
    assert "\r" not in out
    _, out, _ = run(folder, "--json", stdout=Terminal())
    assert "\r" not in out and json.loads(out)["documents"] == 2


def test_verbosity_zero_is_quiet_and_two_lists_what_was_read_imperfectly(tmp_path):
    (tmp_path / "a.md").write_text(document(body=BODY + 'Broken <a class="yt-timestamp" data-t="x">[x]</a>.\n'))
    _, quiet, _ = run(tmp_path, "--verbosity", "0")
    assert quiet == ""
    status, out, err = run(tmp_path, "--force", "--verbosity", "2")
    assert status == 0
    assert f'{tmp_path / "a.md"}:9: timestamp "x" has no number' in err


def test_a_missing_path_fails_clearly(tmp_path):
    status, _, err = run(tmp_path / "nowhere")
    assert status == 1 and "nowhere:0: no such file or folder" in err


def test_an_interrupted_import_says_what_it_left(folder, monkeypatch):
    """Ctrl-C midway: no traceback but a message saying what stays, and it holds: the files
    committed before, each whole (a batch commits every BATCH_SECONDS: with 0, each file)."""
    from cases.importing import importer
    from cases.management.commands import import_documents

    monkeypatch.setattr(importer, "BATCH_SECONDS", 0)

    def interrupted_after_the_first_file(paths, **kwargs):
        def progress(done, total, name):
            if done == 2:
                raise KeyboardInterrupt

        return import_paths(paths, **{**kwargs, "progress": progress})

    monkeypatch.setattr(import_documents, "import_paths", interrupted_after_the_first_file)
    with pytest.raises(CommandError, match="Interrupted") as raised:
        call_command("import_documents", str(folder), stdout=io.StringIO(), stderr=io.StringIO())
    assert raised.value.returncode == 130
    assert "each whole" in str(raised.value)
    # The first file's batch committed, the second's rolled back (both databases).
    stored = 1
    assert Document.objects.count() == stored
    assert Quote.objects.filter(document__isnull=False).count() == 2 * stored
