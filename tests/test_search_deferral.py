"""A deferred search index (cases.search.deferral, the importer's batches): the same entries, words
and results as row-by-row triggers and a full rebuild; nothing of a failed file; others' writes indexed."""

import shutil
import threading
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, connections, transaction

from cases.importing import documents as document_writes
from cases.importing import importer
from cases.importing.importer import import_paths
from cases.models import Case, Document, Quote
from cases.search import schema, search
from cases.search.deferral import deferred_index
from cases.search.suggest import known_words
from tests.factories import CaseFactory
from tests.test_concurrency import migrated_file, run_python  # noqa: F401 (a fixture)

CORPUS = Path(__file__).resolve().parent / "corpus_fixture"
QUERIES = ["innovation", "collaboration", "slovakia", "cross-border", "crossborder", "public sector", "corruption"]


def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def raw_index():
    """(entries, words): {entry id: its content}, and the vocabulary with each word's counts."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT id, vector::text, head::text FROM {schema.ENTRY_TABLE}")
            entries = {row[0]: row[1:] for row in cursor.fetchall()}
            cursor.execute(f"SELECT word, documents FROM {schema.WORD_TABLE} ORDER BY word")
        else:
            cursor.execute(f"SELECT rowid, title, names, body FROM {schema.FTS_TABLE}")
            entries = {row[0]: row[1:] for row in cursor.fetchall()}
            known_words("a")  # creates this connection's vocabulary table
            cursor.execute(f"SELECT term, doc, cnt FROM temp.{schema.VOCAB_TABLE} ORDER BY term")
        return entries, cursor.fetchall()


def comparable_index():
    """raw_index() with each kind's keys replaced by their rank: two imports of the same files
    number their rows alike even where the database drew other keys (PostgreSQL's sequences)."""
    entries, words = raw_index()
    by_kind = defaultdict(list)
    for entry_id in entries:
        by_kind[entry_id % schema.KIND_BITS].append(entry_id)
    ranked = {}
    for code, ids in by_kind.items():
        for rank, entry_id in enumerate(sorted(ids)):
            ranked[(code, rank)] = entries[entry_id]
    return ranked, words


def results():
    """What the search page shows for QUERIES: each kind's count and its best hits' titles, in order."""
    found = {}
    for q in QUERIES:
        found[q] = [
            (group.kind.key, group.count, [hit.title for hit in group.hits]) for group in search(q, per_kind=20).groups
        ]
    return found


def rebuild_index():
    """Every entry rebuilt from the views, as migration 0013 fills the index (the vocabulary follows)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {schema.ENTRY_TABLE}")
            for kind in schema.KINDS:
                cursor.execute(f"SELECT cases_search_refresh_{kind.name}(ARRAY(SELECT {kind.key} FROM {kind.table}))")
        else:
            for statement in schema.sqlite_attach_statements():
                cursor.execute(statement)


@pytest.mark.django_db
def test_a_deferred_import_indexes_exactly_what_row_by_row_triggers_do(tmp_path, monkeypatch):
    folder = corpus(tmp_path)
    CaseFactory(title="Public sector innovation in Slovakia", summary="Cross-border collaboration against corruption")
    before = search("slovakia").total  # the case and the country
    with transaction.atomic():
        with monkeypatch.context() as patched:  # each batch a plain transaction: triggers index row by row
            patched.setattr(importer, "deferred_index", transaction.atomic)
            report = import_paths([folder])
        assert report.failed == 0 and report.quotes > 100
        expected_index, expected_results = comparable_index(), results()
        transaction.set_rollback(True)
    assert Document.objects.count() == 0 and search("slovakia").total == before  # rolled back

    import_paths([folder])
    assert comparable_index() == expected_index
    assert results() == expected_results
    assert expected_results["slovakia"][0][1] > 0  # the queries find something


@pytest.mark.django_db
def test_a_full_rebuild_finds_the_deferred_index_as_it_is(tmp_path):
    import_paths([corpus(tmp_path)])
    imported, found = raw_index(), results()
    assert len(imported[0]) > Quote.objects.count() > 100
    rebuild_index()
    assert raw_index() == imported
    assert results() == found


@pytest.mark.django_db
def test_a_file_failing_midway_leaves_neither_rows_nor_entries(tmp_path, monkeypatch):
    store_quotes = document_writes.store_quotes

    def failing(document, *args, **kwargs):
        orphaned = store_quotes(document, *args, **kwargs)  # its quotes are written (and pending), then it fails
        if document.slug == "anticorruption_strategies_in_slovakia":
            raise DatabaseError("disk full")
        return orphaned

    monkeypatch.setattr(document_writes, "store_quotes", failing)
    report = import_paths([corpus(tmp_path)])
    assert report.failed == 1 and report.documents == 4
    assert not Document.objects.filter(slug="anticorruption_strategies_in_slovakia").exists()
    entries, _ = raw_index()
    for model, code in ((Quote, 2), (Document, 3)):  # the other files' quotes and documents, and only them
        indexed = {entry_id // schema.KIND_BITS for entry_id in entries if entry_id % schema.KIND_BITS == code}
        assert indexed == set(model.objects.values_list("pk", flat=True))
    imported = raw_index()
    rebuild_index()
    assert raw_index() == imported


@pytest.mark.django_db
def test_a_write_of_the_importing_connection_during_a_batch_is_indexed_at_its_end(tmp_path):
    case = CaseFactory(title="Kelp farming", summary="")
    pending = []

    def progress(done, total, name):
        if done == 1:
            Case.objects.filter(pk=case.pk).update(title="Seaweed cooperatives")
            pending.append(search("seaweed").total)  # not yet: the batch refreshes at its end

    import_paths([corpus(tmp_path)], progress=progress)
    assert pending == [0]
    assert [hit.object.pk for hit in search("seaweed").groups[0].hits] == [case.pk]
    assert search("kelp").total == 0


@pytest.mark.django_db
def test_an_error_inside_a_deferral_rolls_back_its_rows_and_pending_ids():
    with pytest.raises(DatabaseError), deferred_index():
        CaseFactory(title="Mangrove restoration")
        raise DatabaseError("failed")
    assert search("mangrove").total == 0
    CaseFactory(title="Mangrove nurseries")  # indexed at once: no deferral is left behind
    assert search("mangrove").total == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: a connection per thread")
@pytest.mark.django_db(transaction=True)
def test_a_curators_write_from_another_session_during_an_import_is_indexed_by_its_triggers(tmp_path, monkeypatch):
    # A batch a file: the save waits for the batch holding the index's lock (the library version's
    # triggers take it too), then commits between two batches, indexed by its own triggers.
    monkeypatch.setattr(importer, "BATCH_SECONDS", 0)
    case = CaseFactory(title="Kelp farming", summary="")
    seen = []

    def curator():
        try:
            with transaction.atomic():
                fresh = Case.objects.get(pk=case.pk)
                fresh.title = "Seaweed cooperatives"
                fresh.save()
            seen.append(search("seaweed").total)  # committed: found at once, whatever the import does
        finally:
            connections.close_all()

    thread = threading.Thread(target=curator)

    def progress(done, total, name):
        if done == 1:
            thread.start()

    report = import_paths([corpus(tmp_path)], progress=progress)
    thread.join(timeout=60)
    assert report.failed == 0 and seen == [1]
    assert search("seaweed").total == 1 and search("kelp").total == 0
    imported = raw_index()
    rebuild_index()
    assert raw_index() == imported


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite file in WAL shared by threads")
def test_a_curators_write_from_another_connection_during_an_import_is_indexed_on_sqlite(
    migrated_file,  # noqa: F811
    tmp_path,
):
    path = tmp_path / "library.sqlite3"
    shutil.copy(migrated_file, path)
    code = f"""
import threading
from django.db import connection, transaction
from cases.importing import importer
from cases.models import Case
from cases.search import search
from tests.factories import CaseFactory
importer.BATCH_SECONDS = 0  # a batch a file: the curator's save comes between two
case = CaseFactory(title="Kelp farming", summary="")
seen = []
def curator():
    try:
        with transaction.atomic():
            fresh = Case.objects.get(pk=case.pk)
            fresh.title = "Seaweed cooperatives"
            fresh.save()
        seen.append(search("seaweed").total)
    finally:
        connection.close()
thread = threading.Thread(target=curator)
def progress(done, total, name):
    if done == 1:
        thread.start()
report = importer.import_paths([{str(CORPUS)!r}], progress=progress)
thread.join()
print(report.failed, seen, search("seaweed").total, search("kelp").total, search("slovakia").total > 0)
"""
    assert run_python(path, code).split() == ["0", "[1]", "1", "0", "True"]
