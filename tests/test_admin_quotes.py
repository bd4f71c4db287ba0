"""The quote admin: its columns, filters, the "link selected quotes to a case…" action, bounded queries,
and a curator's edit of an imported text (kept beside the document's wording, shown, undone)."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.curation.revisions import approve
from cases.models import Case, Quote, Revision, Source
from tests.curation import client_for, editor, make_curator, publisher  # noqa: F401
from tests.factories import CaseFactory, DocumentFactory, QuoteFactory, SourceFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:cases_quote_changelist")


def results(response):
    return list(response.context["cl"].result_list)


def test_changelist_shows_source_time_link_text_and_cases(client_for, editor):
    case = CaseFactory(title="Deep Space Food Challenge")
    source = SourceFactory(title="Launch panel", youtube_id="nGjuo-7sUXM", slug="nGjuo-7sUXM")
    QuoteFactory(source=source, start_second=3723, text="Prizes grew the ecosystem.", cases=[case])
    content = client_for(editor).get(CHANGELIST).content.decode()
    assert "Launch panel" in content
    assert 'href="https://www.youtube.com/watch?v=nGjuo-7sUXM&amp;t=3723s"' in content
    assert ">01:02:03</a>" in content
    assert "Prizes grew the ecosystem." in content
    assert reverse("admin:cases_case_change", args=[case.pk]) in content
    assert "Deep Space Food Challenge" in content


def test_linked_filter(client_for, editor):
    linked = QuoteFactory(cases=[CaseFactory()])
    loose = QuoteFactory()
    assert results(client_for(editor).get(CHANGELIST, {"linked": "yes"})) == [linked]
    assert results(client_for(editor).get(CHANGELIST, {"linked": "no"})) == [loose]


def test_needs_review_filter(client_for, editor):
    flagged = QuoteFactory(document=DocumentFactory(needs_review=True))
    QuoteFactory(document=DocumentFactory(needs_review=False))
    QuoteFactory()
    assert results(client_for(editor).get(CHANGELIST, {"needs_review": "yes"})) == [flagged]
    assert flagged not in results(client_for(editor).get(CHANGELIST, {"needs_review": "no"}))


def test_source_filter(client_for, editor):
    wanted = QuoteFactory()
    QuoteFactory()
    found = results(client_for(editor).get(CHANGELIST, {"source__id__exact": wanted.source_id}))
    assert found == [wanted]


def test_link_action_shows_the_intermediate_page_first(client_for, editor):
    quotes = [QuoteFactory() for _ in range(2)]
    response = client_for(editor).post(
        CHANGELIST, {"action": "link_to_case", "_selected_action": [q.pk for q in quotes], "index": 0}
    )
    assert response.status_code == 200
    assert "admin/cases/quote/link_to_case.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Link the 2 selected quotes" in content
    assert 'name="apply"' in content
    assert Quote.cases.through.objects.count() == 0


def test_link_action_links_in_bulk_with_a_count(client_for, editor):
    case = CaseFactory(title="Agile Nations", status=Case.Status.DRAFT)  # a published one's links are reviewed
    already = QuoteFactory(cases=[case])
    quotes = [QuoteFactory() for _ in range(3)]
    selected = [already.pk, *(q.pk for q in quotes)]
    response = client_for(editor).post(
        CHANGELIST, {"action": "link_to_case", "_selected_action": selected, "apply": "1", "case": case.pk}, follow=True
    )
    assert response.status_code == 200
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Linked 3 quotes to “Agile Nations” (1 already were)." in messages
    assert set(case.quotes.values_list("pk", flat=True)) == set(selected)


def test_link_action_without_a_case_shows_the_form_error(client_for, editor):
    quote = QuoteFactory()
    response = client_for(editor).post(
        CHANGELIST, {"action": "link_to_case", "_selected_action": [quote.pk], "apply": "1", "case": "999999"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["case"]
    assert not quote.cases.exists()


def test_link_action_needs_change_permission_on_quotes(client_for, db):
    viewer = make_curator("viewer")
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_quote", "view_case"]))
    quote = QuoteFactory()
    case = CaseFactory()
    response = client_for(viewer).post(
        CHANGELIST, {"action": "link_to_case", "_selected_action": [quote.pk], "apply": "1", "case": case.pk}
    )
    assert response.status_code == 200  # the changelist again: the action is not theirs
    assert b"link_to_case" not in client_for(viewer).get(CHANGELIST).content
    assert not quote.cases.exists()


def test_link_action_refuses_too_many_quotes(client_for, editor, monkeypatch):
    monkeypatch.setattr("cases.admin.quotes.MAX_QUOTES_TO_LINK", 2)
    quotes = [QuoteFactory() for _ in range(3)]
    case = CaseFactory()
    response = client_for(editor).post(
        CHANGELIST,
        {"action": "link_to_case", "_selected_action": [q.pk for q in quotes], "apply": "1", "case": case.pk},
        follow=True,
    )
    assert any("at most 2" in str(m) for m in get_messages(response.wsgi_request))
    assert not case.quotes.exists()


def test_editing_a_quote_records_who_changed_it(client_for, editor):
    quote = QuoteFactory(text="Before")
    Quote.history.all().delete()  # as if it came from a fixture
    url = reverse("admin:cases_quote_change", args=[quote.pk])
    response = client_for(editor).get(url)
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["text"] = "After"
    data["other_seconds"] = "[]"
    assert client_for(editor).post(url, data).status_code == 302
    before, after = Quote.history.filter(id=quote.pk).order_by("history_date")
    assert (before.text, after.text) == ("Before", "After")
    assert after.history_user == editor


def make_quotes(count):
    source = Source.objects.first() or SourceFactory()
    cases = list(Case.objects.all()[:3]) or [CaseFactory() for _ in range(3)]
    start = Quote.objects.count()
    quotes = Quote.objects.bulk_create(
        [Quote(source=source, text=f"Bulk statement {n}", start_second=n) for n in range(start, start + count)]
    )
    Quote.cases.through.objects.bulk_create(
        [Quote.cases.through(quote=quote, case=case) for quote in quotes for case in cases[: quote.start_second % 3]]
    )


def test_quote_changelist_number_of_queries(client_for, editor, django_assert_max_num_queries):
    client = client_for(editor)
    make_quotes(10)
    with CaptureQueriesContext(connection) as few:
        assert client.get(CHANGELIST).status_code == 200
    make_quotes(990)
    with django_assert_max_num_queries(len(few)):
        client.get(CHANGELIST)
    with django_assert_max_num_queries(len(few) + 2):
        client.get(CHANGELIST, {"linked": "yes", "needs_review": "no", "q": "Bulk"})


def test_search_reads_the_search_index_accents_and_compounds(client_for, editor):
    """The quote admin searches the index of cases/search: accents and hyphens as the search page does."""
    wanted = QuoteFactory(text="The Zürich co-creation lab met weekly.")
    QuoteFactory(text="Nothing of the kind here.")
    url = reverse("admin:cases_quote_changelist")
    for term in ["zurich", "cocreation", "Zürich lab"]:
        assert [quote.pk for quote in results(client_for(editor).get(url, {"q": term}))] == [wanted.pk], term


# --------------------------------------------------------------------------- a curator's edit of an imported text


def change_form_data(client, quote):
    """What the quote's change form posts back unchanged."""
    form = client.get(reverse("admin:cases_quote_change", args=[quote.pk])).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["other_seconds"] = json.dumps(Quote.objects.get(pk=quote.pk).other_seconds)
    for column in Quote.IMPORTED_FIELDS.values():
        data.pop(f"restore_{column}", None)  # an unticked box is not posted
    return data


