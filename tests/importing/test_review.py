"""cases/importing/review.py and the importer around it: estimates, flags and time statuses kept current
by import, re-reading, curators' confirmations and durations; data-t/text corrections on import."""

from pathlib import Path

import pytest
from django.urls import reverse

from cases.importing import importer
from cases.importing.importer import import_paths, reread_document
from cases.importing.parser import parse_document
from cases.importing.review import confirm_document_times, refresh_sources
from cases.models import Document, Quote, Source
from tests.curation import client_for, superuser  # noqa: F401
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

VIDEO = "abcdefghijk"
Status = Quote.TimeStatus


def anchor(value, text=None):
    return f'<a class="yt-timestamp" data-t="{value}">[{text or value}]</a>'


def document(values, *, video=VIDEO, title="A webinar"):
    body = "".join(f"Point number {n} {anchor(value)}.\n\n" for n, value in enumerate(values, start=1))
    return f"---\ntitle: {title}\nvideoId: {video}\n---\n\nFrom: [[somechannel]] <br/>\n\n{body}"


def write(folder, name, text):
    path = Path(folder) / name
    path.write_text(text, encoding="utf-8")
    return path


CORRECT = ["00:00:12", "00:05:41", "00:17:03", "00:31:29", "00:44:50", "00:58:17"]
CORRECT_TOO = ["00:01:02", "00:09:33", "00:26:48", "00:39:14", "00:52:06", "00:59:31"]
STRETCHED = ["03:41:09", "03:51:21", "04:40:50", "05:54:56"]  # past the end, no repeated last field
SHIFTED = ["00:12:00", "05:41:00", "17:03:00", "31:29:00", "44:50:00", "58:17:00"]


def statuses(slug):
    return list(Quote.objects.filter(document__slug=slug).order_by("position").values_list("time_status", flat=True))


def test_import_estimates_the_video_and_flags_only_the_document_past_its_end(tmp_path):
    report = import_paths(
        [
            write(tmp_path, "a.md", document(CORRECT)),
            write(tmp_path, "b.md", document(CORRECT_TOO)),
            write(tmp_path, "c.md", document(STRETCHED)),
        ]
    )
    source = Source.objects.get()
    assert source.estimated_duration_seconds == 59 * 60 + 31 and source.duration_seconds is None
    flagged = {d.slug: d.review_reason for d in Document.objects.filter(needs_review=True)}
    assert flagged == {"c": "4 of 4 timestamps fall after the video's estimated end (00:59:31), up to 05:54:56"}
    assert report.flagged == 1
    assert any(problem.startswith(f"{tmp_path / 'c.md'}:0: flagged for review: 4 of 4") for problem in report.problems)
    assert statuses("a") == statuses("b") == [Status.EXACT] * 6
    assert statuses("c") == [Status.UNDER_REVIEW] * 4
    assert Quote.objects.past_end().count() == 4


def test_a_shifted_document_alone_is_flagged_and_its_video_estimated_as_minutes_seconds(tmp_path):
    import_paths([write(tmp_path, "s.md", document(SHIFTED))])
    doc = Document.objects.get()
    assert doc.needs_review and "shifted one field left (minutes:seconds:00)" in doc.review_reason
    assert Source.objects.get().estimated_duration_seconds == 58 * 60 + 17
    assert set(statuses("s")) == {Status.UNDER_REVIEW}


def test_confirming_clears_the_flag_and_it_stays_cleared_on_reimport(tmp_path):
    path = write(tmp_path, "s.md", document(SHIFTED))
    import_paths([path])
    confirm_document_times(Document.objects.all())
    doc = Document.objects.get()
    assert (doc.needs_review, doc.review_reason) == (False, "") and doc.times_confirmed_at
    # Confirmed as written: the video runs that long, and every quote is exact.
    assert Source.objects.get().estimated_duration_seconds == 58 * 3600 + 17 * 60
    assert set(statuses("s")) == {Status.EXACT}

    again = import_paths([path])
    assert again.unchanged == 1 and again.flagged == 0
    forced = import_paths([path], force=True)
    assert forced.flagged == 0 and not Document.objects.get().needs_review

    # A changed file is checked again: the confirmation was about the old times.
    import_paths([write(tmp_path, "s.md", document(SHIFTED + ["59:01:00"]))])
    doc = Document.objects.get()
    assert doc.needs_review and doc.times_confirmed_at is None


