"""Migration 0032's data step on a library from before it: quotes curators added are marked, and
curators' earlier edits of imported quotes get their values as imported back from the history."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.urls import reverse

from cases.curation.history import ensure_quote_baseline
from cases.importing.importer import import_paths
from cases.models import Document, Quote
from cases.tracking import RECORDERS
from tests.curation import client_for, publisher  # noqa: F401
from tests.test_admin_quotes import save_text

pytestmark = pytest.mark.django_db

migration = importlib.import_module("cases.migrations.0032_quote_imported_times_and_added_by_curator")
BODY = (
    "## Opening\n\n"
    'A first statement <a class="yt-timestamp" data-t="00:00:10">[00:00:10]</a>.\n\n'
    'A second statement <a class="yt-timestamp" data-t="00:00:20">[00:00:20]</a> '
    '<a class="yt-timestamp" data-t="00:00:40">[00:00:40]</a>.\n'
)


def document(body):
    return f"---\ntitle: A webinar\nvideoId: qaQAqaQAqa1\n---\n\nFrom: [[somechannel]] <br/>\n\n{body}"


def import_text(folder, body):
    path = Path(folder) / "a_webinar.md"
    path.write_text(document(body), encoding="utf-8")
    report = import_paths([str(path)])
    assert not report.failed, report.failures
    return report


def run_data_step():
    migration.mark_quotes_added_by_curators(apps, None)


@pytest.fixture
def imported(tmp_path):
    """The document imported (bulk inserts: no history) and its first quote."""
    import_text(tmp_path, BODY)
    return Quote.objects.get(text__startswith="A first")


@pytest.fixture
def curator(db):
    return User.objects.create_user("curator", is_staff=True)


def edit_before_the_upgrade(quote, curator, **values):
    """A curator's save as the admin wrote it before this version: a baseline record of the quote as
    it was, then the save's change record by the curator; no value as imported kept."""
    ensure_quote_baseline(Quote.objects.filter(pk=quote.pk))
    quote = Quote.objects.get(pk=quote.pk)
    for name, value in values.items():
        setattr(quote, name, value)
    quote._history_user = curator
    quote.save()
    return quote


def as_imported(quote):
    quote.refresh_from_db()
    return {name: getattr(quote, column) for name, column in Quote.IMPORTED_FIELDS.items()}


NOTHING = dict.fromkeys(Quote.IMPORTED_FIELDS)


# --------------------------------------------------------------------------- quotes a curator added


def test_a_quote_added_by_a_curator_whose_account_was_since_deleted_is_marked(tmp_path, imported, curator):
    doc = Document.objects.get()
    added = Quote(source=doc.source, document=doc, text="A curator's own quote.", start_second=15)
    added._history_user = curator
    added.save()
    curator.delete()  # the creation record stays, its user NULL
    assert Quote.history.get(id=added.pk, history_type="+").history_user is None

    run_data_step()
    added.refresh_from_db()
    assert added.added_by_curator is True
    import_text(tmp_path, BODY.replace("A second statement", "A 2nd statement"))
    assert Quote.objects.filter(pk=added.pk).exists()


def test_a_quote_added_in_the_admin_is_marked(client_for, publisher, imported):  # noqa: F811
    data = {
        "source": imported.source_id,
        "document": imported.document_id,
        "text": "A curator's own quote.",
        "start_second": "75",
        "other_seconds": "[]",
        "position": "0",
    }
    assert client_for(publisher).post(reverse("admin:cases_quote_add"), data).status_code == 302
    added = Quote.objects.get(text="A curator's own quote.")
    Quote.objects.filter(pk=added.pk).update(added_by_curator=None)  # as before this version

    run_data_step()
    added.refresh_from_db()
    assert added.added_by_curator is True


def test_an_imported_quote_is_not_marked(imported, curator):
    edit_before_the_upgrade(imported, curator, text="A first statement, corrected.")
    run_data_step()
    assert set(Quote.objects.values_list("added_by_curator", flat=True)) == {None}


# --------------------------------------------------------------------------- curators' edits before this version


@pytest.mark.parametrize(
    ("name", "value", "documents"),
    [
        ("text", "A first statement, corrected.", "A first statement."),
        ("start_second", 12, 10),
        ("other_seconds", [30], []),
        ("heading_path", "Opening > Curated", "Opening"),
    ],
)
@pytest.mark.parametrize("account_deleted", [False, True])
def test_an_edit_before_the_upgrade_keeps_the_documents_value(
    imported, curator, name, value, documents, account_deleted
):
    assert getattr(imported, name) == documents
    edit_before_the_upgrade(imported, curator, **{name: value})
    if account_deleted:
        curator.delete()
    run_data_step()
    assert as_imported(imported) == {**NOTHING, name: documents}
    assert getattr(imported, name) == value


