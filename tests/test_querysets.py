"""CaseQuerySet's hand-built SQL (most_alike: the related-case ranking) and correlated_count, tested directly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, Quote, Source
from cases.querysets import correlated_count
from tests.factories import ApproachFactory, CaseFactory, QuoteFactory, SourceFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    now = timezone.now()
    food, space, health = ThemeFactory(slug="food"), ThemeFactory(slug="space"), ThemeFactory(slug="health")
    prize = ApproachFactory(slug="prize")
    cases = {
        "anchor": CaseFactory(
            slug="anchor", title="Anchor", themes=[food, space], approaches=[prize], countries=["CA", "US"]
        ),
        # shares both themes, the approach and Canada: 4
        "close": CaseFactory(slug="close", title="Close", themes=[food, space], approaches=[prize], countries=["CA"]),
        # share one theme each: 1; the newer publication ranks first, then the title
        "newer": CaseFactory(slug="newer", title="Zeta newer", themes=[food], published_at=now),
        "older-b": CaseFactory(
            slug="older-b", title="Beta older", themes=[space], published_at=now - timedelta(days=9)
        ),
        "older-a": CaseFactory(
            slug="older-a", title="Alpha older", themes=[space], published_at=now - timedelta(days=9)
        ),
        # shares everything but is a draft: not among published() candidates
        "draft": CaseFactory(
            slug="draft",
            title="Draft",
            status=Case.Status.DRAFT,
            published_at=None,
            themes=[food, space],
            approaches=[prize],
            countries=["CA", "US"],
        ),
        "unrelated": CaseFactory(slug="unrelated", title="Unrelated", themes=[health], countries=["JP"]),
    }
    return cases


def alike(case, queryset=None, **kwargs):
    queryset = Case.objects.published() if queryset is None else queryset
    return queryset.most_alike(
        case,
        themes=[theme.slug for theme in case.themes.all()],
        approaches=[approach.slug for approach in case.approaches.all()],
        countries=[country.code.lower() for country in case.countries.all()],
        **kwargs,
    )


def test_most_alike_ranks_by_shared_links_then_newest_then_title(library):
    ranked = alike(library["anchor"])
    assert [(case.slug, case.shared_count) for case in ranked] == [
        ("close", 4),
        ("newer", 1),
        ("older-a", 1),
        ("older-b", 1),
    ]


def test_most_alike_leaves_out_the_case_itself_those_outside_the_queryset_and_unrelated_ones(library):
    slugs = {case.slug for case in alike(library["anchor"])}
    assert not slugs & {"anchor", "draft", "unrelated"}
    # Ranked among the published cases (the library's bitmaps): a draft is never a related case.
    everything = {case.slug for case in alike(library["anchor"], queryset=Case.objects.all())}
    assert everything == slugs


def test_most_alike_respects_the_limit_and_a_filtered_queryset(library):
    assert [case.slug for case in alike(library["anchor"], limit=2)] == ["close", "newer"]
    in_canada = alike(library["anchor"], queryset=Case.objects.published().in_country("ca"))
    assert [case.slug for case in in_canada] == ["close"]


def test_most_alike_without_links_is_empty_without_a_query(library, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert Case.objects.published().most_alike(library["unrelated"]) == []


def test_most_alike_counts_on_the_bitmaps_and_fetches_in_one_query(library, django_assert_num_queries):
    from cases.browse import case_index

    anchor = library["anchor"]
    themes = [theme.slug for theme in anchor.themes.all()]
    case_index.current()  # built once per library version (tests/test_case_index.py pins its queries)
    # "close" shares 3 of these: the top level alone fills a limit of 1: the library version (the
    # bitmaps are kept under it) and one query.
    with django_assert_num_queries(2):
        ranked = Case.objects.published().most_alike(anchor, themes=themes, countries=["CA"], limit=1)
        assert [case.slug for case in ranked] == ["close"]
    # The levels 3 and 1 hold the four (no case shares 2): one query still.
    with django_assert_num_queries(2):
        ranked = Case.objects.published().most_alike(anchor, themes=themes, countries=["ca"])
    assert [(case.slug, case.shared_count) for case in ranked] == [
        ("close", 3),
        ("newer", 1),
        ("older-a", 1),
        ("older-b", 1),
    ]


def test_most_alike_ranks_as_counting_every_shared_link_would(library):
    """An oracle: every published case's shared links counted one by one, ranked, cut at each limit."""
    anchor = library["anchor"]
    mine = {("theme", t.pk) for t in anchor.themes.all()} | {("approach", a.pk) for a in anchor.approaches.all()}
    mine |= {("country", c.code) for c in anchor.countries.all()}
    expected = []
    for other in Case.objects.published().exclude(pk=anchor.pk):
        theirs = {("theme", t.pk) for t in other.themes.all()} | {("approach", a.pk) for a in other.approaches.all()}
        theirs |= {("country", c.code) for c in other.countries.all()}
        if mine & theirs:
            expected.append((-len(mine & theirs), -other.published_at.timestamp(), other.title, other.slug))
    expected = [row[3] for row in sorted(expected)]
    for limit in range(1, len(expected) + 2):
        assert [case.slug for case in alike(anchor, limit=limit)] == expected[:limit]


def test_correlated_count_counts_without_multiplying_rows():
    busy, _quiet = (
        SourceFactory(slug="busy", youtube_id="busy0000001"),
        SourceFactory(slug="quiet", youtube_id="quiet000001"),
    )
    for _ in range(3):
        QuoteFactory(source=busy)
    counted = dict(Source.objects.annotate(n=correlated_count(Quote, "source")).values_list("slug", "n"))
    assert counted == {"busy": 3, "quiet": 0}
    assert Source.objects.annotate(n=correlated_count(Quote, "source")).count() == 2


def test_most_alike_never_ranks_an_unpublished_case_whatever_the_queryset(library):
    """The ranking reads the library's bitmaps, which hold the published cases only."""
    never = CaseFactory(
        slug="never",
        title="Aardvark never",
        status=Case.Status.DRAFT,
        published_at=None,
        themes=[library["newer"].themes.get()],
    )
    ranked = [case.slug for case in alike(library["anchor"], queryset=Case.objects.exclude(slug="draft"))]
    assert ranked == ["close", "newer", "older-a", "older-b"]
    assert never.published_at is None


def test_most_alike_counts_the_links_it_is_given_country_codes_in_any_case(library):
    """Only the links passed count (here countries, then the approach); codes match whatever their case."""
    CaseFactory(slug="other", title="Other", themes=[ThemeFactory(slug="elsewhere")], countries=["US", "CA"])
    published = Case.objects.published()
    by_country = published.most_alike(library["anchor"], countries=["ca", "US"])
    assert [(case.slug, case.shared_count) for case in by_country] == [("other", 2), ("close", 1)]
    by_approach = published.most_alike(library["anchor"], approaches=[library["anchor"].approaches.get().slug])
    assert [(case.slug, case.shared_count) for case in by_approach] == [("close", 1)]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5])
def test_most_alike_gives_the_head_of_the_whole_ranking_for_any_limit(library, limit):
    """The ranking reads its levels from the most links shared down until `limit` are found."""
    everything = [(case.slug, case.shared_count) for case in alike(library["anchor"], limit=100)]
    assert len(everything) == 4
    assert [(case.slug, case.shared_count) for case in alike(library["anchor"], limit=limit)] == everything[:limit]