def test_rereading_as_minutes_seconds_resolves_and_as_written_undoes_it(tmp_path):
    import_paths([write(tmp_path, "s.md", document(SHIFTED))])
    quote = Quote.objects.get(position=6)
    case = CaseFactory()
    quote.cases.add(case)

    reread_document(Document.objects.get(), minutes_seconds=True)
    quote.refresh_from_db()
    assert (quote.start_second, quote.time_status) == (58 * 60 + 17, Status.EXACT)
    assert list(quote.cases.all()) == [case]
    assert not Document.objects.get().needs_review

    reread_document(Document.objects.get(), minutes_seconds=False)
    assert Document.objects.get().needs_review
    assert set(statuses("s")) == {Status.UNDER_REVIEW}


def test_a_curators_duration_replaces_the_estimate(tmp_path):
    import_paths([write(tmp_path, "a.md", document(CORRECT))])
    source = Source.objects.get()
    source.duration_seconds = 30 * 60
    source.save()
    refresh_sources([source.pk])
    doc = Document.objects.get()
    assert doc.review_reason == "3 of 6 timestamps fall after the video's end (00:30:00), up to 00:58:17"
    assert set(statuses("a")) == {Status.UNDER_REVIEW}
    # Confirmed: the document is no longer flagged, but seconds past the curator's end stay under review.
    confirm_document_times(Document.objects.all())
    assert statuses("a") == [Status.EXACT] * 3 + [Status.UNDER_REVIEW] * 3


def test_reimporting_unchanged_files_writes_nothing(tmp_path, django_assert_max_num_queries):
    paths = [write(tmp_path, "a.md", document(CORRECT)), write(tmp_path, "c.md", document(STRETCHED))]
    import_paths(paths)
    before = list(Quote.objects.order_by("pk").values_list("pk", "start_second", "time_status", "updated_at"))
    report = import_paths(paths)
    assert report.unchanged == 2 and report.flagged == 1
    assert list(Quote.objects.order_by("pk").values_list("pk", "start_second", "time_status", "updated_at")) == before


# --------------------------------------------------------------------------- data-t and text disagree


@pytest.fixture
def parser_with_alternatives(monkeypatch):
    """The parser as the parser helper extends it: Statement.alternatives maps a second read from
    data-t to the second the anchor's own text names (set here from the anchors' texts)."""
    import re

    def parse(text, **kwargs):
        parsed = parse_document(text, **kwargs)
        pairs = re.findall(r'data-t="([^"]+)">\[([^\]]+)\]', text)
        for statement, (value, shown) in zip(parsed.statements, pairs):
            written = importer_seconds(value)
            named = importer_seconds(shown)
            statement.alternatives = {written: named} if written != named else {}
        return parsed

    def importer_seconds(value):
        hours, minutes, seconds = (int(part) for part in value.split(":"))
        return hours * 3600 + minutes * 60 + seconds

    monkeypatch.setattr(importer, "parse_document", parse)


def test_the_text_is_stored_when_only_it_is_plausible_and_the_correction_shown(
    tmp_path, client, parser_with_alternatives
):
    body = "".join(f"Point {n} {anchor(v)}.\n\n" for n, v in enumerate(CORRECT, start=1))
    body += f"The disputed point {anchor('25:06:00', '00:25:06')}.\n\n"
    text = f"---\ntitle: A webinar\nvideoId: {VIDEO}\n---\n\n{body}"
    report = import_paths([write(tmp_path, "d.md", text)])
    quote = Quote.objects.get(text="The disputed point.")
    assert (quote.start_second, quote.corrected_from_seconds, quote.time_status) == (
        25 * 60 + 6,
        25 * 3600 + 6 * 60,
        Status.CORRECTED,
    )
    assert report.corrected == 1
    assert any(
        "timestamp 25:06:00 is past the video's end (00:58:17) and its text names 00:25:06: corrected to 00:25:06"
        in problem
        for problem in report.problems
    )
    assert not Document.objects.get().needs_review
    # Shown in words on the quote page, in its citation and in the document's body.
    html = client.get(quote.get_absolute_url()).content.decode()
    assert "(time corrected on import from 25:06:00)" in html
    body_html = client.get(reverse("cases:document-detail", kwargs={"slug": "d"})).content.decode()
    assert "t=1506s" in body_html and "t=90360s" not in body_html
    assert "(time corrected on import from 25:06:00)" in body_html


def test_both_plausible_keeps_data_t_without_a_correction(tmp_path, parser_with_alternatives):
    body = "".join(f"Point {n} {anchor(v)}.\n\n" for n, v in enumerate(CORRECT, start=1))
    body += f"The disputed point {anchor('00:25:06', '00:26:05')}.\n\n"
    import_paths([write(tmp_path, "d.md", f"---\ntitle: A webinar\nvideoId: {VIDEO}\n---\n\n{body}")])
    quote = Quote.objects.get(text="The disputed point.")
    assert (quote.start_second, quote.corrected_from_seconds, quote.time_status) == (25 * 60 + 6, None, Status.EXACT)


