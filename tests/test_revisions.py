"""Reviewed changes: every admin route by which an Editor changes a published case ends in a pending
revision (the public page unchanged) or a refusal; a Publisher approves exactly the diff or sends it
back with a reason the Editor sees."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from cases.curation.revisions import approve, send_back
from cases.curation.states import case_state
from cases.models import Case, CaseChallenge, Participation, Quote, Revision
from cases.tracking import RECORDERS
from tests.curation import change_url, client_for, editor, form_data, publisher  # noqa: F401
from tests.factories import (
    CaseChallengeFactory,
    CaseFactory,
    ParticipationFactory,
    QuoteFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def published_case(**kwargs):
    case = CaseFactory(countries=["CA"], themes=[ThemeFactory()], **kwargs)
    QuoteFactory(cases=[case], text="The first statement.")
    QuoteFactory(cases=[case], text="The second statement.")
    return case


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def only_revision(case):
    [revision] = Revision.objects.filter(case=case)
    assert revision.status == Revision.Status.PENDING
    return revision


def edit_case(client, case, **changes):
    data = form_data(client.get(change_url(case)))
    data.update(changes)
    response = client.post(change_url(case), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    return response


def test_editor_change_form_on_a_published_case_is_a_pending_revision(client_for, editor, client):
    case = published_case(title="Published title")
    before = case_state(case.pk)
    response = edit_case(client_for(editor), case, title="Edited title")
    assert Case.objects.get(pk=case.pk).title == "Published title"
    assert case_state(case.pk) == before
    revision = only_revision(case)
    assert revision.author == editor
    assert revision.proposed["fields"]["title"] == "Edited title"
    assert any("waits for a Publisher" in m for m in messages_of(response))
    assert not any("was changed successfully" in m for m in messages_of(response))
    client.logout()
    assert b"Published title" in client.get(case.get_absolute_url()).content


def test_editor_inline_note_change_is_a_revision(client_for, editor):
    case = published_case()
    link = CaseChallengeFactory(case=case, note="Old note.")
    client = client_for(editor)
    data = form_data(client.get(change_url(case)))
    key = next(k for k, v in data.items() if v == "Old note.")
    edit_case(client, case, **{key: "New note."})
    assert CaseChallenge.objects.get(pk=link.pk).note == "Old note."
    revision = only_revision(case)
    assert revision.proposed["challenges"] == {str(link.challenge_id): "New note."}


def test_publisher_approves_exactly_the_diff(client_for, editor, publisher):
    case = published_case(title="Old", summary="Old summary.")
    edit_case(client_for(editor), case, title="New")
    revision = only_revision(case)
    # Meanwhile a Publisher changes the summary directly: approving the title keeps it.
    Case.objects.filter(pk=case.pk).update(summary="Summary changed since.")
    response = client_for(publisher).post(reverse("admin:cases_revision_change", args=[revision.pk]), {"approve": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.title, case.summary) == ("New", "Summary changed since.")
    revision.refresh_from_db()
    assert revision.status == Revision.Status.APPROVED and revision.reviewed_by == publisher
    latest = Case.history.filter(id=case.pk).latest("history_date")
    assert latest.title == "New" and "Approved change" in latest.history_change_reason


def test_approving_refuses_a_field_changed_since_to_a_third_value(editor, publisher, client_for):
    case = published_case(title="Old")
    edit_case(client_for(editor), case, title="New")
    Case.objects.filter(pk=case.pk).update(title="Third")
    with pytest.raises(Exception, match="title"):
        approve(only_revision(case), user=publisher)
    assert Case.objects.get(pk=case.pk).title == "Third"


def test_editor_cannot_approve(client_for, editor):
    case = published_case(title="Old")
    edit_case(client_for(editor), case, title="New")
    revision = only_revision(case)
    response = client_for(editor).post(reverse("admin:cases_revision_change", args=[revision.pk]), {"approve": "1"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).title == "Old"


def test_sending_back_needs_a_reason_the_editor_then_sees(client_for, editor, publisher):
    case = published_case(title="Old")
    edit_case(client_for(editor), case, title="New")
    revision = only_revision(case)
    url = reverse("admin:cases_revision_change", args=[revision.pk])
    response = client_for(publisher).post(url, {"send_back": "1", "comment": "  "})
    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    assert Revision.objects.get(pk=revision.pk).status == Revision.Status.PENDING
    client_for(publisher).post(url, {"send_back": "1", "comment": "Cite the source of the new title."})
    revision.refresh_from_db()
    assert revision.status == Revision.Status.SENT_BACK
    page = client_for(editor).get(change_url(case)).content.decode()
    assert "Cite the source of the new title." in page
    with pytest.raises(ValidationError):
        send_back(revision, user=editor, comment="x")


def test_editor_change_to_a_draft_is_saved_directly(client_for, editor):
    case = published_case(title="Draft title", status=Case.Status.DRAFT)
    edit_case(client_for(editor), case, title="Edited")
    assert Case.objects.get(pk=case.pk).title == "Edited"
    assert not Revision.objects.exists()


def test_publisher_change_is_direct(client_for, publisher):
    case = published_case(title="Old")
    edit_case(client_for(publisher), case, title="New")
    assert Case.objects.get(pk=case.pk).title == "New"
    assert not Revision.objects.exists()


def quote_form(client, quote):
    response = client.get(reverse("admin:cases_quote_change", args=[quote.pk]))
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    return {k: v for k, v in data.items() if v is not None}


def test_editor_quote_text_and_time_from_its_page_are_reviewed(client_for, editor, publisher, client):
    case = published_case()
    quote = case.quotes.get(text="The first statement.")
    editor_client = client_for(editor)
    data = quote_form(editor_client, quote)
    data.update(text="A rewritten statement.", start_second=999, heading_path="Kept directly")
    response = editor_client.post(reverse("admin:cases_quote_change", args=[quote.pk]), data)
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.text == "The first statement." and quote.start_second != 999
    assert quote.heading_path == "Kept directly"  # not shown on case pages: saved directly
    revision = only_revision(case)
    approve(revision, user=publisher)
    quote.refresh_from_db()
    assert (quote.text, quote.start_second) == ("A rewritten statement.", 999)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("start_second", 2**31),
        ("start_second", 2**64),
        ("start_second", -1),
        ("start_second", "12"),
        ("other_seconds", [60, 2**40]),
        ("text", ""),
        ("text", "   "),
        ("text", 123),
        ("text", "a\x00b"),
    ],
)
def test_approving_a_quote_change_past_the_form_bounds_is_refused(client_for, editor, publisher, field, value):
    """A change stored before the bounds (or by SQLite, whose column takes more) is refused with a
    message when approved, nothing applied, not a DataError (a 500 on PostgreSQL)."""
    case = published_case()
    quote = case.quotes.get(text="The first statement.")
    editor_client = client_for(editor)
    data = quote_form(editor_client, quote)
    data.update(text="A rewritten statement.")
    assert editor_client.post(reverse("admin:cases_quote_change", args=[quote.pk]), data).status_code == 302
    revision = only_revision(case)
    if isinstance(value, str) and "\x00" in value and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL's jsonb holds no NUL: no such change can be stored there")
    revision.proposed["quotes"][str(quote.pk)][field] = value
    revision.save()
    response = client_for(publisher).post(reverse("admin:cases_revision_change", args=[revision.pk]), {"approve": "1"})
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith(f"Not done: Quote {quote.pk}: ")
    revision.refresh_from_db()
    assert revision.status == Revision.Status.PENDING
    quote.refresh_from_db()
    assert quote.text == "The first statement." and 0 <= quote.start_second < 2**31


def test_editor_unlinking_a_published_case_from_the_quote_page_is_reviewed(client_for, editor):
    case = published_case()
    quote = case.quotes.first()
    client = client_for(editor)
    data = quote_form(client, quote)
    data["cases"] = []
    client.post(reverse("admin:cases_quote_change", args=[quote.pk]), data)
    assert case.quotes.filter(pk=quote.pk).exists()
    assert only_revision(case).proposed["evidence"] == [q for q in case_state(case.pk)["evidence"] if q != quote.pk]


def test_unlinking_the_only_evidence_from_the_quote_page_is_refused_for_anyone(client_for, publisher):
    case = CaseFactory(countries=["CA"])
    quote = QuoteFactory(cases=[case])
    client = client_for(publisher)
    data = quote_form(client, quote)
    data["cases"] = []
    response = client.post(reverse("admin:cases_quote_change", args=[quote.pk]), data)
    assert response.status_code == 302
    assert case.quotes.filter(pk=quote.pk).exists()
    assert any("needs an evidence quote" in m for m in messages_of(response))


def test_editor_note_on_its_own_page_is_reviewed(client_for, editor):
    case = published_case()
    link = CaseChallengeFactory(case=case, note="Old note.")
    client = client_for(editor)
    url = reverse("admin:cases_casechallenge_change", args=[link.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name in form.fields if (value := form[name].value()) is not None}
    response = client.post(url, {**data, "note": "Rewritten."})
    assert response.status_code == 302
    assert CaseChallenge.objects.get(pk=link.pk).note == "Old note."
    assert only_revision(case).proposed["challenges"][str(link.challenge_id)] == "Rewritten."


def test_editor_deleting_a_participation_is_reviewed(client_for, editor, publisher):
    case = published_case()
    row = ParticipationFactory(case=case)
    client = client_for(editor)
    response = client.post(reverse("admin:cases_participation_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert Participation.objects.filter(pk=row.pk).exists()
    approve(only_revision(case), user=publisher)
    assert not Participation.objects.filter(case=case).exists()


def test_editor_linking_quotes_from_the_quote_list_is_reviewed(client_for, editor, publisher):
    case = published_case()
    loose = QuoteFactory()
    client = client_for(editor)
    response = client.post(
        reverse("admin:cases_quote_changelist"),
        {"action": "link_to_case", "_selected_action": [loose.pk], "apply": "1", "case": case.pk},
    )
    assert response.status_code == 302
    assert not case.quotes.filter(pk=loose.pk).exists()
    approve(only_revision(case), user=publisher)
    assert case.quotes.filter(pk=loose.pk).exists()


def test_editor_history_revert_is_reviewed_and_cannot_strip_the_bar(client_for, editor):
    case = CaseFactory(summary="", status=Case.Status.DRAFT)
    RECORDERS[Case].record(case)  # an early version without a summary, country or evidence
    early = Case.history.filter(id=case.pk).latest("history_date")
    Case.objects.filter(pk=case.pk).update(summary="Now summarised.", status=Case.Status.PUBLISHED, title="Later")
    case.countries.add("CA")
    QuoteFactory(cases=[case])
    client = client_for(editor)
    url = reverse("admin:cases_case_simple_history", args=[case.pk, early.history_id])
    response = client.post(url)
    case.refresh_from_db()
    assert case.summary == "Now summarised." and case.countries.exists() and case.quotes.exists()
    assert not Revision.objects.exists()
    assert any("needs" in m for m in messages_of(response))
    # A revert that keeps the bar is proposed, not applied.
    RECORDERS[Case].record(case)
    keeps_bar = Case.history.filter(id=case.pk).latest("history_date")
    Case.objects.filter(pk=case.pk).update(title="Even later")
    client.post(reverse("admin:cases_case_simple_history", args=[case.pk, keeps_bar.history_id]))
    assert Case.objects.get(pk=case.pk).title == "Even later"
    assert only_revision(case).proposed["fields"]["title"] == "Later"


def test_crafted_post_changing_the_status_field_is_ignored(client_for, editor):
    case = published_case(title="Stay")
    data = form_data(client_for(editor).get(change_url(case)))
    data.update(status="draft", title="Changed")
    client_for(editor).post(change_url(case), data)
    case.refresh_from_db()
    assert (case.status, case.title) == (Case.Status.PUBLISHED, "Stay")
    assert Quote.objects.filter(cases=case).count() == 2


def test_deleting_the_only_evidence_quote_of_a_published_case_is_refused(client_for, publisher):
    case = CaseFactory(countries=["CA"])
    quote = QuoteFactory(cases=[case])
    response = client_for(publisher).post(reverse("admin:cases_quote_delete", args=[quote.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert Quote.objects.filter(pk=quote.pk).exists()
    assert any("needs an evidence quote" in m for m in messages_of(response))
