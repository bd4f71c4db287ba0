"""The re-link list (cases/admin/relinks.py): quotes a re-import cut loose, side by side with their
new wording, re-linked or dismissed with one POST under the project's review rules."""

from types import SimpleNamespace

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.claims import CHALLENGE, claims_of
from cases.curation.revisions import approve, send_back
from cases.importing.importer import import_paths
from cases.models import Case, Quote, QuoteRelink, Revision, StoryEvidence
from tests.curation import client_for, editor, make_curator, publisher  # noqa: F401
from tests.factories import CaseChallengeFactory, CaseFactory, ChallengeFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:cases_quoterelink_changelist")
HEALTH = reverse("admin:cases_case_health")
VIDEO = "W7ChKDv78EE"


def anchor(value):
    return f'<a class="yt-timestamp" data-t="{value}">[{value}]</a>'


def document(*paragraphs, video=VIDEO):
    return (
        f"---\ntitle: Anticorruption strategies\nvideoId: {video}\n---\n\nFrom: [[channel]] <br/>\n\n"
        + "\n\n".join(paragraphs)
        + "\n"
    )


CONTEXT = f"For four years the OECD worked with Slovak institutions to reinforce integrity {anchor('00:03:05')}."
REWRITTEN = f"The OECD and Slovak institutions spent four years reinforcing integrity {anchor('00:03:50')}."
OTHER = f"Civil servants were trained to spot corruption risks {anchor('00:04:15')}."


def cut_loose(tmp_path, status=Case.Status.PUBLISHED, title="Slovak integrity project", video=VIDEO):
    """A case (of `status`) whose challenge claim the context statement backs, then a re-import
    rewording that statement beyond a safe match: its quote is cut loose, its new version a candidate."""
    path = tmp_path / f"anticorruption_{video}.md"
    path.write_text(document(CONTEXT, OTHER, video=video), encoding="utf-8")
    import_paths([path])
    case = CaseFactory(title=title, status=status, countries=["SK"])
    challenge = ChallengeFactory(name=f"Corruption risk{'' if video == VIDEO else ' ' + video}")
    CaseChallengeFactory(case=case, challenge=challenge)
    old = Quote.objects.get(start_second=185, source__youtube_id=video)
    old.cases.add(case)
    old.challenges.add(challenge)
    path.write_text(document(REWRITTEN, OTHER, video=video), encoding="utf-8")
    report = import_paths([path])
    new = Quote.objects.get(start_second=230, source__youtube_id=video)
    record = QuoteRelink.objects.get(quote=old)
    return SimpleNamespace(case=case, challenge=challenge, old=old, new=new, record=record, report=report)


def relink_url(record):
    return reverse("admin:cases_quoterelink_relink", args=[record.pk])


def dismiss_url(record):
    return reverse("admin:cases_quoterelink_dismiss", args=[record.pk])


def test_the_list_shows_the_case_the_claim_and_both_wordings(tmp_path, client_for, editor):
    found = cut_loose(tmp_path)
    response = client_for(editor).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Slovak integrity project" in html and "Challenge: Corruption risk" in html
    # Side by side, the words only one wording has marked.
    assert (
        "<del>For</del> four years <del>the OECD worked with Slovak institutions to reinforce</del> integrity." in html
    )
    assert "<ins>The OECD and Slovak institutions spent</ins> four years <ins>reinforcing</ins> integrity." in html
    assert f'name="quote" value="{found.new.pk}"' in html and "csrfmiddlewaretoken" in html


def test_relink_list_number_of_queries(tmp_path, client_for, editor, django_assert_max_num_queries):
    for n in range(4):
        cut_loose(tmp_path, title=f"Case {n}", video=f"video{n:06d}")
    client = client_for(editor)
    client.get(LIST)  # sessions, content types
    with django_assert_max_num_queries(14):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 4 and all(
        row["options"] and row["links"].cases for row in response.context["rows"]
    )


