"""A quote's time status in words wherever the quote appears, with the pages' query counts still pinned."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from cases.browse import citations
from cases.models import Case, Quote
from tests.factories import CaseFactory, ChallengeFactory, DocumentFactory, QuoteFactory, SourceFactory, TopicFactory
from tests.pages_library import build_library

pytestmark = pytest.mark.django_db

UNDER_REVIEW = "(time under review)"
CORRECTED = "(time corrected on import from 25:06:00)"


@pytest.fixture
def evidence():
    """A published case backed by three quotes of one video, one of each time status."""
    source = SourceFactory(duration_seconds=3600, title="A one-hour webinar")
    document = DocumentFactory(
        source=source,
        slug="summary",
        body=(
            "Exact claim [00:01:40](https://www.youtube.com/watch?v=%s&t=100s).\n\n"
            "Late claim [01:30:00](https://www.youtube.com/watch?v=%s&t=5400s).\n\n"
            "Disputed claim [25:06:00](https://www.youtube.com/watch?v=%s&t=90360s).\n"
        )
        % ((source.youtube_id,) * 3),
    )
    case = CaseFactory(status=Case.Status.PUBLISHED, slug="backed", title="Backed case")
    challenge = ChallengeFactory(slug="silos", name="Silos")
    topic = TopicFactory(slug="kelp", label="Kelp")
    quotes = {
        "exact": QuoteFactory(
            source=source, document=document, start_second=100, text="Kelp exact claim.", cases=[case]
        ),
        "late": QuoteFactory(
            source=source, document=document, start_second=5400, text="Kelp late claim.", cases=[case]
        ),
        "corrected": QuoteFactory(
            source=source,
            document=document,
            start_second=1506,
            corrected_from_seconds=90360,
            text="Kelp disputed claim.",
            cases=[case],
        ),
    }
    for quote in quotes.values():
        quote.challenges.add(challenge)
        quote.topics.add(topic)
    Quote.objects.refresh_time_status()
    for quote in quotes.values():
        quote.refresh_from_db()
    return {"case": case, "source": source, "document": document, "challenge": challenge, "topic": topic, **quotes}


def test_the_status_rule(evidence):
    assert [evidence[key].time_status for key in ("exact", "late", "corrected")] == [
        Quote.TimeStatus.EXACT,
        Quote.TimeStatus.UNDER_REVIEW,
        Quote.TimeStatus.CORRECTED,
    ]
    evidence["document"].needs_review = True
    evidence["document"].save()
    Quote.objects.refresh_time_status()
    assert set(Quote.objects.values_list("time_status", flat=True)) == {Quote.TimeStatus.UNDER_REVIEW}


def test_a_start_second_a_curator_set_is_neither_corrected_nor_doubted_for_its_documents_flag(evidence):
    """The correction and the document's flag are about the document's time, which a curator's is not;
    past the video's end it is under review like any other."""
    Quote.objects.filter(pk=evidence["corrected"].pk).update(start_second=1520, imported_start_second=1506)
    Quote.objects.filter(pk=evidence["exact"].pk).update(start_second=110, imported_start_second=100)
    evidence["document"].needs_review = True
    evidence["document"].save()
    Quote.objects.refresh_time_status()
    statuses = {key: Quote.objects.get(pk=evidence[key].pk).time_status for key in ("exact", "late", "corrected")}
    assert statuses == {"exact": "exact", "late": "under_review", "corrected": "exact"}
    Quote.objects.filter(pk=evidence["exact"].pk).update(start_second=4000)  # past the video's end
    Quote.objects.refresh_time_status()
    assert Quote.objects.get(pk=evidence["exact"].pk).time_status == Quote.TimeStatus.UNDER_REVIEW


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("where", ["case", "quote list", "source", "topic", "challenge", "search"])
def test_every_list_of_quotes_shows_each_status_in_words(client, evidence, where):
    url, params = {
        "case": (evidence["case"].get_absolute_url(), {}),
        "quote list": (reverse("cases:quote-list"), {}),
        "source": (evidence["source"].get_absolute_url(), {}),
        "topic": (evidence["topic"].get_absolute_url(), {}),
        "challenge": (evidence["challenge"].get_absolute_url(), {}),
        "search": (reverse("cases:search"), {"q": "kelp", "kind": "quotes"}),
    }[where]
    html = page(client, url, **params)
    assert html.count(UNDER_REVIEW) == 1
    assert html.count(CORRECTED) == 1
    assert 'class="timestamp timestamp--under_review"' in html


