"""The order of search results (title and name matches ranked first, body-only matches newest
first) and the counts capped at engine.COUNT_CAP, on SQLite and PostgreSQL alike (cases/search/engine.py)."""

import pytest
from django.urls import reverse

from cases.browse.filters import CaseFilter
from cases.models import Case, Quote
from cases.search import search, search_cases
from cases.search.engine import COUNT_CAP
from tests.factories import CaseFactory, SourceFactory

pytestmark = pytest.mark.django_db


def case_hits(q):
    (group,) = [group for group in search(q, per_kind=10).groups if group.kind.key == "cases"]
    return [hit.object.slug for hit in group.hits]


def test_a_title_match_ranks_above_newer_body_only_matches_which_follow_newest_first():
    CaseFactory(slug="title-match", title="Hydroponics across borders", summary="Growing food.", body="")
    CaseFactory(slug="older-body", title="Regional cooperation", summary="", body="They tried hydroponics once.")
    CaseFactory(slug="newer-body", title="Coastal network", summary="", body="Hydroponics in a harbour shed.")
    assert case_hits("hydroponics") == ["title-match", "newer-body", "older-body"]


def test_a_match_through_a_linked_name_ranks_above_a_body_only_match():
    CaseFactory(slug="in-canada", title="Lunar greenhouse", body="", countries=["CA"])
    CaseFactory(slug="mentions-canada", title="Arctic relay", body="A partner office in Canada helped.")
    assert case_hits("canada") == ["in-canada", "mentions-canada"]


def test_the_case_browser_ranks_in_the_same_order():
    CaseFactory(slug="b-title-match", title="Hydroponics across borders", body="")
    CaseFactory(slug="a-older-body", title="Regional cooperation", body="They tried hydroponics once.")
    CaseFactory(slug="c-newer-body", title="Coastal network", body="Hydroponics in a harbour shed.")
    ranked = search_cases(Case.objects.published(), "hydroponics").order_by("-rank", "slug")
    assert list(ranked.values_list("slug", flat=True)) == ["b-title-match", "c-newer-body", "a-older-body"]


def test_the_case_browser_filters_by_the_matched_ids_without_matching_the_text_again():
    CaseFactory(slug="title-match", title="Hydroponics across borders", body="")
    CaseFactory(slug="other", title="Coastal network", body="")
    cases = CaseFilter({"q": "hydroponics"}).qs
    sql = str(cases.query)
    assert "MATCH" not in sql and "@@" not in sql  # the facets' queries reuse this one
    assert list(cases.values_list("slug", flat=True)) == ["title-match"]


def make_quotes(number, word):
    source = SourceFactory()
    Quote.objects.bulk_create(
        [
            Quote(source=source, text=f"Statement {index} on the {word}.", start_second=index, position=index)
            for index in range(number)
        ]
    )
    return source


def test_counts_are_exact_up_to_the_cap_and_more_than_the_cap_beyond(client):
    source = make_quotes(COUNT_CAP + 5, "aquifer")
    (quotes,) = [group for group in search("aquifer").groups if group.kind.key == "quotes"]
    assert (quotes.count, quotes.count_text) == (COUNT_CAP + 1, f"more than {COUNT_CAP:,}")
    page = client.get(reverse("cases:search"), {"q": "aquifer"}).content.decode()
    assert f'Quotes <span class="count">more than {COUNT_CAP:,}</span>' in page
    last = COUNT_CAP // 20  # 20 a page (views.search.PER_PAGE)
    listed = client.get(reverse("cases:search"), {"q": "aquifer", "kind": "quotes", "page": last})
    assert listed.context["results"].groups[1].page.paginator.count == COUNT_CAP  # the first 1,000 can be paged
    # Past them, the one page policy (views/paging.py): 404.
    assert client.get(reverse("cases:search"), {"q": "aquifer", "kind": "quotes", "page": last + 1}).status_code == 404

    Quote.objects.filter(pk__in=list(source.quotes.order_by("pk").values_list("pk", flat=True)[:5])).delete()
    (quotes,) = [group for group in search("aquifer").groups if group.kind.key == "quotes"]
    assert (quotes.count, quotes.count_text) == (COUNT_CAP, str(COUNT_CAP))


def test_a_kind_page_by_page_lists_body_only_matches_newest_first(client):
    make_quotes(25, "kelp")
    first = client.get(reverse("cases:search"), {"q": "kelp", "kind": "quotes"}).context["results"]
    second = client.get(reverse("cases:search"), {"q": "kelp", "kind": "quotes", "page": 2}).context["results"]
    texts = [hit.object.text for group in (first, second) for hit in group.groups[1].hits]
    assert texts == [f"Statement {index} on the kelp." for index in reversed(range(25))]