def save_text(client, quote, text=None, **extra):
    data = change_form_data(client, quote)
    if text is not None:
        data["text"] = text
    response = client.post(reverse("admin:cases_quote_change", args=[quote.pk]), {**data, **extra})
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Quote.objects.get(pk=quote.pk)


@pytest.fixture
def imported_quote(db):
    return QuoteFactory(document=DocumentFactory(), text="Teh testbed travelled well.")


def test_editing_an_imported_text_keeps_the_documents_wording_until_it_is_written_again(
    client_for, publisher, imported_quote
):
    client = client_for(publisher)
    edited = save_text(client, imported_quote, "The testbed travelled well.")
    assert (edited.text, edited.imported_text) == ("The testbed travelled well.", "Teh testbed travelled well.")

    # A second edit: the wording kept is still the document's, not the first edit.
    edited = save_text(client, edited, "The testbed travelled very well.")
    assert edited.imported_text == "Teh testbed travelled well."

    # Saving another field leaves the mark as it is; writing the document's wording again clears it.
    assert save_text(client, edited, heading_path="Testbeds").imported_text == "Teh testbed travelled well."
    back = save_text(client, edited, "Teh testbed travelled well.")
    assert (back.text, back.imported_text) == ("Teh testbed travelled well.", None)
    # The history records each edit as before.
    texts = list(Quote.history.filter(id=back.pk).order_by("history_date").values_list("text", flat=True))
    assert texts[-4:] == [
        "The testbed travelled well.",
        "The testbed travelled very well.",
        "The testbed travelled very well.",
        "Teh testbed travelled well.",
    ]


