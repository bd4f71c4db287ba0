"""The case admin: permissions per role on the server, transitions, the change form's guards,
preview, history with revert, search and bounded changelist queries."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.admin.forms import STALE_MESSAGE
from cases.models import Case, Country, Quote, Source
from tests.curation import (  # noqa: F401
    change_url,
    client_for,
    editor,
    form_data,
    publishable_case,
    publisher,
    superuser,
)
from tests.factories import CaseFactory, QuoteFactory, SourceFactory, ThemeFactory

pytestmark = pytest.mark.django_db
Status = Case.Status
ROLES = ["anonymous", "editor", "publisher", "superuser"]


@pytest.fixture
def user_of(request):
    def user(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return user


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# The permission matrix: anonymous, Editor, Publisher, superuser × view, change, publish, delete


@pytest.mark.parametrize("role", ROLES)
def test_view_permission(client_for, user_of, role):
    case = publishable_case()
    response = client_for(user_of(role)).get(change_url(case))
    if role == "anonymous":
        assert_sent_to_login(response)
    else:
        assert response.status_code == 200
        assert case.title.encode() in response.content


@pytest.mark.parametrize("role", ROLES)
def test_change_permission(client_for, user_of, superuser, role):
    case = publishable_case(title="Before")
    data = form_data(client_for(superuser).get(change_url(case)))
    data["title"] = "After"
    response = client_for(user_of(role)).post(change_url(case), data)
    case.refresh_from_db()
    if role == "anonymous":
        assert_sent_to_login(response)
        assert case.title == "Before"
    else:
        assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
        assert case.title == "After"


@pytest.mark.parametrize("role", ROLES)
def test_publish_permission_through_the_change_page_button(client_for, user_of, role):
    case = publishable_case()
    url = reverse("admin:cases_case_transition", args=[case.pk, "publish"])
    response = client_for(user_of(role)).post(url)
    case.refresh_from_db()
    if role == "anonymous":
        assert_sent_to_login(response)
        assert case.status == Status.REVIEW
    elif role == "editor":
        assert response.status_code == 302
        assert case.status == Status.REVIEW
        assert any("only a Publisher" in message for message in messages_of(response))
    else:
        assert response.status_code == 302
        assert case.status == Status.PUBLISHED
        assert case.published_at is not None


@pytest.mark.parametrize("role", ROLES)
def test_publish_permission_through_the_changelist_action(client_for, user_of, role):
    case = publishable_case()
    response = client_for(user_of(role)).post(
        reverse("admin:cases_case_changelist"),
        {"action": "transition_publish", "_selected_action": [case.pk], "index": 0},
    )
    case.refresh_from_db()
    if role == "anonymous":
        assert_sent_to_login(response)
    expected = Status.PUBLISHED if role in ("publisher", "superuser") else Status.REVIEW
    assert case.status == expected


@pytest.mark.parametrize("role", ROLES)
def test_delete_permission_on_a_published_case(client_for, user_of, role):
    case = publishable_case(status=Status.PUBLISHED)
    response = client_for(user_of(role)).post(reverse("admin:cases_case_delete", args=[case.pk]), {"post": "yes"})
    if role == "anonymous":
        assert_sent_to_login(response)
    elif role == "editor":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
    assert Case.objects.filter(pk=case.pk).exists() == (role in ("anonymous", "editor"))


def test_editor_may_delete_a_draft(client_for, editor):
    case = CaseFactory(status=Status.DRAFT)
    response = client_for(editor).post(reverse("admin:cases_case_delete", args=[case.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Case.objects.filter(pk=case.pk).exists()


def test_editor_bulk_delete_of_published_cases_is_refused(client_for, editor):
    case = publishable_case(status=Status.PUBLISHED)
    response = client_for(editor).post(
        reverse("admin:cases_case_changelist"),
        {"action": "delete_selected", "_selected_action": [case.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()


def test_actions_offered_per_role(client_for, editor, publisher):
    publishable_case()
    url = reverse("admin:cases_case_changelist")
    editor_actions = set(client_for(editor).get(url).context["action_form"].fields["action"].choices)
    publisher_actions = set(client_for(publisher).get(url).context["action_form"].fields["action"].choices)
    editor_names = {name for name, _ in editor_actions}
    publisher_names = {name for name, _ in publisher_actions}
    assert {"transition_submit", "transition_withdraw"} <= editor_names
    assert not editor_names & {"transition_publish", "transition_unpublish", "transition_archive", "transition_reopen"}
    assert {"transition_publish", "transition_unpublish", "transition_archive", "transition_reopen"} <= publisher_names


def test_status_cannot_be_changed_through_the_form(client_for, editor, superuser):
    case = publishable_case()
    data = form_data(client_for(superuser).get(change_url(case)))
    data["status"] = Status.PUBLISHED
    client_for(editor).post(change_url(case), data)
    case.refresh_from_db()
    assert case.status == Status.REVIEW


def test_change_page_offers_the_transitions_of_the_role(client_for, editor, publisher):
    case = publishable_case()
    publish_url = reverse("admin:cases_case_transition", args=[case.pk, "publish"]).encode()
    assert publish_url not in client_for(editor).get(change_url(case)).content
    assert publish_url in client_for(publisher).get(change_url(case)).content


# Transitions: refusals listed with what is missing


def test_publishing_an_incomplete_case_from_the_changelist_lists_what_is_missing(client_for, publisher):
    case = CaseFactory(status=Status.REVIEW, summary="", published_at=None)
    response = client_for(publisher).post(
        reverse("admin:cases_case_changelist"),
        {"action": "transition_publish", "_selected_action": [case.pk], "index": 0},
        follow=True,
    )
    assert any("lacks a summary, a country and an evidence quote" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.status == Status.REVIEW


def test_transition_url_refuses_get(client_for, publisher):
    case = publishable_case()
    response = client_for(publisher).get(reverse("admin:cases_case_transition", args=[case.pk, "publish"]))
    assert response.status_code == 405
    case.refresh_from_db()
    assert case.status == Status.REVIEW


def test_unknown_transition_is_a_404(client_for, publisher):
    case = publishable_case()
    response = client_for(publisher).post(reverse("admin:cases_case_transition", args=[case.pk, "explode"]))
    assert response.status_code == 404


# The change form: stale edits and invalid saves


def test_stale_form_is_refused_and_nothing_saved(client_for, editor, publisher):
    case = publishable_case(title="Original")
    first_form = form_data(client_for(editor).get(change_url(case)))
    second_form = form_data(client_for(publisher).get(change_url(case)))
    second_form["title"] = "Saved by the publisher"
    assert client_for(publisher).post(change_url(case), second_form).status_code == 302

    first_form["title"] = "Saved by the editor from a stale page"
    response = client_for(editor).post(change_url(case), first_form)
    assert response.status_code == 200
    assert STALE_MESSAGE in response.content.decode()
    case.refresh_from_db()
    assert case.title == "Saved by the publisher"


def test_form_without_version_is_refused(client_for, editor):
    case = publishable_case(title="Original")
    data = form_data(client_for(editor).get(change_url(case)))
    data["loaded_version"] = ""
    data["title"] = "Changed"
    assert client_for(editor).post(change_url(case), data).status_code == 200
    case.refresh_from_db()
    assert case.title == "Original"


def invalid_edits():
    return {
        "end before start": lambda case, other: {"start_year": 2020, "end_year": 2019},
        "duplicate slug": lambda case, other: {"slug": other.slug},
        "self as parent": lambda case, other: {"parent": case.pk},
        "parent cycle": lambda case, other: {"parent": other.pk},
    }


@pytest.mark.parametrize("kind", list(invalid_edits()))
def test_invalid_save_shows_the_error_and_saves_nothing(client_for, editor, kind):
    case = publishable_case(title="Original", start_year=2018)
    other = CaseFactory(parent=case)  # other → case; case → other would be a cycle
    history_before = Case.history.count()
    data = form_data(client_for(editor).get(change_url(case)))
    data.update(invalid_edits()[kind](case, other))
    data["title"] = "Should not be saved"
    data["countries"] = ["FR"]
    response = client_for(editor).post(change_url(case), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors
    case.refresh_from_db()
    assert case.title == "Original"
    assert list(case.countries.values_list("code", flat=True)) == ["CA"]
    assert Case.history.count() == history_before


def test_published_case_cannot_lose_its_evidence_through_the_form(client_for, publisher):
    case = publishable_case(status=Status.PUBLISHED)
    data = form_data(client_for(publisher).get(change_url(case)))
    data["evidence"] = []
    response = client_for(publisher).post(change_url(case), data)
    assert response.status_code == 200
    assert "unpublish the case first" in response.content.decode()
    assert case.quotes.count() == 1


def test_add_form_creates_a_draft_with_one_history_record(client_for, editor, superuser):
    data = form_data(client_for(superuser).get(reverse("admin:cases_case_add")))
    quote = QuoteFactory()
    data.update(title="New case", slug="new-case", summary="S.", countries=["CA", "US"], evidence=[quote.pk])
    response = client_for(editor).post(reverse("admin:cases_case_add"), data)
    assert response.status_code == 302
    case = Case.objects.get(slug="new-case")
    assert case.status == Status.DRAFT
    assert list(case.quotes.all()) == [quote]
    record = Case.history.get(id=case.pk)
    assert record.history_type == "+"
    assert record.history_user == editor
    assert set(record.countries.values_list("country_id", flat=True)) == {"CA", "US"}


def test_evidence_chosen_on_the_case_is_saved_and_recorded_in_the_quote_history(client_for, editor):
    case = publishable_case()
    added = QuoteFactory(text="A new piece of evidence")
    data = form_data(client_for(editor).get(change_url(case)))
    data["evidence"] = [*data["evidence"], added.pk]
    assert client_for(editor).post(change_url(case), data).status_code == 302
    assert added in case.quotes.all()
    record = Quote.history.filter(id=added.pk).latest("history_date")
    assert list(record.cases.values_list("case_id", flat=True)) == [case.pk]
    assert record.history_user == editor


# Preview and view on site


def test_change_page_shows_the_rendered_body(client_for, editor):
    case = publishable_case(body="Some **bold** claim <script>alert(1)</script>")
    content = client_for(editor).get(change_url(case)).content.decode()
    assert "<strong>bold</strong>" in content
    assert "<script>alert(1)</script>" not in content


def test_preview_of_a_draft_for_staff_only(client_for, editor):
    case = publishable_case(status=Status.DRAFT, title="Secret draft")
    url = reverse("admin:cases_case_preview", args=[case.pk])
    assert_sent_to_login(client_for(None).get(url))
    response = client_for(editor).get(url)
    assert response.status_code == 200
    assert b"Secret draft" in response.content
    assert response["X-Robots-Tag"] == "noindex"
    assert client_for(None).get(case.get_absolute_url()).status_code == 404


def test_view_on_site_only_for_published_cases(client_for, editor):
    draft = publishable_case(status=Status.DRAFT)
    published = publishable_case(status=Status.PUBLISHED)
    assert client_for(editor).get(change_url(draft)).context["has_absolute_url"] is False
    response = client_for(editor).get(change_url(published))
    assert response.context["absolute_url"] == published.get_absolute_url()


# History: field diff, link diff, revert


def test_history_page_shows_field_and_link_changes_with_user(client_for, editor):
    case = publishable_case(title="First title")
    data = form_data(client_for(editor).get(change_url(case)))
    client_for(editor).post(change_url(case), data)
    data = form_data(client_for(editor).get(change_url(case)))
    data.update(title="Second title", countries=["CA", "FR"])
    assert client_for(editor).post(change_url(case), data).status_code == 302
    page = client_for(editor).get(reverse("admin:cases_case_history", args=[case.pk])).content.decode()
    assert "First title" in page and "Second title" in page
    assert "France" in page
    assert "editor" in page


def test_revert_through_the_version_page_restores_links(client_for, editor):
    case = publishable_case(title="First title")
    data = form_data(client_for(editor).get(change_url(case)))
    client_for(editor).post(change_url(case), data)
    version = Case.history.filter(id=case.pk).latest("history_date")
    original_quotes = set(case.quotes.values_list("pk", flat=True))

    data = form_data(client_for(editor).get(change_url(case)))
    data.update(title="Second title", countries=["FR"], evidence=[QuoteFactory().pk])
    assert client_for(editor).post(change_url(case), data).status_code == 302

    url = reverse("admin:cases_case_simple_history", args=[case.pk, version.history_id])
    page = client_for(editor).get(url)
    assert page.status_code == 200
    assert b"Revert to this version" in page.content
    response = client_for(editor).post(url)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "First title"
    assert list(case.countries.values_list("code", flat=True)) == ["CA"]
    assert set(case.quotes.values_list("pk", flat=True)) == original_quotes


def test_revert_needs_change_permission(client_for, editor):
    case = publishable_case(title="First title")
    version = Case.history.filter(id=case.pk).latest("history_date")
    url = reverse("admin:cases_case_simple_history", args=[case.pk, version.history_id])
    assert_sent_to_login(client_for(None).post(url))


def test_version_of_another_case_is_a_404(client_for, editor):
    case = publishable_case()
    other = publishable_case()
    version = Case.history.filter(id=other.pk).latest("history_date")
    url = reverse("admin:cases_case_simple_history", args=[case.pk, version.history_id])
    assert client_for(editor).get(url).status_code == 404


# Search and changelist size


def test_search_finds_words_of_the_summary_and_letters_of_the_title(client_for, editor):
    wanted = CaseFactory(title="Deep Space Food Challenge", summary="Prizes for growing food in space.")
    CaseFactory(title="Agile Nations", summary="Regulators cooperating.")
    url = reverse("admin:cases_case_changelist")
    for term in ["growing", "Deep Sp", "space food"]:
        found = list(client_for(editor).get(url, {"q": term}).context["cl"].result_list)
        assert found == [wanted], term


def test_search_with_nul_byte_is_not_an_error(client_for, editor):
    # Refused before the view (kb.middleware): a 400, never a 500 from PostgreSQL.
    response = client_for(editor).get(reverse("admin:cases_case_changelist"), {"q": "a\x00b"})
    assert response.status_code == 400


def make_cases(count):
    """`count` cases with countries and evidence, written in bulk."""
    start = Case.objects.count()
    Case.objects.bulk_create(
        [
            Case(title=f"Bulk case {n}", slug=f"bulk-case-{n}", summary="Bulk.", start_year=2020)
            for n in range(start, start + count)
        ]
    )
    cases = list(Case.objects.filter(slug__startswith="bulk-case-"))
    Country_links = Case.countries.through
    Country_links.objects.bulk_create(
        [Country_links(case=case, country_id="CA") for case in cases], ignore_conflicts=True
    )
    source = Source.objects.first() or SourceFactory()
    quotes = Quote.objects.bulk_create(
        [
            Quote(source=source, text=f"Bulk quote {case.pk}", start_second=case.pk)
            for case in cases
            if not case.quotes.exists()
        ]
    )
    Quote.cases.through.objects.bulk_create(
        [Quote.cases.through(quote=quote, case_id=int(quote.text.rsplit(" ", 1)[1])) for quote in quotes]
    )


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_case_changelist_number_of_queries(client_for, editor, django_assert_max_num_queries):
    client = client_for(editor)
    url = reverse("admin:cases_case_changelist")
    ThemeFactory()
    make_cases(10)
    few = count_queries(client, url)
    make_cases(990)
    with django_assert_max_num_queries(few):
        client.get(url)
    with django_assert_max_num_queries(few + 2):
        client.get(url, {"evidence": "no", "has_countries": "yes", "q": "Bulk"})
    assert Country.objects.count() > 200  # the country filter lists only countries in use


def test_untouched_textareas_posted_with_crlf_are_not_a_change(client_for, editor):
    case = publishable_case(body="First paragraph.\n\nSecond paragraph.", summary="One.\nTwo.")
    data = form_data(client_for(editor).get(change_url(case)))
    data["body"] = data["body"].replace("\n", "\r\n")  # as browsers post a textarea
    data["summary"] = data["summary"].replace("\n", "\r\n")
    assert client_for(editor).post(change_url(case), data).status_code == 302
    case.refresh_from_db()
    assert case.body == "First paragraph.\n\nSecond paragraph."
    assert case.summary == "One.\nTwo."


def test_published_case_lacking_a_country_already_can_still_be_edited(client_for, editor, publisher):
    from cases.curation.revisions import approve
    from cases.models import Revision

    case = publishable_case(status=Status.PUBLISHED, title="Imported without a country")
    case.countries.clear()
    data = form_data(client_for(editor).get(change_url(case)))
    data["title"] = "Edited"
    assert client_for(editor).post(change_url(case), data).status_code == 302
    # An Editor's change to a published case waits for review (tests/test_revisions.py).
    approve(Revision.objects.get(case=case), user=publisher)
    case.refresh_from_db()
    assert case.title == "Edited"


def test_transitions_and_reverts_appear_in_recent_actions(client_for, publisher):
    from django.contrib.admin.models import LogEntry

    case = publishable_case()
    client_for(publisher).post(reverse("admin:cases_case_transition", args=[case.pk, "publish"]))
    # The latest version: the earliest (the factory's, before its country) would strip the publishing bar.
    version = Case.history.filter(id=case.pk).latest("history_date")
    client_for(publisher).post(reverse("admin:cases_case_simple_history", args=[case.pk, version.history_id]))
    messages = list(
        LogEntry.objects.filter(object_id=str(case.pk), user=publisher).values_list("change_message", flat=True)
    )
    assert "Publish" in messages
    assert any(message.startswith("Reverted to the version of") for message in messages)


def test_search_reads_the_search_index_spellings_and_linked_names(client_for, editor):
    """The admin searches the index of cases/search (published cases): another spelling of a word
    of the body, or the name of a country the case is in, finds it on both databases."""
    wanted = CaseFactory(
        title="Nudge unit", summary="A team.", body="Behavioural insights in tax letters.", status=Case.Status.PUBLISHED
    )
    wanted.countries.add("CA")
    CaseFactory(title="Agile Nations", summary="Regulators cooperating.", status=Case.Status.PUBLISHED)
    url = reverse("admin:cases_case_changelist")
    for term in ["behavioral", "canada", "Behavioural insights"]:
        found = list(client_for(editor).get(url, {"q": term}).context["cl"].result_list)
        assert found == [wanted], term