def test_quote_page_and_its_citation_say_the_time_is_under_review(client, evidence):
    html = page(client, evidence["late"].get_absolute_url())
    assert "<title>Quote at 01:30:00 (time under review)" in html
    assert "This time is under review: check it in the video before you cite it." in html
    assert "(at 01:30:00, time under review)" in html  # the reference
    assert ", 01:30:00, time under review)" in html  # the in-text citation
    exact = page(client, evidence["exact"].get_absolute_url())
    assert "under review" not in exact and "corrected" not in exact


def test_citations_carry_the_status():
    quote = QuoteFactory(start_second=1506, corrected_from_seconds=90360, time_status=Quote.TimeStatus.CORRECTED)
    assert citations.quote_in_text(quote).endswith(", 00:25:06, time corrected on import from 25:06:00)")
    quote.time_status = Quote.TimeStatus.EXACT
    assert citations.quote_in_text(quote).endswith(", 00:25:06)")


def test_document_body_marks_under_review_and_corrected_times(client, evidence):
    html = page(client, evidence["document"].get_absolute_url())
    assert 'class="timestamp--under_review"' in html and html.count(UNDER_REVIEW) == 1
    # The corrected anchor now opens the video at the second kept, and says what it was.
    assert "t=90360s" not in html and "t=1506s" in html and CORRECTED in html
    evidence["document"].needs_review = True
    evidence["document"].save()
    assert page(client, evidence["document"].get_absolute_url()).count(UNDER_REVIEW) == 3


def test_source_page_shows_its_length_and_whether_it_is_estimated(client):
    checked = SourceFactory(duration_seconds=3600)
    estimated = SourceFactory(estimated_duration_seconds=4000)
    assert "Length 01:00:00</span>" in page(client, checked.get_absolute_url())
    assert "Length 01:06:40 (estimated from its summaries" in page(client, estimated.get_absolute_url())


def test_pages_number_of_queries_with_every_status(client, settings, django_assert_max_num_queries):
    # An in-memory cache, so only the database's queries are counted (the default database cache
    # adds its reads and writes of the page's cached content).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    build_library(cases=20, quotes_per_case=3)
    quotes = list(Quote.objects.order_by("pk"))
    for n, quote in enumerate(quotes):
        quote.time_status = [Quote.TimeStatus.EXACT, Quote.TimeStatus.UNDER_REVIEW, Quote.TimeStatus.CORRECTED][n % 3]
        quote.corrected_from_seconds = 99999 if n % 3 == 2 else None
    Quote.objects.bulk_update(quotes, ["time_status", "corrected_from_seconds"])
    with django_assert_max_num_queries(8):  # as the quote-list row of tests/test_query_counts.py pins it
        html = page(client, reverse("cases:quote-list"))
    assert UNDER_REVIEW in html and "(time corrected on import from 27:46:39)" in html
    source = quotes[0].source
    with django_assert_max_num_queries(5):
        page(client, source.get_absolute_url())


def test_quote_exports_carry_the_time_status(client, evidence):
    import csv
    import json

    response = client.get(reverse("cases:quote-export-csv"), {"source": evidence["source"].slug})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = {row["text"]: row for row in csv.DictReader(b"".join(response.streaming_content).decode().splitlines())}
    assert (rows["Kelp late claim."]["time_status"], rows["Kelp late claim."]["time_note"]) == (
        "under_review",
        "time under review",
    )
    assert rows["Kelp disputed claim."]["time_note"] == "time corrected on import from 25:06:00"
    assert rows["Kelp disputed claim."]["corrected_from_seconds"] == "90360"
    assert rows["Kelp exact claim."]["time_note"] == "" and rows["Kelp exact claim."]["cases"] == "backed"

    data = json.loads(b"".join(client.get(reverse("cases:quote-export-json")).streaming_content))
    assert data["count"] == 3
    late = next(row for row in data["results"] if row["start_second"] == 5400)
    assert (late["time_status"], late["time_note"], late["cases"]) == ("under_review", "time under review", ["backed"])


def test_quote_exports_answer_bad_filters_with_400(client):
    response = client.get(reverse("cases:quote-export-json"), {"source": "nope"})
    assert response.status_code == 400 and b"source" in response.content