def test_the_change_form_shows_the_imported_text_under_an_edited_one_and_can_go_back_to_it(
    client_for, publisher, imported_quote
):
    client = client_for(publisher)
    url = reverse("admin:cases_quote_change", args=[imported_quote.pk])
    assert "Text as imported" not in client.get(url).content.decode()  # nothing to show while they agree

    edited = save_text(client, imported_quote, "The testbed travelled well.")
    response = client.get(url)
    fields = [name for fieldset in response.context["adminform"] for line in fieldset for name in line.fields]
    assert fields[fields.index("text") : fields.index("text") + 3] == ["text", "imported_text", "restore_imported_text"]
    content = response.content.decode()
    assert "Text as imported" in content and "Teh testbed travelled well." in content

    restored = save_text(client, edited, restore_imported_text="on")
    assert (restored.text, restored.imported_text) == ("Teh testbed travelled well.", None)


def test_going_back_with_the_text_emptied_goes_back_and_with_a_new_text_asks_which(
    client_for, publisher, imported_quote
):
    """Found by QA: ticked with the text box emptied, the save was refused ("This field is
    required"); ticked beside a newly typed text, that text was thrown away without a word."""
    client = client_for(publisher)
    edited = save_text(client, imported_quote, "The testbed travelled well.")
    url = reverse("admin:cases_quote_change", args=[edited.pk])

    both = {**change_form_data(client, edited), "text": "A third wording.", "restore_imported_text": "on"}
    response = client.post(url, both)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["text"] == [
        "Either go back to the text as imported or change it, not both."
    ]
    assert Quote.objects.get(pk=edited.pk).text == "The testbed travelled well."  # nothing saved

    restored = save_text(client, edited, "", restore_imported_text="on")
    assert (restored.text, restored.imported_text) == ("Teh testbed travelled well.", None)


def test_a_quote_no_document_gave_is_never_marked(client_for, publisher):
    quote = QuoteFactory(text="A curator's own quote.")
    assert save_text(client_for(publisher), quote, "A curator's own quote, reworded.").imported_text is None


def test_an_editors_edit_of_a_published_cases_quote_is_marked_when_approved(client_for, editor, publisher):
    case = CaseFactory(countries=["CA"], status=Case.Status.PUBLISHED)
    quote = QuoteFactory(document=DocumentFactory(), text="Teh testbed travelled well.", cases=[case])
    assert save_text(client_for(editor), quote, "The testbed travelled well.").imported_text is None  # pending
    approve(Revision.objects.get(case=case), user=publisher)
    approved = Quote.objects.get(pk=quote.pk)
    assert (approved.text, approved.imported_text) == ("The testbed travelled well.", "Teh testbed travelled well.")


def test_edited_text_filter(client_for, editor):
    edited = QuoteFactory(document=DocumentFactory(), imported_text="As the document said.")
    as_imported = QuoteFactory(document=DocumentFactory())
    assert results(client_for(editor).get(CHANGELIST, {"text_edited": "yes"})) == [edited]
    assert results(client_for(editor).get(CHANGELIST, {"text_edited": "no"})) == [as_imported]


# --------------------------------------------------------------------------- a curator's correction of imported times


