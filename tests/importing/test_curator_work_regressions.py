"""A re-import's treatment of curators' work on quotes: defects QA found in a second pass (each
failed before its fix), kept as regression tests."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from cases.importing.importer import import_paths
from cases.importing.review import refresh_sources
from cases.models import Quote
from tests.curation import client_for, publisher  # noqa: F401

pytestmark = pytest.mark.django_db


def anchor(value):
    return f'<a class="yt-timestamp" data-t="{value}">[{value}]</a>'


def document(body, video="qaQAqaQAqa1"):
    return f"---\ntitle: A webinar\nvideoId: {video}\n---\n\nFrom: [[somechannel]] <br/>\n\n{body}"


def import_text(folder, text):
    path = Path(folder) / "a_webinar.md"
    path.write_text(text, encoding="utf-8")
    return import_paths([str(path)])


def test_a_changed_heading_of_a_quote_whose_heading_path_a_curator_edited_is_reported(tmp_path):
    """When the document later changes a value a curator edited, the curator's value stays and the
    report names file, line, quote and both values: for the heading path too (it was kept, but the
    curator never learnt that the document's heading changed)."""
    body = f"## Opening\n\nA first statement {anchor('00:00:10')}.\n\nA second statement {anchor('00:00:20')}.\n"
    import_text(tmp_path, document(body))
    quote = Quote.objects.get(text__startswith="A first")
    quote.heading_path = "Opening > Curated"
    quote.note_curator_edit()
    quote.save()
    assert quote.imported_heading_path == "Opening"

    report = import_text(tmp_path, document(body.replace("## Opening", "## Welcome")))
    quote.refresh_from_db()
    assert (quote.heading_path, quote.imported_heading_path) == ("Opening > Curated", "Welcome")
    assert any(f"quote {quote.pk}" in line for line in report.edits), report.edits


def test_a_curators_time_far_past_the_videos_end_stays_under_review(tmp_path):
    """A start second a curator set is still under review past the video's end, and the video's end
    is estimated from the documents' seconds: a curator's typo of 20000 s on a video whose documents
    end near 2 min was the estimated end itself, so the quote was "exact"."""
    body = "".join(f"Statement number {n} {anchor(f'00:0{n}:00')}.\n\n" for n in range(1, 3))
    import_text(tmp_path, document(body))
    quote = Quote.objects.get(text__startswith="Statement number 1")
    source = quote.source
    source.refresh_from_db()
    assert source.estimated_duration_seconds == 120

    quote.start_second = 20000  # the admin's save: note the edit, then refresh the video
    quote.note_curator_edit()
    quote.save()
    refresh_sources({source.pk})
    quote.refresh_from_db()
    source.refresh_from_db()
    assert quote.imported_start_second == 60
    assert source.estimated_duration_seconds == 120
    assert quote.time_status == Quote.TimeStatus.UNDER_REVIEW, (quote.time_status, source.estimated_duration_seconds)


def edited_then_retimed(tmp_path):
    """A document imported, a curator's time set on its first statement, the document's own time of
    that statement changed: the text of the new version, and the edited quote."""
    body = f"A first statement {anchor('00:00:10')}.\n\nA second statement {anchor('00:00:20')}.\n"
    import_text(tmp_path, document(body))
    quote = Quote.objects.get(text__startswith="A first")
    quote.start_second = 12
    quote.note_curator_edit()
    quote.save()
    return document(body.replace("00:00:10", "00:00:11")), quote


def test_the_command_lists_curators_edits_kept_at_its_default_verbosity_apart_from_the_problems(tmp_path):
    """Found by QA: the lines were in the problems, which the command lists only at -v 2 and counts
    as "read imperfectly"; a curator must see them without asking, and nothing was misread."""
    text, quote = edited_then_retimed(tmp_path)
    path = Path(tmp_path) / "a_webinar.md"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_documents", str(path), stdout=out, stderr=err)
    line = (
        f"{path}:8: quote {quote.pk} keeps a curator's time 00:00:12; the document now says 00:00:11 (it said 00:00:10)"
    )
    assert f"  {line}\n" in out.getvalue()
    assert "kept as edited while their statement changed: 1." in out.getvalue()
    assert "read imperfectly" not in out.getvalue() and line not in err.getvalue()


def test_the_admin_import_page_lists_curators_edits_kept_under_their_own_heading(tmp_path, client_for, publisher):
    text, quote = edited_then_retimed(tmp_path)
    upload = SimpleUploadedFile("a_webinar.md", text.encode(), content_type="text/markdown")
    html = client_for(publisher).post(reverse("admin:cases_document_import"), {"files": upload}).content.decode()
    assert "Curators' edits kept while the document changed (1 quote)" in html
    section = html.split("Curators' edits kept while the document changed (1 quote)", 1)[1].split("</ul>", 1)[0]
    assert f"quote {quote.pk} keeps a curator&#x27;s time 00:00:12" in section
    assert "Read imperfectly" not in html
