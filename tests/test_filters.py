"""CaseFilter: design.md's query parameters, OR within one, AND across; bad input rejected or noticed."""

import pytest
from django.http import QueryDict

from cases.browse.filters import MAX_VALUES, CaseFilter
from cases.models import Approach, Case, Country, Participation
from tests.factories import (
    ApproachFactory,
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    ChallengeFactory,
    OrganisationFactory,
    ParticipationFactory,
    SuccessFactorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Three published cases and a draft that would match almost everything."""
    food, space = ThemeFactory(slug="food", name="Food"), ThemeFactory(slug="space", name="Space")
    prize = ApproachFactory(slug="prize", name="Prize", family=Approach.Family.EXPERIMENTATION)
    network = ApproachFactory(slug="network", name="Network", family=Approach.Family.GOVERNANCE)
    nasa, csa = OrganisationFactory(slug="nasa", name="NASA"), OrganisationFactory(slug="csa", name="CSA")
    culture, scaling = ChallengeFactory(slug="culture"), ChallengeFactory(slug="scaling")
    trust = SuccessFactorFactory(slug="trust")
    cases = {
        "food": CaseFactory(
            slug="food",
            title="Food prize",
            countries=["CA"],
            themes=[food],
            approaches=[prize],
            stage="pilot",
            start_year=2015,
            end_year=2018,
        ),
        "space": CaseFactory(
            slug="space",
            title="Space network",
            countries=["US"],
            themes=[space],
            approaches=[network],
            stage="scaling",
            start_year=2019,
            end_year=None,
        ),
        "both": CaseFactory(
            slug="both",
            title="Deep space food",
            countries=["CA", "US"],
            themes=[food, space],
            approaches=[prize],
            stage="idea",
            start_year=2021,
            end_year=2021,
        ),
        "draft": CaseFactory(
            slug="draft",
            title="Draft food",
            status=Case.Status.DRAFT,
            countries=["CA", "US"],
            themes=[food, space],
            approaches=[prize, network],
            stage="pilot",
            start_year=2016,
        ),
    }
    ParticipationFactory(case=cases["food"], organisation=csa, role=Participation.Role.LEAD)
    ParticipationFactory(case=cases["both"], organisation=nasa, role=Participation.Role.LEAD)
    ParticipationFactory(case=cases["both"], organisation=csa, role=Participation.Role.PARTNER)
    ParticipationFactory(case=cases["draft"], organisation=nasa, role=Participation.Role.LEAD)
    CaseChallengeFactory(case=cases["food"], challenge=culture)
    CaseChallengeFactory(case=cases["space"], challenge=scaling)
    CaseChallengeFactory(case=cases["draft"], challenge=culture)
    CaseSuccessFactorFactory(case=cases["both"], success_factor=trust)
    return cases


def filtered(query):
    filterset = CaseFilter(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return filterset


def slugs(query):
    return sorted(filtered(query).qs.values_list("slug", flat=True))


def test_no_parameters_lists_every_published_case_and_no_draft(world):
    assert slugs("") == ["both", "food", "space"]


def test_values_of_one_parameter_combine_with_or(world):
    assert slugs("country=ca") == ["both", "food"]
    assert slugs("country=ca&country=us") == ["both", "food", "space"]
    assert slugs("theme=food&theme=space") == ["both", "food", "space"]
    assert slugs("organisation=nasa&organisation=csa") == ["both", "food"]
    assert slugs("challenge=culture&challenge=scaling") == ["food", "space"]


def test_parameters_combine_with_and(world):
    assert slugs("country=ca&theme=space") == ["both"]
    assert slugs("country=ca&country=us&theme=space&approach=prize") == ["both"]
    assert slugs("organisation=csa&stage=pilot") == ["food"]
    assert slugs("theme=food&success_factor=trust") == ["both"]


def test_country_codes_are_case_insensitive(world):
    assert slugs("country=CA") == slugs("country=ca") == ["both", "food"]


def test_region_and_family_filter_through_countries_and_approaches(world):
    assert slugs("region=americas") == ["both", "food", "space"]
    assert slugs("region=europe") == []
    assert slugs("family=governance") == ["space"]
    assert slugs("family=experimentation&region=americas") == ["both", "food"]


def test_years_keep_cases_active_at_some_point_of_the_range(world):
    assert slugs("year_from=2019") == ["both", "space"]  # food ended in 2018; space is still running
    assert slugs("year_to=2016") == ["food"]
    assert slugs("year_from=2016&year_to=2019") == ["food", "space"]


def test_search_narrows_with_the_other_filters(world):
    assert slugs("q=space") == ["both", "space"]
    assert slugs("q=space&country=ca") == ["both"]


def test_a_case_matching_several_values_is_listed_once(world):
    cases = filtered("country=ca&country=us&theme=food&theme=space").qs
    assert cases.count() == len(cases) == 3


def test_unknown_values_are_ignored_with_a_notice(world):
    filterset = filtered("country=zz&country=ca&theme=no-such-theme")
    assert sorted(filterset.qs.values_list("slug", flat=True)) == ["both", "food"]
    assert filterset.notices() == ["Unknown country “zz” ignored.", "Unknown theme “no-such-theme” ignored."]


def test_a_parameter_with_only_unknown_values_filters_nothing(world):
    assert slugs("country=zz") == ["both", "food", "space"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("country=zzz", "country"),
        ("country=c1", "country"),
        ("theme=Not a slug!", "theme"),
        ("year_from=abc", "year_from"),
        ("year_from=2015.5", "year_from"),
        ("year_to=99999999999999999999", "year_to"),
        ("year_from=2020&year_to=2010", "year_to"),
        ("sort=bogus", "sort"),
        ("stage=someday", "stage"),
        ("region=mars", "region"),
        ("family=magic", "family"),
        ("q=a%00b", "q"),
    ],
)
def test_malformed_values_make_the_form_invalid_on_their_field(world, query, field):
    filterset = CaseFilter(QueryDict(query))
    assert not filterset.is_valid()
    assert list(filterset.errors) == [field]


def test_only_the_first_values_of_a_parameter_are_used(world):
    known = set(Country.objects.values_list("code", flat=True))
    unknown = [a + b for a in "QXZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if a + b not in known]
    codes = ["ca"] + [code.lower() for code in unknown[:26]]
    filterset = filtered("&".join(f"country={code}" for code in codes))
    assert filterset.selected("country") == ["ca"]
    assert f"Only the first {MAX_VALUES} values of “country” are used; {len(codes) - MAX_VALUES} ignored." in (
        filterset.notices()
    )


def test_a_single_valued_parameter_given_twice_uses_the_last_with_a_notice(world):
    filterset = filtered("stage=idea&stage=pilot")
    assert list(filterset.qs.values_list("slug", flat=True)) == ["food"]
    assert "“stage” was given 2 times: the last value is used." in filterset.notices()


def test_a_long_search_is_cut_with_a_notice(world):
    filterset = filtered("q=" + "space " * 2000)
    assert filterset.qs.exists()
    assert any("first 500 characters" in notice for notice in filterset.notices())


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("title", ["both", "food", "space"]),
        ("year", ["food", "space", "both"]),
        ("-year", ["both", "space", "food"]),
    ],
)
def test_sort_orders(world, sort, expected):
    assert list(filtered(f"sort={sort}").qs.values_list("slug", flat=True)) == expected


def test_recently_updated_first(world):
    Case.objects.filter(slug="food").update(title="Food prize (updated)")
    world["food"].save()
    assert list(filtered("sort=-updated").qs.values_list("slug", flat=True))[0] == "food"


def test_relevance_is_the_default_with_a_search_and_falls_back_to_title_without(world):
    assert filtered("q=space").sort_key == "relevance"
    assert filtered("").sort_key == "title"
    without_search = filtered("sort=relevance")
    assert without_search.sort_key == "title"
    assert "Sorting by relevance needs a search: sorted by title." in without_search.notices()
    assert [key for key, _ in without_search.sort_options()] == ["title", "-year", "year", "-updated"]


def test_querystring_is_canonical_and_replaces_values(world):
    filterset = filtered("theme=space&country=CA&country=zz&page=3&stage=idea")
    assert filterset.querystring() == "country=ca&theme=space&stage=idea"
    assert filterset.querystring(country=["us"]) == "country=us&theme=space&stage=idea"
    assert filterset.querystring(stage=[]) == "country=ca&theme=space"


def test_chips_drop_just_their_value(world):
    filterset = filtered("country=ca&country=us&theme=food&year_from=2015&q=space")
    chips = {chip["label"]: chip["query"] for chip in filterset.chips()}
    assert chips == {
        "Search: space": "country=ca&country=us&theme=food&year_from=2015",
        "Country: Canada": "q=space&country=us&theme=food&year_from=2015",
        "Country: United States": "q=space&country=ca&theme=food&year_from=2015",
        "Theme: Food": "q=space&country=ca&country=us&year_from=2015",
        "From year: 2015": "q=space&country=ca&country=us&theme=food",
    }


def test_cases_without_sets_aside_one_parameter_only(world):
    filterset = filtered("country=ca&theme=space")
    assert sorted(filterset.cases_without("theme").values_list("slug", flat=True)) == ["both", "food"]
    assert sorted(filterset.cases_without("country").values_list("slug", flat=True)) == ["both", "space"]


def test_a_given_queryset_is_filtered_instead_of_all_published_cases(world):
    filterset = CaseFilter(QueryDict("theme=food"), queryset=Case.objects.filter(slug__in=["food", "draft"]))
    assert sorted(filterset.qs.values_list("slug", flat=True)) == ["draft", "food"]


@pytest.mark.parametrize("query", ["q=orbit", "q=orbit&country=ca", "q=orbit&sort=relevance&stage=pilot", "q=the"])
def test_ranked_cases_give_the_relevance_order_of_the_filtered_queryset_page_by_page(query, monkeypatch):
    """CaseFilter.ranked_cases (the case browser's search pages) orders the ranked ids in Python:
    every slice, including those past the ranked ids (ranked ones first, then by title), equals
    the queryset's ORDER BY -rank, title, slug."""
    from cases.browse import case_index, filters
    from cases.search import service

    monkeypatch.setattr(service, "EXACTLY_RANKED", 3)  # a few ranked, the rest rank 0
    monkeypatch.setattr(filters, "EXACTLY_RANKED", 3)
    for number in range(9):
        # Titles out of id order, so a tail by title differs from one by id; "orbit" in a few titles
        # (ranked first) and in every body.
        CaseFactory(
            slug=f"case-{number}",
            title=f"{'Orbit ' if number % 3 == 0 else ''}{'zyxwvutsrq'[number]} case",
            body="An orbit.",
            countries=["CA"] if number % 2 else ["US"],
            stage="pilot" if number % 4 else "idea",
        )
    filterset = filtered(query)
    index = case_index.current()
    ranked = filterset.ranked_cases(index, Case.objects.published())
    expected = list(filterset.qs.values_list("slug", flat=True))
    assert len(ranked) == len(expected)
    if query != "q=the":  # stop words only: nothing
        assert expected
    for start, stop in [(0, 2), (0, 20), (1, 4), (2, 5), (3, 9), (7, 20)]:
        assert [case.slug for case in ranked[start:stop]] == expected[start:stop], (start, stop)