def test_correcting_an_imported_time_keeps_the_documents_until_it_is_written_again(
    client_for, publisher, imported_quote
):
    client = client_for(publisher)
    start = imported_quote.start_second
    edited = save_text(client, imported_quote, start_second=start + 14, other_seconds="[30]")
    assert (edited.start_second, edited.imported_start_second) == (start + 14, start)
    assert (edited.other_seconds, edited.imported_other_seconds) == ([30], [])
    assert edited.imported_text is None  # the text was not touched

    # The form shows each value as imported under the edited one, with its way back.
    response = client.get(reverse("admin:cases_quote_change", args=[edited.pk]))
    fields = [name for fieldset in response.context["adminform"] for line in fieldset for name in line.fields]
    at = fields.index("start_second")
    assert fields[at : at + 3] == ["start_second", "imported_start_second", "restore_imported_start_second"]
    assert "Start second as imported" in response.content.decode()

    # Writing the document's start second again clears its mark; the box goes back to the other seconds.
    back = save_text(client, edited, start_second=start)
    assert (back.start_second, back.imported_start_second, back.imported_other_seconds) == (start, None, [])
    back = save_text(client, back, restore_imported_other_seconds="on")
    assert (back.other_seconds, back.imported_other_seconds) == ([], None)
    seconds = list(Quote.history.filter(id=back.pk).order_by("history_date").values_list("start_second", flat=True))
    assert seconds[-3:] == [start + 14, start, start]


def test_a_quote_added_in_the_admin_is_a_curators_own(client_for, publisher):
    document = DocumentFactory()
    data = {
        "source": document.source_id,
        "document": document.pk,
        "text": "A curator's own quote.",
        "start_second": "75",
        "other_seconds": "[]",
        "position": "0",
    }
    response = client_for(publisher).post(reverse("admin:cases_quote_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Quote.objects.get(text="A curator's own quote.")
    assert (added.added_by_curator, added.document_id) == (True, document.pk)
    # Never imported: its edits set nothing aside.
    assert save_text(client_for(publisher), added, start_second=80).imported_start_second is None


def test_edited_times_filter(client_for, editor):
    start = QuoteFactory(document=DocumentFactory(), imported_start_second=12)
    others = QuoteFactory(document=DocumentFactory(), imported_other_seconds=[])
    as_imported = QuoteFactory(document=DocumentFactory(), imported_text="Only the text edited.")
    assert sorted(results(client_for(editor).get(CHANGELIST, {"times_edited": "yes"})), key=lambda q: q.pk) == [
        start,
        others,
    ]
    assert results(client_for(editor).get(CHANGELIST, {"times_edited": "no"})) == [as_imported]


def test_seconds_past_what_postgresql_stores_are_refused_alike_on_both_databases(client_for, publisher, imported_quote):
    """Found by QA: on SQLite the admin stored a start second of 99,999,999,999 and other seconds
    past 2**31 - 1, which PostgreSQL's column refuses and the importer never writes; now both
    databases refuse them with one message each."""
    client = client_for(publisher)
    data = change_form_data(client, imported_quote)
    url = reverse("admin:cases_quote_change", args=[imported_quote.pk])
    response = client.post(url, {**data, "start_second": "99999999999", "other_seconds": "[2147483648]"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "start_second": ["Ensure this value is less than or equal to 2147483647."],
        "other_seconds": ["Give a list of whole numbers of seconds from 0 to 2,147,483,647, such as [75, 3600]."],
    }
    at_the_bound = save_text(client, imported_quote, start_second="2147483647", other_seconds="[2147483647]")
    assert (at_the_bound.start_second, at_the_bound.other_seconds) == (2**31 - 1, [2**31 - 1])


def test_a_number_too_long_for_python_in_the_other_seconds_is_refused_not_a_server_error(
    client_for, publisher, imported_quote
):
    """Found by QA: Django's JSON form field let json.loads's ValueError for a number of more than
    4,300 digits through (a 500); the field's own message now, and the form shown again with it."""
    client = client_for(publisher)
    data = change_form_data(client, imported_quote)
    url = reverse("admin:cases_quote_change", args=[imported_quote.pk])
    typed = "[" + "9" * 5000 + "]"
    response = client.post(url, {**data, "other_seconds": typed})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["other_seconds"] == ["Enter a valid JSON."]
    assert typed in response.content.decode()  # what was typed, back in the box