def test_a_publishers_relink_applies_and_is_recorded(tmp_path, client_for, publisher):
    found = cut_loose(tmp_path)
    response = client_for(publisher).post(relink_url(found.record), {"quote": found.new.pk})

    assert response.status_code == 302 and response["Location"].startswith(LIST)
    assert list(found.new.cases.all()) == [found.case] and list(found.new.challenges.all()) == [found.challenge]
    assert not found.old.cases.exists() and not found.old.challenges.exists()
    claims = claims_of(Case.objects.filter(pk=found.case.pk))[found.case.pk]
    assert next(c.evidence for c in claims if c.key == (CHALLENGE, found.challenge.pk)) == [found.new.pk]
    record = QuoteRelink.objects.get()
    assert (record.status, record.relinked_to_id, record.resolved_by) == ("relinked", found.new.pk, publisher)
    assert "Re-linked from quote" in Case.history.filter(id=found.case.pk).latest("history_date").history_change_reason
    assert LogEntry.objects.filter(object_id=str(found.case.pk), change_message__contains="re-linked").exists()
    assert not Revision.objects.exists()


def test_an_editors_relink_on_a_published_case_waits_for_a_publisher(tmp_path, client_for, editor, publisher):
    found = cut_loose(tmp_path)
    client_for(editor).post(relink_url(found.record), {"quote": found.new.pk})

    revision = Revision.objects.get()
    assert (revision.case_id, revision.status, revision.author) == (found.case.pk, "pending", editor)
    assert list(found.old.cases.all()) == [found.case] and not found.new.cases.exists()  # public page unchanged
    record = QuoteRelink.objects.get()
    assert (record.status, record.revision_id) == ("pending", revision.pk)
    assert not QuoteRelink.objects.to_relink().exists() and list(QuoteRelink.objects.awaiting_review()) == [record]
    waiting = client_for(editor).get(LIST, {"show": "review"})
    assert [row["record"] for row in waiting.context["rows"]] == [record] and not waiting.context["rows"][0][
        "answerable"
    ]
    again = client_for(editor).post(relink_url(found.record), {"quote": found.new.pk}, follow=True)
    assert "waits for a Publisher" in again.content.decode() and Revision.objects.count() == 1

    approve(revision, user=publisher)
    assert list(found.new.cases.all()) == [found.case] and not found.old.cases.exists()
    assert list(found.new.challenges.all()) == [found.challenge]
    assert not QuoteRelink.objects.to_relink().exists()


def test_an_editors_relink_on_a_draft_applies(tmp_path, client_for, editor):
    found = cut_loose(tmp_path, status=Case.Status.DRAFT)
    client_for(editor).post(relink_url(found.record), {"quote": found.new.pk})
    assert not Revision.objects.exists()
    assert list(found.new.cases.all()) == [found.case] and list(found.new.challenges.all()) == [found.challenge]
    assert QuoteRelink.objects.get().status == "relinked"


def test_dismissing_keeps_the_old_wording_as_evidence(tmp_path, client_for, editor):
    found = cut_loose(tmp_path)
    client_for(editor).post(dismiss_url(found.record))
    record = QuoteRelink.objects.get()
    assert (record.status, record.resolved_by) == ("dismissed", editor)
    assert list(found.old.cases.all()) == [found.case]
    assert client_for(editor).post(dismiss_url(found.record)).status_code == 302  # again: a message, no change
    assert QuoteRelink.objects.get().status == "dismissed"


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999999999999", "0"])
def test_a_bad_quote_number_changes_nothing(tmp_path, client_for, publisher, value):
    found = cut_loose(tmp_path)
    response = client_for(publisher).post(relink_url(found.record), {"quote": value}, follow=True)
    assert response.status_code == 200 and "Not done" in response.content.decode()
    assert QuoteRelink.objects.get().status == "pending" and list(found.old.cases.all()) == [found.case]


