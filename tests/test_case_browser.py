"""The case browser page (/cases/): results, facets, chips, pagination, bad input, bounded queries."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.browse import case_index
from cases.models import Case, Theme
from tests.factories import CaseFactory, ThemeFactory
from tests.pages_library import build_library

pytestmark = pytest.mark.django_db

URL = reverse("cases:case-list")


def browse(client, query="", status=200):
    response = client.get(URL + ("?" + query if query else ""))
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def result_slugs(response):
    return [case.slug for case in response.context["cases"]]


@pytest.fixture
def few():
    food = ThemeFactory(slug="food", name="Food security")
    space = ThemeFactory(slug="space", name="Space")
    CaseFactory(
        slug="dsfc",
        title="Deep Space Food Challenge",
        summary="Prizes for food in space.",
        countries=["CA", "US"],
        themes=[food, space],
        stage="scaling",
        start_year=2019,
        end_year=2024,
    )
    CaseFactory(
        slug="gic",
        title="Global Innovation Collaborative",
        summary="A network of cities.",
        countries=["AE"],
        themes=[space],
        stage="pilot",
        start_year=2021,
        end_year=None,
    )
    CaseFactory(
        slug="secret-draft", title="Secret draft case", status=Case.Status.DRAFT, countries=["CA"], themes=[food]
    )
    CaseFactory(slug="old-archived", title="Old archived case", status=Case.Status.ARCHIVED, countries=["CA"])
    CaseFactory(slug="under-review", title="Case under review", status=Case.Status.REVIEW, countries=["CA"])


@pytest.fixture
def sixty():
    """60 published cases with countries, themes, approaches, organisations, challenges and factors."""
    build_library(cases=60, quotes_per_case=1, prefix="browse")


def test_each_result_shows_title_summary_countries_themes_stage_and_years(client, few):
    html = browse(client).content.decode()
    assert '<a href="/cases/dsfc/">Deep Space Food Challenge</a>' in html
    assert "Prizes for food in space." in html
    assert '<a href="/countries/ca/">Canada</a>, <a href="/countries/us/">United States</a>' in html
    assert '<a href="/themes/food/">Food security</a>' in html
    assert "Scaling" in html and "2019–2024" in html
    assert "2021–" in html


def test_drafts_review_and_archived_cases_appear_nowhere(client, few):
    response = browse(client, "country=ca")
    html = response.content.decode()
    assert result_slugs(response) == ["dsfc"]
    assert response.context["paginator"].count == 1
    for title in ("Secret draft case", "Old archived case", "Case under review"):
        assert title not in html
    canada = next(o for f in response.context["facets"] if f.name == "country" for o in f.options if o.value == "ca")
    assert canada.count == 1


def test_filters_narrow_and_chips_remove_one_value_each(client, few):
    response = browse(client, "theme=food&theme=space&country=ae")
    assert result_slugs(response) == ["gic"]
    chips = {chip["label"]: chip["query"] for chip in response.context["chips"]}
    assert chips == {
        "Country: United Arab Emirates": "theme=food&theme=space",
        "Theme: Food security": "country=ae&theme=space",
        "Theme: Space": "country=ae&theme=food",
    }
    html = response.content.decode()
    assert 'href="/cases/?country=ae&amp;theme=space"' in html
    assert "Clear all filters" in html
    assert result_slugs(browse(client, chips["Country: United Arab Emirates"])) == ["dsfc", "gic"]


def test_the_permalink_reproduces_the_page(client, few):
    first = browse(client, "country=us&country=ae&sort=-year")
    again = browse(client, first.context["query"])
    assert result_slugs(again) == result_slugs(first) == ["gic", "dsfc"]


def test_pages_of_twenty_with_the_total(client, sixty):
    response = browse(client)
    assert len(response.context["cases"]) == 20
    assert response.context["paginator"].count == 60
    html = response.content.decode()
    assert "60 cases" in html and "page 1 of 3" in html
    last = browse(client, "page=3")
    assert len(last.context["cases"]) == 20 and last.context["page_obj"].number == 3


def test_a_page_past_the_end_answers_404_naming_the_last_page(client, sixty):
    response = browse(client, "page=999999", status=404)
    assert "There is no page 999999: the last page is 3." in response.content.decode()


@pytest.mark.parametrize("page", ["-1", "0", "abc", "1.5", "-" + "9" * 40])
def test_a_malformed_page_answers_400(client, sixty, page):
    response = browse(client, f"page={page}", status=400)
    assert "“page” must be a whole number from 1 up" in response.content.decode()


def test_a_page_past_any_list_answers_404_however_many_digits(client, sixty):
    response = browse(client, f"page={'9' * 40}", status=404)
    assert f"There is no page {'9' * 20}…: no list here has that many pages." in response.content.decode()


@pytest.mark.parametrize(
    "query, field_id",
    [
        ("year_from=abc", "browser-year-from"),
        ("year_from=2020&year_to=2010", "browser-year-to"),
        ("year_from=%D9%A3", "browser-year-from"),
    ],
)
def test_malformed_values_answer_400_with_the_error_beside_the_field(client, few, query, field_id):
    html = browse(client, query, status=400).content.decode()
    assert re.search(rf'id="{field_id}"[^>]*aria-invalid="true" aria-describedby="{field_id}-errors"', html)
    assert f'<ul class="errorlist" id="{field_id}-errors">' in html
    assert "Some filters are not valid" in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("sort=bogus", "Sort: Select a valid choice."),
        ("country=zzz", "“zzz” is not a two-letter country code."),
        ("stage=someday&theme=food", "Select a valid choice. someday is not one of the available choices."),
        ("region=mars", "Select a valid choice."),
    ],
)
def test_malformed_choices_answer_400_with_their_message(client, few, query, message):
    response = browse(client, query, status=400)
    html = response.content.decode()
    assert message in html
    assert response.context["facets"] == [] and not response.context["cases"]


def test_the_400_page_offers_the_valid_part_of_the_query(client, few):
    response = browse(client, "theme=food&stage=someday", status=400)
    assert response.context["valid_query"] == "theme=food"
    assert 'href="/cases/?theme=food"' in response.content.decode()


@pytest.mark.parametrize(
    "query, notice",
    [
        ("country=zz", "Unknown country “zz” ignored."),
        ("theme=no-such-theme&theme=food", "Unknown theme “no-such-theme” ignored."),
        ("q=" + "space " * 2000, "The search uses only the first 500 characters of your query."),
        ("stage=pilot&stage=scaling", "“stage” was given 2 times: the last value is used."),
        ("sort=relevance", "Sorting by relevance needs a search: sorted by title."),
    ],
)
def test_ignored_values_show_a_notice(client, few, query, notice):
    assert notice in browse(client, query).content.decode()


@pytest.mark.parametrize(
    "query, status",
    [
        ("country=ca&country=ca&country=CA", 200),  # a country ticked twice, in either case, is one tick
        ("page=1&page=2", 404),  # the last value counts: page 2 of 1 is past the end (views/paging.py)
        ("unknown=1", 200),  # parameters the form does not know are ignored
        ("theme=", 200),  # an empty choice is no choice
        ("q=%20%20", 200),
        ("q=" + "%22" * 300, 200),  # quotes only: a search for nothing
        ("country=" + "x" * 5000, 400),  # not a country: the form says so beside the field
        ("q=-space&q=or", 200),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else str(value),
)
def test_repeated_and_odd_parameters_answer_as_the_form_reads_them(client, few, query, status):
    assert client.get(URL + "?" + query).status_code == status


def test_a_value_echoed_back_is_escaped(client, few):
    html = browse(client, "theme=%3Cscript%3E", status=400).content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_sort_options_offer_relevance_only_with_a_search(client, few):
    assert [key for key, _ in browse(client).context["sort_options"]] == ["title", "-year", "year", "-updated"]
    searched = browse(client, "q=space")
    assert searched.context["sort_key"] == "relevance"
    assert [key for key, _ in searched.context["sort_options"]][0] == "relevance"


def test_the_default_order_is_submitted_as_none_so_a_new_search_sorts_by_relevance(client, few):
    html = browse(client).content.decode()
    assert '<option value="" selected>Title</option>' in html
    chosen = browse(client, "sort=title").content.decode()
    assert '<option value="title" selected>Title</option>' in chosen


def test_facet_options_are_controls_labelled_by_their_names_with_counts(client, few):
    html = browse(client, "theme=space").content.decode()
    assert re.search(
        r'<input type="checkbox" name="country" value="ae" id="facet-country-ae"> '
        r'<label class="facet__label" for="facet-country-ae">United Arab Emirates</label> '
        r'<span class="count">1<',
        html,
    )
    assert 'name="theme" value="space" id="facet-theme-space" checked' in html
    assert re.search(
        r'<input type="radio" name="stage" value="" id="facet-stage-any" checked> '
        r'<label class="facet__label" for="facet-stage-any">Any stage</label>',
        html,
    )


def test_every_control_of_the_page_submits_the_one_filter_form(client, few):
    """Search, sort, paging and the compare boxes belong to the filter form, so none of them
    drops a tick not yet applied; the page says how values combine."""
    html = browse(client, "theme=space").content.decode()
    assert re.search(r'<input id="browser-q" name="q" type="search" form="filters"', html)
    assert '<select id="browser-sort" name="sort" form="filters">' in html
    assert re.search(r'<button type="submit" form="filters">Search</button>', html)
    assert 'href="#results-heading">Skip to results</a>' in html
    assert "options ticked in one group widen the results (any of them), groups narrow them (all groups)" in html
    assert not re.search(r'<form[^>]*role="search"', html)  # no second form to lose the ticks
    assert '<script src="/static/js/case-browser.js" defer></script>' in html


def test_case_list_facets_come_from_the_cache_on_a_second_visit(client, sixty, settings, django_assert_max_num_queries):
    """The page's ceiling is a row of tests/test_query_counts.py; here, what the cache saves."""
    # An in-memory cache, so only the database's queries are counted (the default database cache
    # adds its reads and writes).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    themes = list(Theme.objects.order_by("slug").values_list("slug", flat=True)[:2])
    query = f"country=ca&country=us&theme={themes[0]}&theme={themes[1]}&stage=pilot&year_from=2001&sort=-year"
    case_index.current()  # the library's bitmaps, built once per library version (tests/test_case_index.py)
    # the library version, page, 2 prefetches, 2 term look-ups (country, theme): the count, the
    # facets, the map and the charts come from the index
    with django_assert_max_num_queries(6):
        response = browse(client, query)
    assert response.context["paginator"].count > 0
    with django_assert_max_num_queries(4):
        browse(client)
    # The same library again: the facets, charts, map, the count and the page's cases come from
    # the cache (cases/views/case_browser.py, cached_html); only the version and the term
    # look-ups are read.
    with django_assert_max_num_queries(3):
        again = browse(client, query)
    assert again.context["paginator"].count == response.context["paginator"].count
    assert again.content == response.content
    with django_assert_max_num_queries(1):
        browse(client)