# --------------------------------------------------------------------------- admin


def test_admin_confirm_action_and_duration_re_evaluate_quotes(tmp_path, client_for, superuser):
    import_paths([write(tmp_path, "s.md", document(SHIFTED))])
    client = client_for(superuser)
    doc = Document.objects.get()
    response = client.post(
        reverse("admin:cases_document_changelist"), {"action": "confirm_times", "_selected_action": [doc.pk]}
    )
    assert response.status_code == 302
    assert set(statuses("s")) == {Status.EXACT}
    source = Source.objects.get()
    change = reverse("admin:cases_source_change", args=[source.pk])
    form = client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(duration_seconds=30 * 60, kind="video")
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert Source.objects.get().duration_seconds == 1800
    # Confirmed document: not flagged, but quotes past the curator's end are under review.
    assert Quote.objects.under_review().count() == Quote.objects.past_end().count() == 5


def test_admin_lists_filter_by_length_and_time(client_for, superuser):
    checked = Source.objects.create(
        kind="video", title="Checked", slug="aaaaaaaaaaa", youtube_id="aaaaaaaaaaa", duration_seconds=600
    )
    estimated = Source.objects.create(
        kind="video", title="Estimated", slug="bbbbbbbbbbb", youtube_id="bbbbbbbbbbb", estimated_duration_seconds=600
    )
    late = Quote.objects.create(source=checked, text="Late.", start_second=700)
    Quote.objects.create(source=estimated, text="In time.", start_second=500)
    client = client_for(superuser)

    def shown(model, **params):
        response = client.get(reverse(f"admin:cases_{model}_changelist"), params)
        assert response.status_code == 200
        return list(response.context["cl"].result_list)

    assert shown("source", length="set") == [checked]
    assert shown("source", length="estimated") == [estimated]
    assert shown("quote", past_end="yes") == [late]
    assert late not in shown("quote", past_end="no")


def test_quotes_without_a_document_count_for_the_estimate_only_when_no_document_does(tmp_path):
    """A quote kept without a document (a fixture's, or one an import cut loose because curators
    linked or edited it) is no summary of the video: one at 0:21 beside a document of a whole
    hour made the lower median of the two "documents" 21 s, flagged the document and put all its
    quotes under review (found by QA)."""
    import_paths([write(tmp_path, "a.md", document(CORRECT))])
    source = Source.objects.get()
    early = Quote.objects.create(source=source, text="Kept without its document", start_second=21)
    refresh_sources([source.pk])
    source.refresh_from_db()
    assert source.estimated_duration_seconds == 58 * 60 + 17
    assert not Document.objects.get().needs_review
    assert statuses("a") == [Status.EXACT] * 6

    Quote.objects.exclude(pk=early.pk).delete()
    Document.objects.all().delete()  # only the quote without a document is left
    refresh_sources([source.pk])
    source.refresh_from_db()
    assert source.estimated_duration_seconds == 21
    assert Quote.objects.get() == early


def test_a_curators_correction_of_a_time_corrected_on_import_is_exact_after_a_reimport(
    tmp_path, parser_with_alternatives
):
    """The importer corrected the document's 25:06:00 to 00:25:06; a curator then set 00:25:20. A re-import
    of a changed version keeps the curator's time and does not call it "corrected on import" again: the
    correction was made to the document's value (still recorded beside it), not to the curator's."""
    body = "".join(f"Point {n} {anchor(v)}.\n\n" for n, v in enumerate(CORRECT, start=1))
    body += f"The disputed point {anchor('25:06:00', '00:25:06')}.\n\n"
    text = f"---\ntitle: A webinar\nvideoId: {VIDEO}\n---\n\n{body}"
    path = write(tmp_path, "d.md", text)
    import_paths([path])
    quote = Quote.objects.get(text="The disputed point.")
    quote.start_second = 25 * 60 + 20
    quote.note_curator_edit()
    quote.save()
    refresh_sources([quote.source_id])

    import_paths([write(tmp_path, "d.md", text + "A new point.\n")])

    quote.refresh_from_db()
    assert (quote.start_second, quote.imported_start_second) == (25 * 60 + 20, 25 * 60 + 6)
    assert (quote.corrected_from_seconds, quote.time_status) == (25 * 3600 + 6 * 60, Status.EXACT)
