"""Writers wait for each other instead of failing: concurrent saves, and two imports of the same
folder at once, on the embedded SQLite (a real file, in WAL, other processes) and on PostgreSQL."""

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, transaction

from cases.importing.importer import import_paths
from cases.models import Case, Document, Quote, Source, Topic
from tests.factories import CaseFactory
from tests.processes import child_env
from tests.sample_corpus import CORPUS

ROOT = Path(__file__).resolve().parent.parent
# The corpus documents imported twice at once: eight of the sample corpus, or the five of
# tests/corpus_fixture (not its README nor the channel index, which import no document).
DOCUMENTS = [
    p for p in sorted(CORPUS.glob("*.md")) if p.name not in ("README.md", "oecdobservatoryofpublicsec3116.md")
][:8]
FILES = len(DOCUMENTS)
SAVES_PER_THREAD = 15
THREADS = 3

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite file in WAL, used by processes")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL connections per thread")


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in DOCUMENTS:
        shutil.copy(path, folder / path.name)
    return folder


def library_counts():
    return {
        "documents": Document.objects.count(),
        "quotes": Quote.objects.count(),
        "sources": Source.objects.count(),
        "topics": Topic.objects.count(),
        "duplicate quotes": Quote.objects.count() - Quote.objects.values("document", "position").distinct().count(),
    }


# --- SQLite: a database file shared by processes ---------------------------------------------------


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory):
    """A migrated SQLite database file (the migrations run once for the module)."""
    path = tmp_path_factory.mktemp("sqlite") / "library.sqlite3"
    run_python(path, "from django.core.management import call_command; call_command('migrate', verbosity=0)")
    return path


def sqlite_env(path):
    return child_env(f"sqlite:///{path}")


def start_python(path, code):
    return subprocess.Popen(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=sqlite_env(path),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_python(path, code, timeout=180):
    process = start_python(path, code)
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out


COUNTS = "import json\nfrom tests.test_concurrency import library_counts\nprint(json.dumps(library_counts()))\n"


@on_sqlite
def test_sqlite_file_is_in_wal_with_immediate_transactions(migrated_file):
    out = run_python(
        migrated_file,
        "from django.db import connection\nc = connection.cursor()\n"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], connection.transaction_mode)",
    )
    assert out.split() == ["wal", "IMMEDIATE"]


@on_sqlite
def test_concurrent_saves_from_threads_wait_for_each_other_on_sqlite(migrated_file, tmp_path):
    path = tmp_path / "saves.sqlite3"
    shutil.copy(migrated_file, path)
    code = f"""
import threading
from django.db import connection, transaction
from tests.factories import CaseFactory
from cases.models import Case
cases = [CaseFactory(slug=f"case-{{n}}") for n in range({THREADS})]
errors = []
def curator(case):
    try:
        for n in range({SAVES_PER_THREAD}):
            with transaction.atomic():  # read, then write: a deferred transaction would fail here
                fresh = Case.objects.get(pk=case.pk)
                fresh.summary = f"Edit {{n}}"
                fresh.save()
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()
threads = [threading.Thread(target=curator, args=(case,)) for case in cases]
[t.start() for t in threads]
[t.join() for t in threads]
print(errors or "ok", sorted(Case.objects.values_list("summary", flat=True)))
"""
    out = run_python(path, code)
    assert out.startswith("ok"), out
    assert out.count(f"Edit {SAVES_PER_THREAD - 1}") == THREADS


@on_sqlite
def test_two_imports_of_the_same_folder_at_once_on_sqlite(migrated_file, folder, tmp_path):
    alone, both = tmp_path / "alone.sqlite3", tmp_path / "both.sqlite3"
    shutil.copy(migrated_file, alone)
    shutil.copy(migrated_file, both)
    command = (
        "import json\nfrom cases.importing.importer import import_paths\n"
        f"print(json.dumps(import_paths([{str(folder)!r}]).as_dict()))\n"
    )
    run_python(alone, command)
    expected = json.loads(run_python(alone, COUNTS))
    processes = [start_python(both, command) for _ in range(2)]
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        report = json.loads(out)
        assert report["failed"] == 0 and report["documents"] == FILES, report
    assert json.loads(run_python(both, COUNTS)) == expected
    assert expected["documents"] == FILES and expected["duplicate quotes"] == 0


# --- PostgreSQL: a connection per thread --------------------------------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_from_threads_wait_for_each_other_on_postgresql():
    cases = [CaseFactory() for _ in range(THREADS)]
    errors = []

    def curator(case):
        try:
            for n in range(SAVES_PER_THREAD):
                with transaction.atomic():
                    fresh = Case.objects.select_for_update().get(pk=case.pk)
                    fresh.summary = f"Edit {n}"
                    fresh.save()
        except Exception as error:  # noqa: BLE001 (collected and asserted below)
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=curator, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(Case.objects.values_list("summary", flat=True)) == {f"Edit {SAVES_PER_THREAD - 1}"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_folder_at_once_on_postgresql(folder):
    import_paths([folder])
    expected = library_counts()
    for model in (Quote, Document, Topic, Source):
        model.objects.all().delete()
    reports = []

    def importer():
        try:
            reports.append(import_paths([folder]).as_dict())
        finally:
            connection.close()

    threads = [threading.Thread(target=importer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [(report["failed"], report["documents"]) for report in reports] == [(0, FILES), (0, FILES)], reports
    assert library_counts() == expected
    assert expected["documents"] == FILES and expected["duplicate quotes"] == 0
