"""A quote linked to two cases and one challenge: the matrix and the health page count it once per
claim it supports (cases.claims). Apart from test_claims.py, whose seed library stays loaded for the module."""

import pytest

from cases.claims import CHALLENGE, SUMMARY, evidence_by_claim, evidence_rows
from cases.models import Case
from tests.curation import client_for, editor  # noqa: F401
from tests.factories import CaseChallengeFactory, CaseFactory, ChallengeFactory, QuoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(client_for, editor):
    return client_for(editor)


@pytest.fixture
def shared_quote():
    """Alpha and Beta both claim the barrier and share one quote linked to it; Alpha also claims a
    second challenge the quote is not linked to; Gamma claims the barrier with no quote of its own;
    Delta does not claim the barrier, though the quote is linked to it too."""
    barrier, other = ChallengeFactory(slug="barrier", name="The barrier"), ChallengeFactory(slug="other", name="Other")
    cases = {
        slug: CaseFactory(slug=slug, title=slug.capitalize(), status=Case.Status.PUBLISHED, countries=["CA"])
        for slug in ("alpha", "beta", "gamma", "delta")
    }
    for slug in ("alpha", "beta", "gamma"):
        CaseChallengeFactory(case=cases[slug], challenge=barrier)
    CaseChallengeFactory(case=cases["alpha"], challenge=other)
    quote = QuoteFactory(cases=[cases["alpha"], cases["beta"], cases["delta"]], text="Both met the barrier.")
    quote.challenges.add(barrier)
    return {"quote": quote, "barrier": barrier, "other": other, **cases}


def test_a_quote_of_two_cases_and_one_challenge_evidences_each_cases_claim_once(shared_quote):
    ids = [shared_quote[slug].pk for slug in ("alpha", "beta", "gamma", "delta")]
    by_case = evidence_by_claim(evidence_rows(ids), case_ids=ids)
    quote, barrier, other = shared_quote["quote"].pk, shared_quote["barrier"].pk, shared_quote["other"].pk
    assert by_case[shared_quote["alpha"].pk] == {
        (SUMMARY, 0): [],
        (CHALLENGE, barrier): [quote],
        (CHALLENGE, other): [],
    }
    assert by_case[shared_quote["beta"].pk] == {(SUMMARY, 0): [], (CHALLENGE, barrier): [quote]}
    assert by_case[shared_quote["gamma"].pk] == {(SUMMARY, 0): [], (CHALLENGE, barrier): []}
    # Delta claims no challenge: the quote is evidence of its summary.
    assert by_case[shared_quote["delta"].pk] == {(SUMMARY, 0): [quote]}


def test_the_matrix_counts_a_shared_quote_per_claim(client, shared_quote):
    from django.urls import reverse

    response = client.get(reverse("cases:matrix"))
    columns = {column.term.slug: column for column in response.context["columns"]}
    assert (columns["barrier"].total, columns["barrier"].evidenced) == (3, 2)  # alpha, beta evidenced; gamma not
    assert (columns["other"].total, columns["other"].evidenced) == (1, 0)
    rows = {row.case.slug: (row.evidenced_count, row.claim_count) for row in response.context["rows"]}
    assert rows == {"alpha": (1, 2), "beta": (1, 1), "gamma": (0, 1), "delta": (0, 0)}
    html = response.content.decode()
    assert html.count('aria-label="evidenced by 1 quote: see the evidence"') == 2


def test_the_health_page_counts_a_shared_quote_per_claim(curator, shared_quote):
    from cases.claims import unevidenced_count

    # Alpha's other challenge and summary, Beta's summary, Gamma's barrier and summary: delta's
    # summary has the quote. The shared quote evidences Alpha's and Beta's barrier claims, once each.
    assert unevidenced_count(Case.objects.published()) == 5
    html = curator.get("/admin/cases/case/health/").content.decode()
    assert 'href="/admin/cases/case/claims/?status=published">5</a>' in html
