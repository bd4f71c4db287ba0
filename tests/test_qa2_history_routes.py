"""The history pages of a quote and of a case's rows (participation, challenge and success-factor
notes) are edit routes too: an Editor's revert or crafted POST there on a published case's
evidence or notes must end in a pending revision, never in a live change."""

import pytest
from django.urls import reverse

from cases.curation.states import case_state
from cases.models import CaseChallenge, Quote, Revision
from cases.reference_data import load_reference_data
from tests.curation import client_for, editor, publisher  # noqa: F401
from tests.factories import CaseChallengeFactory, CaseFactory, QuoteFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def migration_data(transactional_db):
    """What migrations load and a flush empties: the countries and the editorial groups (instead
    of serialized_rollback, which breaks content types for the tests after it)."""
    load_reference_data()


def published_case():
    case = CaseFactory(countries=["CA"], themes=[ThemeFactory()])
    QuoteFactory(cases=[case], text="The first statement.")
    QuoteFactory(cases=[case], text="The second statement.")
    return case


def history_form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    return {name: value for name in form.fields if (value := form[name].value()) is not None}


def test_editor_revert_on_a_quotes_history_page_is_reviewed(client_for, editor, publisher):
    case = published_case()
    quote = case.quotes.get(text="The first statement.")
    Quote.objects.get(pk=quote.pk).save()  # a history record to open
    record = quote.history.latest("history_id")
    url = reverse("admin:cases_quote_simple_history", args=[quote.pk, record.history_id])
    client = client_for(editor)
    before = case_state(case.pk)
    data = history_form(client, url)
    data.update(text="Rewritten from the history page.")
    response = client.post(url, data)
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.text == "The first statement."
    assert case.quotes.filter(pk=quote.pk).exists()
    assert case_state(case.pk) == before
    [revision] = Revision.objects.filter(case=case)
    assert revision.proposed["quotes"][str(quote.pk)]["text"] == "Rewritten from the history page."


def test_editor_revert_on_a_notes_history_page_is_reviewed(client_for, editor):
    case = published_case()
    link = CaseChallengeFactory(case=case, note="Old note.")
    CaseChallenge.objects.get(pk=link.pk).save()
    record = link.history.latest("history_id")
    url = reverse("admin:cases_casechallenge_simple_history", args=[link.pk, record.history_id])
    client = client_for(editor)
    data = history_form(client, url)
    response = client.post(url, {**data, "note": "Rewritten from the history page."})
    assert response.status_code == 302
    assert CaseChallenge.objects.get(pk=link.pk).note == "Old note."
    [revision] = Revision.objects.filter(case=case)
    assert revision.proposed["challenges"][str(link.challenge_id)] == "Rewritten from the history page."


@pytest.mark.django_db(transaction=True)
def test_editor_linking_from_the_quote_list_outside_a_test_transaction_is_reviewed(migration_data, client_for, editor):
    # Django runs changelist actions outside a transaction; the test-wide transaction of an
    # ordinary django_db test hid that the gate's savepoint could not undo the link there.
    case = published_case()
    loose = QuoteFactory()
    response = client_for(editor).post(
        reverse("admin:cases_quote_changelist"),
        {"action": "link_to_case", "_selected_action": [loose.pk], "apply": "1", "case": case.pk},
    )
    assert response.status_code == 302
    assert not case.quotes.filter(pk=loose.pk).exists()
    [revision] = Revision.objects.filter(case=case)
    assert loose.pk in revision.proposed["evidence"]


@pytest.mark.django_db(transaction=True)
def test_editor_revert_on_a_notes_history_page_outside_a_test_transaction_is_reviewed(
    migration_data, client_for, editor
):
    test_editor_revert_on_a_notes_history_page_is_reviewed(client_for, editor)


@pytest.mark.django_db(transaction=True)
def test_editor_accepting_a_candidate_on_a_published_case_is_reviewed(migration_data, client_for, editor, publisher):
    # Outside a test transaction too: select_for_update needs one on PostgreSQL.
    from cases.models import CaseSuccessFactor
    from tests.factories import SuccessFactorFactory

    case = published_case()
    factor = SuccessFactorFactory(slug="enabler", name="The enabler")
    CaseSuccessFactor.objects.create(case=case, success_factor=factor, no_evidence_reason="None found yet.")
    candidate = QuoteFactory(text="The enabler was shown by open data.")
    url = f"/admin/cases/case/{case.pk}/claims/success-factor:enabler/"
    response = client_for(editor).post(url, {"quote": candidate.pk})
    assert response.status_code == 302
    assert not candidate.cases.exists() and not candidate.success_factors.exists()
    [revision] = Revision.objects.filter(case=case)
    assert candidate.pk in revision.proposed["evidence"]
    response = client_for(publisher).post(url, {"quote": candidate.pk})
    assert response.status_code == 302
    assert candidate.cases.filter(pk=case.pk).exists() and candidate.success_factors.filter(pk=factor.pk).exists()
