"""The quote browser and quote permalink pages of cases/views/quotes.py."""
import re

import pytest

from cases.models import Case, Quote
from tests.factories import (
    CaseFactory,
    ChallengeFactory,
    QuoteFactory,
    SourceFactory,
    SuccessFactorFactory,
)
from tests.pages_library import build_library

pytestmark = pytest.mark.django_db


def html_of(response):
    return response.content.decode()


def quote_texts(response):
    return re.findall(r'<blockquote class="quote"[^>]*>\s*<p>([^<]*)</p>', html_of(response))


@pytest.fixture
def evidence(db):
    webinar, report = SourceFactory(slug="webinar", youtube_id="webinar0001"), SourceFactory(slug="panel")
    case = CaseFactory(slug="the-case", title="The case")
    draft = CaseFactory(slug="the-draft", title="Unpublished draft case", status=Case.Status.DRAFT)
    challenge, factor = ChallengeFactory(slug="norms"), SuccessFactorFactory(slug="budgets")
    about_norms = QuoteFactory(source=webinar, text="Norms differ across borders.", cases=[case, draft])
    about_norms.challenges.add(challenge)
    about_budgets = QuoteFactory(source=report, text="Budgets decide success.", cases=[case])
    about_budgets.success_factors.add(factor)
    QuoteFactory(source=webinar, text="Only about the draft.", cases=[draft])
    QuoteFactory(source=report, text="Unlinked remark on norms.")
    return about_norms


def test_quote_list_shows_every_quote_with_its_link_and_time(client, evidence):
    response = client.get("/quotes/")
    assert response.status_code == 200
    assert len(quote_texts(response)) == 4
    assert f'href="https://www.youtube.com/watch?v=webinar0001&amp;t={evidence.start_second}s"' in html_of(response)
    assert f">{evidence.timestamp}</a>" in html_of(response)


def test_quote_list_shows_the_published_cases_a_quote_supports_only(client, evidence):
    html = html_of(client.get("/quotes/"))
    assert 'Supports: <a href="/cases/the-case/">The case</a>' in html
    assert "Unpublished draft case" not in html and "the-draft" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("source=webinar", {"Norms differ across borders.", "Only about the draft."}),
        ("case=the-case", {"Norms differ across borders.", "Budgets decide success."}),
        ("challenge=norms", {"Norms differ across borders."}),
        ("success_factor=budgets", {"Budgets decide success."}),
        ("q=norms", {"Norms differ across borders.", "Unlinked remark on norms."}),
        ("q=NORMS+borders", {"Norms differ across borders."}),
        ("source=panel&case=the-case", {"Budgets decide success."}),
        ("source=panel&challenge=norms", set()),
    ],
)
def test_quote_list_filters_combine(client, evidence, query, expected):
    response = client.get(f"/quotes/?{query}")
    assert response.status_code == 200
    assert set(quote_texts(response)) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("source=nowhere", "There is no source “nowhere”."),
        ("case=the-draft", "There is no published case “the-draft”."),
        ("case=missing", "There is no published case “missing”."),
        ("challenge=zz", "There is no challenge “zz”."),
        ("q=" + "x" * 10_000, "Ensure this value has at most 200 characters"),
    ],
)
def test_quote_list_answers_bad_filters_with_400_and_the_error_beside_the_field(client, evidence, query, message):
    response = client.get(f"/quotes/?{query}")
    assert response.status_code == 400
    html = html_of(response)
    assert message in html
    assert 'class="field-error"' in html
    assert "Unpublished draft case" not in html


@pytest.mark.parametrize("query", ["success_factor=%00", "q=a%00b"])
def test_quote_list_answers_nul_with_400(client, evidence, query):
    # Refused before the view (kb.middleware): PostgreSQL text cannot hold NUL.
    assert client.get(f"/quotes/?{query}").status_code == 400


def test_quote_list_uses_the_last_of_repeated_parameters(client, evidence):
    response = client.get("/quotes/?challenge=zz&challenge=norms")
    assert response.status_code == 200
    assert quote_texts(response) == ["Norms differ across borders."]


def test_quote_list_paginates_by_fifty_keeping_the_filters(client):
    source = SourceFactory(slug="long")
    QuoteFactory.create_batch(55, source=source)
    first = client.get("/quotes/?source=long")
    assert len(quote_texts(first)) == 50
    assert 'href="?source=long&amp;page=2"' in html_of(first)
    assert len(quote_texts(client.get("/quotes/?source=long&page=2"))) == 5


@pytest.mark.parametrize(("page", "status"), [("3", 404), ("999999", 404), ("-1", 400), ("0", 400), ("abc", 400)])
def test_quote_list_answers_bad_page_numbers_with_4xx(client, page, status):
    QuoteFactory.create_batch(55)
    response = client.get(f"/quotes/?page={page}")
    assert response.status_code == status
    if status == 404:
        assert "the last page is 2" in html_of(response)


def test_bad_page_answer_links_to_the_first_page_with_the_same_filters(client):
    QuoteFactory(source=SourceFactory(slug="one"), text="Only one.")
    response = client.get("/quotes/?source=one&page=x")
    assert response.status_code == 400
    assert 'href="/quotes/?source=one"' in html_of(response)


def test_quote_page_shows_the_quote_and_what_it_is_evidence_of(client, evidence):
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 200
    html = html_of(response)
    assert "Norms differ across borders." in html
    assert 'href="/cases/the-case/"' in html and 'href="/challenges/norms/"' in html
    assert "Unpublished draft case" not in html


def test_unknown_quote_is_404(client):
    assert client.get("/quotes/987654/").status_code == 404


def test_quote_list_number_of_queries(client, django_assert_max_num_queries):
    build_library(cases=40, quotes_per_case=3)
    challenge = Quote.objects.filter(challenges__isnull=False).first().challenges.get()
    # count, page, published cases; the form's three select lists; plus one lookup per filter given
    with django_assert_max_num_queries(6):
        assert client.get("/quotes/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(f"/quotes/?challenge={challenge.slug}&q=statement").status_code == 200


def test_quote_detail_number_of_queries(client, django_assert_max_num_queries):
    build_library(cases=5)
    quote = Quote.objects.filter(challenges__isnull=False).first()
    with django_assert_max_num_queries(4):
        assert client.get(quote.get_absolute_url()).status_code == 200