def test_a_quote_of_another_video_is_refused(tmp_path, client_for, publisher):
    from tests.factories import QuoteFactory

    found = cut_loose(tmp_path)
    elsewhere = QuoteFactory()
    response = client_for(publisher).post(relink_url(found.record), {"quote": elsewhere.pk}, follow=True)
    assert "same video" in response.content.decode()
    assert not elsewhere.cases.exists() and QuoteRelink.objects.get().status == "pending"


def test_answers_need_post_csrf_and_permission(tmp_path, client_for, editor):
    found = cut_loose(tmp_path)
    assert client_for(editor).get(relink_url(found.record)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(relink_url(found.record), {"quote": found.new.pk}).status_code == 403
    reader = make_curator("reader")
    reader.user_permissions.add(*Permission.objects.filter(codename__in=["view_quote", "view_case"]))
    assert client_for(reader).get(LIST).status_code == 200
    assert client_for(reader).post(relink_url(found.record), {"quote": found.new.pk}).status_code == 403
    assert client_for(reader).post(dismiss_url(found.record)).status_code == 403
    assert client_for(None).post(dismiss_url(found.record)).status_code == 302  # to the login page
    assert QuoteRelink.objects.get().status == "pending"


def test_an_unknown_view_of_the_list_is_a_400(client_for, editor):
    assert client_for(editor).get(LIST, {"show": "everything"}).status_code == 400
    assert client_for(editor).get(LIST, {"page": "x"}).status_code == 400


def test_health_counts_quotes_cut_loose_and_to_relink_with_links_to_the_list(tmp_path, client_for, editor):
    found = cut_loose(tmp_path)
    client = client_for(editor)
    html = client.get(HEALTH).content.decode()
    for label, show in (
        ("Quotes cut loose from their document by a re-import", "cut_loose"),
        ("Quotes a curator must re-link", "to_relink"),
    ):
        assert f'<th scope="row">{label}</th>' in html
        row = html.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]
        assert f"?show={show}" in row and ">1</a>" in row
        assert len(client.get(f"{LIST}?show={show}").context["rows"]) == 1
    client.post(dismiss_url(found.record))
    html = client.get(HEALTH).content.decode()
    row = html.split("Quotes a curator must re-link</th>", 1)[1].split("</tr>", 1)[0]
    assert ">0</a>" in row
    row = html.split("Quotes cut loose from their document by a re-import</th>", 1)[1].split("</tr>", 1)[0]
    assert ">1</a>" in row


def test_the_import_page_names_the_cases_of_quotes_cut_loose(tmp_path, client_for, publisher):
    importer = reverse("admin:cases_document_import")
    client = client_for(publisher)

    def upload(text):
        return client.post(
            importer, {"files": SimpleUploadedFile("anticorruption.md", text.encode(), content_type="text/markdown")}
        )

    upload(document(CONTEXT, OTHER))
    case = CaseFactory(title="Slovak integrity project")
    Quote.objects.get(start_second=185).cases.add(case)
    html = upload(document(OTHER)).content.decode()
    assert "Slovak integrity project" in html and "was cut loose" in html and "re-link it" in html
    assert "1 cut loose to re-link" in html


def story_cut_loose(tmp_path):
    """As cut_loose, the old quote also the evidence of the case's results section and of another
    case's results section that does not link the quote itself."""
    path = tmp_path / "anticorruption_story.md"
    path.write_text(document(CONTEXT, OTHER), encoding="utf-8")
    import_paths([path])
    case = CaseFactory(title="Slovak integrity project", status=Case.Status.PUBLISHED, countries=["SK"])
    other = CaseFactory(title="Another project", status=Case.Status.PUBLISHED, countries=["SK"])
    old = Quote.objects.get(start_second=185, source__youtube_id=VIDEO)
    old.cases.add(case)
    rows = [StoryEvidence.objects.create(case=each, section="results") for each in (case, other)]
    for row in rows:
        row.quotes.add(old)
    path.write_text(document(REWRITTEN, OTHER), encoding="utf-8")
    report = import_paths([path])
    new = Quote.objects.get(start_second=230, source__youtube_id=VIDEO)
    return SimpleNamespace(case=case, other=other, rows=rows, old=old, new=new, report=report)


