"""The admin of imported evidence: the "Import documents" upload page, the review flag and the re-read actions."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.importing.importer import MAX_FILE_BYTES
from cases.models import Document, Quote, Source
from tests.curation import client_for, editor, make_curator, superuser  # noqa: F401
from tests.factories import CaseFactory, DocumentFactory, QuoteFactory, SourceFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:cases_document_changelist")
IMPORT = reverse("admin:cases_document_import")
VIDEO = "abcdefghijk"
SHIFTED = "".join(
    f'Point {n} <a class="yt-timestamp" data-t="{n * 7:02d}:{n:02d}:00">[{n * 7:02d}:{n:02d}:00]</a>.\n'
    for n in range(1, 6)
)


def document(body='A statement <a class="yt-timestamp" data-t="00:00:10">[00:00:10]</a>.\n', video=VIDEO):
    return f"---\ntitle: An uploaded webinar\nvideoId: {video}\n---\n\nFrom: [[channel]] <br/>\n\n{body}"


def upload(name, content):
    return SimpleUploadedFile(
        name, content.encode("utf-8") if isinstance(content, str) else content, content_type="text/markdown"
    )


@pytest.fixture
def importer(db):
    user = make_curator("importer")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="cases", codename__in=["view_document", "add_document", "change_document"]
        )
    )
    return user


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_document_changelist_links_to_the_import_page(client_for, importer):
    html = client_for(importer).get(CHANGELIST).content.decode()
    assert f'<a href="{IMPORT}">Import documents</a>' in html


def test_the_import_page_has_a_multiple_file_upload_form(client_for, importer):
    response = client_for(importer).get(IMPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and "multiple" in html and 'name="dry_run"' in html


def test_uploading_documents_imports_them_and_shows_the_report(client_for, importer):
    response = client_for(importer).post(
        IMPORT,
        {
            "files": [
                upload("good_webinar.md", document()),
                upload("broken.md", "---\ntitle: No video\n---\n\nText.\n"),
                upload("latin1.md", "---\ntitle: Caf\xe9\nvideoId: abcdefghijk\n---\n".encode("latin-1")),
                upload("notes.txt", "not markdown"),
            ]
        },
    )

    assert response.status_code == 200
    doc = Document.objects.get()
    assert (doc.slug, doc.title, doc.source.youtube_id) == ("good_webinar", "An uploaded webinar", VIDEO)
    assert Quote.objects.get().start_second == 10
    html = response.content.decode()
    assert "Import report" in html
    assert "broken.md:1: no videoId in front matter" in html
    assert "latin1.md:2: not UTF-8 text (byte 0xe9 cannot be decoded)" in html
    assert "notes.txt:0: not a markdown document (the name must end in .md)" in html
    messages = messages_of(response)
    assert any(message.startswith("Imported 1 document (1 new") for message in messages)
    assert "3 files could not be imported: see below." in messages


def test_a_check_only_upload_writes_nothing(client_for, importer):
    response = client_for(importer).post(IMPORT, {"files": [upload("a.md", document())], "dry_run": "on"})
    assert response.status_code == 200
    assert "nothing was written" in response.content.decode()
    assert not Document.objects.exists() and not Source.objects.exists()


def test_an_upload_over_the_size_limit_is_refused_with_a_clear_error(client_for, importer):
    big = document() + "x" * MAX_FILE_BYTES
    response = client_for(importer).post(IMPORT, {"files": [upload("big.md", big), upload("ok.md", document())]})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"big.md is {len(big.encode()):,} bytes: the limit is {MAX_FILE_BYTES:,} bytes per document." in html
    assert not Document.objects.exists()


def test_an_upload_without_files_asks_for_them(client_for, importer):
    response = client_for(importer).post(IMPORT, {})
    assert "Choose one or more markdown documents" in response.content.decode()


def test_an_empty_uploaded_file_is_reported(client_for, importer):
    response = client_for(importer).post(IMPORT, {"files": [upload("empty.md", "")]})
    assert "empty.md:1: empty file" in response.content.decode()


def test_importing_needs_the_permission_to_add_and_change_documents(client_for, editor):
    assert client_for(editor).get(IMPORT).status_code == 403
    assert client_for(editor).post(IMPORT, {"files": [upload("a.md", document())]}).status_code == 403
    assert IMPORT not in client_for(editor).get(CHANGELIST).content.decode()
    assert not Document.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login(client_for):
    response = client_for(None).get(IMPORT)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_the_changelist_filters_documents_needing_review(client_for, importer):
    flagged = DocumentFactory(needs_review=True)
    DocumentFactory(needs_review=False)
    response = client_for(importer).get(CHANGELIST, {"needs_review__exact": "1"})
    assert list(response.context["cl"].result_list) == [flagged]


def test_rereading_as_minutes_seconds_fixes_a_shifted_document_and_keeps_links(client_for, importer):
    client_for(importer).post(IMPORT, {"files": [upload("shifted.md", document(SHIFTED))]})
    doc = Document.objects.get()
    assert doc.needs_review
    quote = Quote.objects.get(position=5)
    case = CaseFactory()
    quote.cases.add(case)

    response = client_for(importer).post(
        CHANGELIST, {"action": "reread_as_minutes_seconds", "_selected_action": [doc.pk], "index": 0}, follow=True
    )

    assert "Re-read the timestamps of 1 document as minutes:seconds; quotes kept their links." in messages_of(response)
    doc.refresh_from_db()
    assert doc.timestamps_as_minutes and not doc.needs_review
    quote.refresh_from_db()
    assert quote.start_second == 35 * 60 + 5 and list(quote.cases.all()) == [case]
    client_for(importer).post(
        CHANGELIST, {"action": "reread_as_hours_minutes_seconds", "_selected_action": [doc.pk], "index": 0}
    )
    quote.refresh_from_db()
    doc.refresh_from_db()
    assert quote.start_second == 35 * 3600 + 5 * 60 and doc.needs_review and not doc.timestamps_as_minutes


def test_rereading_a_document_without_stored_text_reports_it(client_for, importer):
    doc = DocumentFactory(slug="hand_made")
    response = client_for(importer).post(
        CHANGELIST, {"action": "reread_as_minutes_seconds", "_selected_action": [doc.pk], "index": 0}, follow=True
    )
    assert "hand_made:0: the document has no stored text to read again" in messages_of(response)


def test_the_document_change_form_keeps_what_the_import_derived_read_only(client_for, importer):
    doc = DocumentFactory()
    form = client_for(importer).get(reverse("admin:cases_document_change", args=[doc.pk])).context["adminform"]
    assert {"slug", "body", "raw_text", "content_hash", "timestamps_as_minutes"} <= set(form.readonly_fields)


def test_source_and_topic_changelists_count_quotes_and_documents(client_for, superuser):
    source = SourceFactory(title="A counted webinar")
    QuoteFactory.create_batch(3, source=source)
    DocumentFactory(source=source)
    response = client_for(superuser).get(reverse("admin:cases_source_changelist"))
    row = next(s for s in response.context["cl"].result_list if s.pk == source.pk)
    assert (row.quote_total, row.document_total) == (3, 1)
    assert client_for(superuser).get(reverse("admin:cases_topic_changelist")).status_code == 200