def test_a_search_page_served_from_the_cache_runs_no_search(client, few, settings, django_assert_num_queries):
    """Sorted by relevance, the page's cases are ordered from the search's ranked ids only when the
    page is rendered (CaseFilter.ranked_cases): a cached page reads the library version alone."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    first = browse(client, "q=space")
    assert result_slugs(first) == ["dsfc", "gic"]
    with django_assert_num_queries(1):  # the library version
        again = browse(client, "q=space")
    assert again.content == first.content


def test_case_list_query_count_does_not_grow_with_the_cases(client, sixty):
    def queries(query):
        with CaptureQueriesContext(connection) as captured:
            browse(client, query)
        return len(captured)

    query = "country=ca&stage=pilot&sort=-year"
    before = queries(""), queries(query)
    build_library(cases=60, quotes_per_case=1, prefix="more")
    assert Case.objects.published().count() == 120
    assert (queries(""), queries(query)) == before


# "Did you mean": respelt from the search index's vocabulary, which holds published content only.


def test_a_misspelt_search_suggests_the_published_word_that_finds_cases(client, few):
    CaseFactory(slug="collab", title="Cities in collaboration", summary="A network.", countries=["FR"])
    response = browse(client, "q=colaboration")
    assert result_slugs(response) == []
    suggestion = response.context["suggestion"]
    # "collaboration" is searched as the prefix "collaborat": the Collaborative is found too.
    assert suggestion["query"] == "collaboration" and suggestion["count"] == 2
    html = response.content.decode()
    assert 'Did you mean “<a href="?q=collaboration">collaboration</a>”?' in html
    assert set(result_slugs(browse(client, suggestion["url"].lstrip("?")))) == {"collab", "gic"}


def test_the_suggestion_keeps_the_filters_and_is_offered_only_if_it_finds_cases_under_them(client, few):
    CaseFactory(slug="collab", title="Cities in collaboration", summary="A network.", countries=["FR"])
    assert browse(client, "q=colaboration&country=fr").context["suggestion"]["url"] == "?q=collaboration&country=fr"
    # Under a filter that leaves no case holding the word, nothing is suggested.
    assert browse(client, "q=colaboration&theme=food").context["suggestion"] is None


def test_no_suggestion_holds_a_word_only_a_draft_or_an_archived_case_holds(client, few):
    CaseFactory(slug="jam", title="Marmalade experiment", status=Case.Status.DRAFT)
    CaseFactory(slug="jam-old", title="Marmalade archive", status=Case.Status.ARCHIVED)
    response = browse(client, "q=marmalada")
    assert response.context["suggestion"] is None
    assert "marmalade" not in response.content.decode().lower()


def test_a_search_that_finds_cases_suggests_nothing(client, few):
    assert browse(client, "q=space").context["suggestion"] is None


def test_a_cached_count_keeps_the_page_policy(client, sixty, settings):
    # The count comes from the cache once the page has been seen: a page past the end still
    # answers 404, a malformed one 400, and a new case moves the count at once.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    pages = browse(client).context["paginator"].num_pages
    browse(client, f"page={pages}")
    browse(client, f"page={pages + 1}", status=404)
    browse(client, "page=x", status=400)
    count = browse(client).context["paginator"].count
    CaseFactory.create_batch(20 * pages - count + 1)  # one case more than the pages hold
    assert browse(client).context["paginator"].count == 20 * pages + 1
    browse(client, f"page={pages + 1}")