def test_a_relink_moves_story_section_evidence_too(tmp_path, client_for, publisher):
    found = story_cut_loose(tmp_path)
    record = QuoteRelink.objects.get(quote=found.old)
    named = {case["title"]: case["claims"] for entry in found.report.relinks for case in entry["cases"]}
    assert named == {
        "Slovak integrity project": ["Story: Results and impact"],
        "Another project": ["Story: Results and impact"],
    }

    client_for(publisher).post(relink_url(record), {"quote": found.new.pk})

    for row in found.rows:
        assert list(row.quotes.values_list("pk", flat=True)) == [found.new.pk]
    assert list(found.new.cases.all()) == [found.case]  # the other case's summary gains nothing
    assert QuoteRelink.objects.get().status == "relinked"


def test_an_editors_story_relink_on_a_published_case_waits_then_applies(tmp_path, client_for, editor, publisher):
    found = story_cut_loose(tmp_path)
    record = QuoteRelink.objects.get(quote=found.old)

    client_for(editor).post(relink_url(record), {"quote": found.new.pk})

    for row in found.rows:  # the public pages are unchanged until a Publisher approves
        assert list(row.quotes.values_list("pk", flat=True)) == [found.old.pk]
    revisions = list(Revision.objects.filter(status=Revision.Status.PENDING))
    assert {revision.case_id for revision in revisions} == {found.case.pk, found.other.pk}
    for revision in revisions:
        approve(revision, user=publisher)
    for row in found.rows:
        assert list(row.quotes.values_list("pk", flat=True)) == [found.new.pk]


def test_a_relink_approved_for_one_case_and_sent_back_for_another_stays_to_do(tmp_path, client_for, editor, publisher):
    """An Editor's re-link touching two published cases is two revisions; the list must not call
    the task done while the second case still shows the cut-loose quote."""
    found = story_cut_loose(tmp_path)
    record = QuoteRelink.objects.get(quote=found.old)
    client_for(editor).post(relink_url(record), {"quote": found.new.pk})
    record.refresh_from_db()
    other = Revision.objects.exclude(pk=record.revision_id).get()

    again = client_for(editor).post(relink_url(record), {"quote": found.new.pk}, follow=True)
    approve(record.revision, user=publisher)
    assert "waits for a Publisher" in again.content.decode() and Revision.objects.count() == 2
    assert not QuoteRelink.objects.to_relink().exists()  # the other case's re-link still waits
    assert list(QuoteRelink.objects.awaiting_review()) == [record]
    assert record not in [row["record"] for row in client_for(editor).get(LIST, {"show": "done"}).context["rows"]]
    refused = client_for(editor).post(relink_url(record), {"quote": found.new.pk}, follow=True)
    assert "waits for a Publisher" in refused.content.decode() and Revision.objects.count() == 2

    send_back(other, user=publisher, comment="Not this wording")
    assert list(QuoteRelink.objects.to_relink()) == [record]
    done = client_for(editor).get(LIST, {"show": "done"})
    assert record not in [row["record"] for row in done.context["rows"]]


def test_another_quote_cut_loose_is_not_a_new_wording(tmp_path, client_for, publisher):
    found = cut_loose(tmp_path)
    other = Quote.objects.get(start_second=255, source__youtube_id=VIDEO)
    Quote.objects.filter(pk=other.pk).update(document=None)
    QuoteRelink.objects.create(quote=other, reason="its statement is no longer in the document")

    response = client_for(publisher).post(relink_url(found.record), {"quote": other.pk}, follow=True)

    assert "was cut loose by a re-import too" in response.content.decode()
    assert list(found.old.cases.all()) == [found.case] and not other.cases.exists()
    assert QuoteRelink.objects.get(pk=found.record.pk).status == "pending"
