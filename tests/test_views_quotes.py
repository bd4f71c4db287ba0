"""The quote browser and quote permalink pages of cases/views/quotes.py."""

import re

import pytest
from django.core.cache import cache

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
        ("q=" + "x" * 10_000, "Ensure this value has at most 500 characters"),  # the search's MAX_QUERY_LENGTH
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


def test_every_quote_page_holds_what_plain_offset_paging_gives_in_the_same_order(client):
    # Two sources, many quotes at the same second: the order's later keys decide, as in the index.
    sources = [SourceFactory(slug="a"), SourceFactory(slug="b")]
    for number in range(130):
        QuoteFactory(source=sources[number % 2], start_second=number // 9, position=(number * 7) % 5)
    in_order = list(Quote.objects.in_time_order().values_list("text", flat=True))
    shown = [text for page in (1, 2, 3) for text in quote_texts(client.get(f"/quotes/?page={page}"))]
    assert shown == in_order
    assert (
        quote_texts(client.get("/quotes/?source=b&page=2"))
        == [text for text in Quote.objects.filter(source__slug="b").in_time_order().values_list("text", flat=True)][50:]
    )


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


def test_quote_list_number_of_queries(client, settings, django_assert_max_num_queries):
    # An in-memory cache, so only the database's queries are counted (the default database cache
    # adds its reads and writes).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    build_library(cases=40, quotes_per_case=3)
    challenge = Quote.objects.filter(challenges__isnull=False).first().challenges.get()
    filtered = f"/quotes/?challenge={challenge.slug}&q=statement"
    # the library version; count, the page's keys, its rows, published cases; the form's three
    # select lists; plus one lookup per filter given
    with django_assert_max_num_queries(8):
        first = client.get("/quotes/")
    with django_assert_max_num_queries(9):
        assert client.get(filtered).status_code == 200
    # The same library again: the content comes from the cache; the version and the filters'
    # look-ups are read.
    with django_assert_max_num_queries(1):
        assert client.get("/quotes/").content == first.content
    with django_assert_max_num_queries(2):
        assert client.get(filtered).status_code == 200


def test_the_filter_forms_select_lists_are_rendered_once_per_library_version(
    client, settings, django_assert_num_queries
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    build_library(cases=40, quotes_per_case=3)
    first = client.get("/quotes/")
    # Another page (not in the cache): the version, the page's keys, its rows, published cases; the
    # count and the select lists of every source, challenge and success factor are not read again.
    with django_assert_num_queries(4):
        second = client.get("/quotes/?page=2")
    selects = re.compile(r"<select.*?</select>", re.S)
    assert selects.findall(html_of(second)) == selects.findall(html_of(first))
    assert len(selects.findall(html_of(first))) == 3 and html_of(first).count("<option") > 3


def test_a_new_quote_counts_on_the_next_page_asked_for(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    build_library(cases=20, quotes_per_case=3)
    count = Quote.objects.count()
    assert f"{count} quotes" in html_of(client.get("/quotes/"))
    QuoteFactory(source=Quote.objects.first().source)
    assert f"{count + 1} quotes" in html_of(client.get("/quotes/?page=2"))


def test_a_renamed_source_shows_in_the_next_pages_select_list(client, settings, evidence):
    from cases.models import Source

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    assert "A renamed webinar" not in html_of(client.get("/quotes/?source=panel"))
    Source.objects.filter(slug="webinar").update(title="A renamed webinar")
    page = html_of(client.get("/quotes/?source=panel"))
    assert re.search(r'<option value="webinar">A renamed webinar</option>', page)
    assert re.search(r'<option value="panel" selected>', page)


def _edit_quote():
    Quote.objects.filter(pk=Quote.objects.order_by("pk").values("pk")[:1]).update(text="A statement rewritten.")


def _unpublish_a_case():
    Case.objects.filter(pk=Case.objects.published().order_by("pk").values("pk")[:1]).update(status=Case.Status.ARCHIVED)


def _rename_a_source():
    from cases.models import Source

    Source.objects.filter(pk=Quote.objects.order_by("pk").values("source")[:1]).update(title="A renamed webinar")


@pytest.mark.parametrize("change", [_edit_quote, _unpublish_a_case, _rename_a_source])
def test_the_cached_quote_list_stays_exact_after_any_write(client, settings, change):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    build_library(cases=5, quotes_per_case=3)
    before = client.get("/quotes/").content
    assert client.get("/quotes/").content == before  # now from the cache
    change()
    after = client.get("/quotes/").content
    cache.clear()
    assert after == client.get("/quotes/").content  # what the page shows uncached
    assert after != before


def test_quote_detail_number_of_queries(client, django_assert_max_num_queries):
    build_library(cases=5)
    quote = Quote.objects.filter(challenges__isnull=False).first()
    with django_assert_max_num_queries(4):
        assert client.get(quote.get_absolute_url()).status_code == 200


# The quote browser's own exports: exactly the filtered quotes, streamed.


def export_of(client, name, params=None):
    import csv
    import io
    import json

    response = client.get(f"/quotes.{name}", params or {})
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode()
    if name == "json":
        return json.loads(body)["results"]
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize(
    "params", [{}, {"source": "webinar"}, {"case": "the-case"}, {"challenge": "norms"}, {"q": "norms"}]
)
def test_the_quote_export_holds_exactly_the_filtered_quotes_in_the_lists_order(client, evidence, params):
    listed = client.get("/quotes/", params).context["paginator"].object_list
    expected = [quote.pk for quote in listed]
    assert [row["id"] for row in export_of(client, "json", params)] == expected
    assert [int(row["id"]) for row in export_of(client, "csv", params)] == expected


def test_a_quote_export_row_holds_its_text_time_source_links_and_video_link(client, evidence):
    row = next(row for row in export_of(client, "json") if row["id"] == evidence.pk)
    assert row["text"] == "Norms differ across borders."
    assert row["start_second"] == evidence.start_second and row["timestamp"] == evidence.timestamp
    assert row["source"] == "webinar"
    assert row["cases"] == ["the-case"]  # the draft case is not shown
    assert row["challenges"] == ["norms"] and row["success_factors"] == []
    assert row["youtube_url"] == f"https://www.youtube.com/watch?v=webinar0001&t={evidence.start_second}s"
    assert row["url"] == f"http://testserver/quotes/{evidence.pk}/"
    assert "time_status" in row


def test_the_quote_csv_keeps_spreadsheets_from_running_formulas(client, db):
    QuoteFactory(text='=HYPERLINK("http://evil.example")')
    assert export_of(client, "csv")[0]["text"] == '\'=HYPERLINK("http://evil.example")'


def test_a_bad_quote_export_filter_is_a_400_naming_it(client, evidence):
    for name in ("csv", "json"):
        response = client.get(f"/quotes.{name}", {"challenge": "nope"})
        assert response.status_code == 400
        assert "There is no challenge “nope”." in response.content.decode()


def test_the_quote_list_links_its_exports_with_its_filters(client, evidence):
    html = html_of(client.get("/quotes/", {"challenge": "norms", "page": "1"}))
    assert 'href="/quotes.csv?challenge=norms"' in html and 'href="/quotes.json?challenge=norms"' in html


def test_a_renamed_case_s_evidence_link_redirects_to_its_current_slug(client, evidence):
    """/quotes/?case=OLD answered 400 once the case was renamed, while its page redirects (QA)."""
    case = Case.objects.get(slug="the-case")
    case.slug = "the-case-renamed"
    case.save()
    response = client.get("/quotes/?case=the-case&q=norms&page=1")
    assert response.status_code == 301
    assert response["Location"] == "/quotes/?case=the-case-renamed&q=norms&page=1"
    assert quote_texts(client.get(response["Location"])) == ["Norms differ across borders."]
    # An old slug of a case no longer published, an unknown slug, or another bad filter: still 400.
    Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT)
    assert client.get("/quotes/?case=the-case").status_code == 400
    Case.objects.filter(pk=case.pk).update(status=Case.Status.PUBLISHED)
    assert client.get("/quotes/?case=never-was").status_code == 400
    assert client.get("/quotes/?case=the-case&source=no-such-source").status_code == 400
