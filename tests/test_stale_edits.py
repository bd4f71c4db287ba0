"""Two curators at once, on every edit surface of a case: each save lands whole, or is refused with
what changed since the form was opened, the curator's input kept in the form."""

import pytest
from django.test import Client
from django.urls import reverse

from cases.admin.forms import STALE_MESSAGE, STALE_QUOTE_MESSAGE
from cases.models import Case, CaseChallenge, Participation
from tests.curation import change_url, form_data, make_curator
from tests.factories import CaseChallengeFactory, CaseFactory, OrganisationFactory, ParticipationFactory, QuoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def curators(db):
    """Two logged-in clients: curator A (an Editor) and curator B (a Publisher)."""
    a, b = Client(), Client()
    a.force_login(make_curator("curator-a", "Editors"))
    b.force_login(make_curator("curator-b", "Publishers"))
    return a, b


@pytest.fixture
def case(db):
    case = CaseFactory(title="Shared case", status=Case.Status.DRAFT, countries=["CA"])
    QuoteFactory(cases=[case], text="Linked at the start.")
    return case


def quote_data(client, quote):
    form = client.get(reverse("admin:cases_quote_change", args=[quote.pk])).context["adminform"].form
    return {name: value for name in form.fields if (value := form[name].value()) is not None}


def row_data(client, url):
    form = client.get(url).context["adminform"].form
    return {name: value for name in form.fields if (value := form[name].value()) is not None}


def assert_refused(response, message, *expected):
    assert response.status_code == 200, "the stale save was not refused"
    html = response.content.decode()
    assert message in html
    assert "Changed since you opened it:" in html
    for text in expected:
        assert text in html, text


def test_case_form_after_a_quote_linked_from_its_page(curators, case):
    a, b = curators
    a_form = form_data(a.get(change_url(case)))
    loose = QuoteFactory(text="Linked by B from the quote page.")
    b_data = quote_data(b, loose)
    b_data["cases"] = [case.pk]
    assert b.post(reverse("admin:cases_quote_change", args=[loose.pk]), b_data).status_code == 302

    a_form["title"] = "A's new title"
    response = a.post(change_url(case), a_form)
    assert_refused(response, STALE_MESSAGE, "Evidence", "Linked by B from the quote page.", "A&#x27;s new title")
    case.refresh_from_db()
    assert case.title == "Shared case"
    assert case.quotes.filter(pk=loose.pk).exists()  # B's link survives
    # Reloaded, A's save lands, with B's link kept.
    a_form = form_data(a.get(change_url(case)))
    a_form["title"] = "A's new title"
    assert a.post(change_url(case), a_form).status_code == 302
    assert Case.objects.get(pk=case.pk).title == "A's new title"
    assert case.quotes.filter(pk=loose.pk).exists()


def test_case_form_after_a_note_edited_on_its_own_page(curators, case):
    a, b = curators
    link = CaseChallengeFactory(case=case, note="Before.")
    a_form = form_data(a.get(change_url(case)))
    url = reverse("admin:cases_casechallenge_change", args=[link.pk])
    b_data = row_data(b, url)
    b_data["note"] = "B's note."
    assert b.post(url, b_data).status_code == 302
    response = a.post(change_url(case), a_form)
    assert_refused(response, STALE_MESSAGE, "B&#x27;s note.")
    assert CaseChallenge.objects.get(pk=link.pk).note == "B's note."


def test_case_form_after_a_participation_added_on_its_own_page(curators, case):
    a, b = curators
    a_form = form_data(a.get(change_url(case)))
    organisation = OrganisationFactory(name="Added by B")
    response = b.post(
        reverse("admin:cases_participation_add"), {"case": case.pk, "organisation": organisation.pk, "role": "partner"}
    )
    assert response.status_code == 302
    assert_refused(a.post(change_url(case), a_form), STALE_MESSAGE, "Added by B")
    assert Participation.objects.filter(case=case, organisation=organisation).exists()


def test_case_form_after_another_case_form(curators, case):
    a, b = curators
    a_form, b_form = form_data(a.get(change_url(case))), form_data(b.get(change_url(case)))
    b_form["summary"] = "B's summary."
    assert b.post(change_url(case), b_form).status_code == 302
    a_form["title"] = "A's title"
    assert_refused(a.post(change_url(case), a_form), STALE_MESSAGE, "Summary", "B&#x27;s summary.")
    assert Case.objects.get(pk=case.pk).summary == "B's summary."


def test_note_page_after_the_case_form_changed_the_note(curators, case):
    a, b = curators
    link = CaseChallengeFactory(case=case, note="Before.")
    url = reverse("admin:cases_casechallenge_change", args=[link.pk])
    a_data = row_data(a, url)
    b_form = form_data(b.get(change_url(case)))
    key = next(k for k, v in b_form.items() if v == "Before.")
    b_form[key] = "B's note from the case form."
    assert b.post(change_url(case), b_form).status_code == 302
    a_data["note"] = "A's note."
    assert_refused(a.post(url, a_data), STALE_MESSAGE, "B&#x27;s note from the case form.")
    assert CaseChallenge.objects.get(pk=link.pk).note == "B's note from the case form."


def test_participation_page_after_the_case_form(curators, case):
    a, b = curators
    row = ParticipationFactory(case=case, role="lead")
    url = reverse("admin:cases_participation_change", args=[row.pk])
    a_data = row_data(a, url)
    b_form = form_data(b.get(change_url(case)))
    b_form["title"] = "Renamed by B"
    assert b.post(change_url(case), b_form).status_code == 302
    a_data["role"] = "funder"
    assert_refused(a.post(url, a_data), STALE_MESSAGE, "Renamed by B")
    assert Participation.objects.get(pk=row.pk).role == "lead"


def test_quote_page_after_the_case_form_linked_it(curators, case):
    a, b = curators
    quote = QuoteFactory(text="Loose at first.")
    a_data = quote_data(a, quote)
    b_form = form_data(b.get(change_url(case)))
    b_form["evidence"] = [*b_form.get("evidence", []), quote.pk]
    assert b.post(change_url(case), b_form).status_code == 302
    a_data["text"] = "A's wording."
    assert_refused(a.post(reverse("admin:cases_quote_change", args=[quote.pk]), a_data), STALE_QUOTE_MESSAGE, "Cases")
    quote.refresh_from_db()
    assert quote.text == "Loose at first." and quote.cases.filter(pk=case.pk).exists()


def test_quote_page_after_another_quote_page(curators):
    a, b = curators
    quote = QuoteFactory(text="Original wording.")
    url = reverse("admin:cases_quote_change", args=[quote.pk])
    a_data, b_data = quote_data(a, quote), quote_data(b, quote)
    b_data["start_second"] = 4321
    assert b.post(url, b_data).status_code == 302
    a_data["text"] = "A's wording."
    assert_refused(a.post(url, a_data), STALE_QUOTE_MESSAGE, "4321")
    quote.refresh_from_db()
    assert (quote.text, quote.start_second) == ("Original wording.", 4321)


def test_save_from_a_fresh_form_lands(curators, case):
    a, _ = curators
    link = CaseChallengeFactory(case=case, note="Before.")
    url = reverse("admin:cases_casechallenge_change", args=[link.pk])
    data = row_data(a, url)
    data["note"] = "Fresh."
    assert a.post(url, data).status_code == 302
    assert CaseChallenge.objects.get(pk=link.pk).note == "Fresh."
