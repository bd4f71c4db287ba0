"""The admin home's review queue, and sending a case back to draft with a reason its Editor sees."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from cases.curation.review_queue import review_queue
from cases.curation.states import case_state
from cases.curation.workflow import apply_transition
from cases.models import Case, Revision
from tests.curation import change_url, client_for, editor, form_data, publishable_case, publisher  # noqa: F401
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_home_lists_cases_in_review_with_who_submitted_pending_changes_and_own_drafts(client_for, editor, publisher):
    draft = publishable_case(status=Case.Status.DRAFT, title="Waiting case")
    apply_transition(draft, "submit", user=editor)
    published = CaseFactory(title="Published one")
    Revision.objects.create(
        case=published, author=editor, base=case_state(published.pk), proposed=case_state(published.pk)
    )
    mine = CaseFactory(title="My own draft", status=Case.Status.DRAFT)
    client = client_for(editor)
    data = form_data(client.get(change_url(mine)))
    data["summary"] = "Edited by me."
    assert client.post(change_url(mine), data).status_code == 302
    CaseFactory(title="Someone else's draft", status=Case.Status.DRAFT)

    html = client_for(publisher).get(reverse("admin:index")).content.decode()
    assert "Review queue" in html
    assert "Waiting case" in html and "submitted by editor" in html
    assert "Published one" in html and "by editor" in html
    queue = review_queue(editor)
    assert [c.title for c in queue.own_drafts] == ["My own draft"]
    assert queue.in_review[0].submitted_by == editor
    assert "Someone else" not in client_for(editor).get(reverse("admin:index")).content.decode()


def test_home_queue_queries_are_bounded(client_for, publisher, django_assert_max_num_queries):
    for n in range(15):
        case = publishable_case(title=f"In review {n}", status=Case.Status.DRAFT)
        apply_transition(case, "submit", user=publisher)
    client = client_for(publisher)
    with django_assert_max_num_queries(20):
        client.get(reverse("admin:index"))


def test_publisher_sending_back_needs_a_reason_the_editor_sees(client_for, editor, publisher):
    case = publishable_case(title="Needs work")
    url = reverse("admin:cases_case_transition", args=[case.pk, "withdraw"])
    client_for(publisher).post(url, {"reason": "   "})
    assert Case.objects.get(pk=case.pk).status == Case.Status.REVIEW
    client_for(publisher).post(url, {"reason": "Add the 2023 evaluation as evidence."})
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
    assert case.sent_back_reason == "Add the 2023 evaluation as evidence."
    assert "Add the 2023 evaluation as evidence." in client_for(editor).get(change_url(case)).content.decode()
    assert LogEntry.objects.filter(change_message__startswith="Sent back to draft").exists()
    # The next transition clears it.
    client_for(editor).post(reverse("admin:cases_case_transition", args=[case.pk, "submit"]))
    assert Case.objects.get(pk=case.pk).sent_back_reason == ""


def test_editor_takes_own_case_back_without_a_reason(client_for, editor):
    case = publishable_case()
    client_for(editor).post(reverse("admin:cases_case_transition", args=[case.pk, "withdraw"]))
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


def test_publisher_has_no_bulk_back_to_draft(client_for, publisher):
    response = client_for(publisher).get(reverse("admin:cases_case_changelist"))
    assert "transition_withdraw" not in response.content.decode()