def test_an_edit_in_the_admin_before_the_upgrade_keeps_the_documents_value(
    client_for,  # noqa: F811
    publisher,  # noqa: F811
    imported,
):
    save_text(client_for(publisher), imported, "A first statement, corrected.", start_second="12")
    Quote.objects.filter(pk=imported.pk).update(imported_text=None, imported_start_second=None)  # as before
    run_data_step()
    assert as_imported(imported) == {**NOTHING, "text": "A first statement.", "start_second": 10}


def test_later_edits_keep_the_value_before_the_first(imported, curator):
    edited = edit_before_the_upgrade(imported, curator, text="A first statement, corrected.")
    edit_before_the_upgrade(edited, curator, text="A first statement, corrected twice.", start_second=11)
    run_data_step()
    assert as_imported(imported) == {**NOTHING, "text": "A first statement.", "start_second": 10}


def test_an_edit_the_curator_reverted_leaves_nothing(imported, curator):
    edited = edit_before_the_upgrade(imported, curator, text="A first statement, corrected.", heading_path="Other")
    edit_before_the_upgrade(edited, curator, text="A first statement.")
    run_data_step()
    assert as_imported(imported) == {**NOTHING, "heading_path": "Opening"}


def test_the_importers_records_are_no_curators_edits(imported):
    """A linked quote the importer moved (its record's reason names the re-import) after a baseline."""
    ensure_quote_baseline(Quote.objects.filter(pk=imported.pk))
    Quote.objects.filter(pk=imported.pk).update(text="A first statement, reworded.", start_second=11)
    quote = Quote.objects.get(pk=imported.pk)
    RECORDERS[Quote].record(quote, reason="Statement changed; links kept (re-import of a_webinar.md)")
    run_data_step()
    assert as_imported(imported) == NOTHING


def test_an_import_after_an_edit_gives_the_documents_value_again(imported, curator):
    """Before this version an import wrote the document's values over a curator's: an edit lost
    then is nothing to keep, and a later edit is measured from what that import wrote."""
    edited = edit_before_the_upgrade(imported, curator, text="A first statement, corrected.", start_second=12)
    Quote.objects.filter(pk=edited.pk).update(text="A first statement, reworded.", start_second=10)
    RECORDERS[Quote].record(
        Quote.objects.get(pk=edited.pk), reason="Statement changed; links kept (re-import of a_webinar.md)"
    )
    edit_before_the_upgrade(edited, curator, heading_path="Opening > Curated")
    run_data_step()
    assert as_imported(imported) == {**NOTHING, "heading_path": "Opening"}


def test_a_value_as_imported_already_kept_is_left_alone(imported, curator):
    edited = edit_before_the_upgrade(imported, curator, text="A first statement, corrected.")
    Quote.objects.filter(pk=edited.pk).update(imported_text="What the document said last.")
    run_data_step()
    assert as_imported(imported) == {**NOTHING, "text": "What the document said last."}


# --------------------------------------------------------------------------- then a re-import


def test_a_reimport_after_the_upgrade_keeps_the_curators_values(tmp_path, imported, curator):
    second = Quote.objects.get(text__startswith="A second")
    edit_before_the_upgrade(
        imported,
        curator,
        text="A first statement, corrected.",
        start_second=12,
        other_seconds=[50],
        heading_path="Opening > Curated",
    )
    edit_before_the_upgrade(second, curator, start_second=25)
    curator.delete()
    run_data_step()

    changed = BODY.replace("## Opening", "## Welcome").replace("00:00:40", "00:00:45")
    report = import_text(tmp_path, changed)
    imported.refresh_from_db()
    second.refresh_from_db()
    assert (imported.text, imported.start_second, imported.other_seconds, imported.heading_path) == (
        "A first statement, corrected.",
        12,
        [50],
        "Opening > Curated",
    )
    assert (imported.imported_text, imported.imported_start_second, imported.imported_heading_path) == (
        "A first statement.",
        10,
        "Welcome",
    )
    assert (second.start_second, second.imported_start_second, second.other_seconds) == (25, 20, [45])
    assert report.quotes_deleted == 0
