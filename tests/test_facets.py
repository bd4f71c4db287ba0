"""Facet counts: every option counts the cases the other filters leave, and its link shows exactly those."""

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse

from cases.browse import case_index, facets
from cases.browse.facets import compute_facets
from cases.browse.filters import CaseFilter
from cases.models import Approach, Case, Participation
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
    food, space, health = (ThemeFactory(slug=slug, name=slug.title()) for slug in ("food", "space", "health"))
    prize = ApproachFactory(slug="prize", name="Prize", family=Approach.Family.EXPERIMENTATION)
    network = ApproachFactory(slug="network", name="Network", family=Approach.Family.GOVERNANCE)
    nasa = OrganisationFactory(slug="nasa", name="NASA")
    culture = ChallengeFactory(slug="culture", name="Culture")
    trust = SuccessFactorFactory(slug="trust", name="Trust")
    cases = [
        CaseFactory(slug="a", countries=["CA"], themes=[food], approaches=[prize], stage="pilot"),
        CaseFactory(slug="b", countries=["CA", "US"], themes=[food, space], approaches=[prize], stage="idea"),
        CaseFactory(slug="c", countries=["US"], themes=[space], approaches=[network], stage="pilot"),
        CaseFactory(slug="d", countries=["FR", "DE"], themes=[space], approaches=[network, prize], stage="scaling"),
        CaseFactory(slug="e", countries=["FR"], themes=[food], approaches=[network], stage=""),
    ]
    draft = CaseFactory(
        slug="draft",
        status=Case.Status.DRAFT,
        countries=["CA", "JP"],
        themes=[health],
        approaches=[prize],
        stage="pilot",
    )
    archived = CaseFactory(slug="archived", status=Case.Status.ARCHIVED, countries=["JP"], themes=[health])
    # NASA leads and funds case b: two roles, one case.
    ParticipationFactory(case=cases[1], organisation=nasa, role=Participation.Role.LEAD)
    ParticipationFactory(case=cases[1], organisation=nasa, role=Participation.Role.FUNDER)
    ParticipationFactory(case=cases[2], organisation=nasa, role=Participation.Role.PARTNER)
    ParticipationFactory(case=draft, organisation=nasa, role=Participation.Role.LEAD)
    CaseChallengeFactory(case=cases[0], challenge=culture)
    CaseChallengeFactory(case=draft, challenge=culture)
    CaseSuccessFactorFactory(case=cases[3], success_factor=trust)
    CaseSuccessFactorFactory(case=archived, success_factor=trust)
    return cases


def published():
    return Case.objects.published()


def test_count_functions_count_published_cases_per_option(world):
    assert facets.count_options("theme", cases=published()) == [("food", "Food", 3), ("space", "Space", 3)]
    assert facets.count_options("country", cases=published()) == [
        ("ca", "Canada", 2),
        ("fr", "France", 2),
        ("us", "United States", 2),
        ("de", "Germany", 1),
    ]
    assert facets.count_options("approach", cases=published()) == [("network", "Network", 3), ("prize", "Prize", 3)]
    assert facets.count_options("challenge", cases=published()) == [("culture", "Culture", 1)]
    assert facets.count_options("success_factor", cases=published()) == [("trust", "Trust", 1)]
    assert facets.count_options("stage", cases=published()) == [
        ("pilot", "Pilot", 2),
        ("idea", "Idea", 1),
        ("scaling", "Scaling", 1),
    ]


def test_a_case_counts_once_per_option_whatever_its_links(world):
    # NASA holds two roles in case b; case d is in two European countries; d has both families.
    assert facets.count_options("organisation", cases=published()) == [("nasa", "NASA", 2)]
    assert facets.count_options("region", cases=published()) == [("americas", "Americas", 3), ("europe", "Europe", 2)]
    assert facets.count_options("family", cases=published()) == [
        ("experimentation", "Experimentation (testing across borders)", 3),
        ("governance", "Governance (structures and networks)", 3),
    ]


def test_drafts_and_archived_cases_count_nowhere(world):
    every_count = [facets.count_options(name, cases=published()) for name in ("theme", "country", "region")]
    assert all(value not in ("health", "jp", "asia") for rows in every_count for value, _, _ in rows)


def test_limit_fetches_one_more_so_the_caller_knows_there_are_more(world):
    assert len(facets.count_options("country", cases=published(), limit=2)) == 3
    assert len(facets.count_options("country", cases=published(), limit=10)) == 4


def test_selected_options_come_first_so_a_limit_keeps_them(world):
    rows = facets.count_options("country", cases=published(), selected=["de"], limit=1)
    assert rows[0] == ("de", "Germany", 1)


def facets_for(query):
    filterset = CaseFilter(QueryDict(query))
    assert filterset.is_valid()
    return {facet.name: facet for facet in compute_facets(filterset=filterset)}


def test_a_facet_counts_among_the_cases_the_other_filters_leave(world):
    by_name = facets_for("theme=food&country=ca")
    # Themes among the Canadian cases (a, b), the theme selection set aside.
    assert [(o.value, o.count, o.selected) for o in by_name["theme"].options] == [
        ("food", 2, True),
        ("space", 1, False),
    ]
    # Countries among the food cases (a, b, e), the country selection set aside.
    assert [(o.value, o.count) for o in by_name["country"].options] == [("ca", 2), ("fr", 1), ("us", 1)]
    # Other facets count among the cases of both filters (a, b).
    assert [(o.value, o.count) for o in by_name["stage"].options] == [("idea", 1), ("pilot", 1)]


def test_options_no_case_has_are_left_out_but_a_selected_one_stays_with_zero(world):
    by_name = facets_for("country=de&theme=food")
    themes = [(o.value, o.count, o.selected) for o in by_name["theme"].options]
    assert themes == [("food", 0, True), ("space", 1, False)]
    assert "health" not in [o.value for o in by_name["theme"].options]


def test_option_links_keep_the_other_filters_and_remove_links_drop_the_option(world):
    by_name = facets_for("country=ca&theme=food&theme=space")
    space = next(o for o in by_name["theme"].options if o.value == "space")
    assert space.query == "country=ca&theme=food"  # selected: its link removes it
    us = next(o for o in by_name["country"].options if o.value == "us")
    assert us.query == "country=us&theme=food&theme=space"  # only this option in its facet


def test_every_option_link_shows_exactly_the_count_it_promises(client, world):
    for query in ("", "country=ca", "theme=space&stage=pilot", "country=fr&country=us&family=governance"):
        response = client.get(reverse("cases:case-list") + "?" + query)
        assert response.status_code == 200
        options = [option for facet in response.context["facets"] for option in facet.options if not option.selected]
        assert options
        for option in options:
            followed = client.get(reverse("cases:case-list") + "?" + option.query)
            assert followed.context["paginator"].count == option.count, (query, option)


def test_all_facets_are_counted_from_the_index_without_a_query_of_their_own(world, settings, django_assert_num_queries):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    filterset = CaseFilter(QueryDict("country=ca&theme=food"))
    assert filterset.is_valid()  # resolves the selected terms: one query per repeatable parameter used
    with django_assert_num_queries(14):  # the library version, then the index (tests/test_case_index.py)
        by_name = {facet.name: facet for facet in compute_facets(filterset=filterset)}
    assert set(by_name) == {spec.name for spec in facets.FACETS}
    with django_assert_num_queries(1):  # the same library: only its version is read
        again = {facet.name: facet for facet in compute_facets(filterset=filterset)}
    assert again == by_name


def counts_of(query):
    filterset = CaseFilter(QueryDict(query))
    assert filterset.is_valid()
    return {
        facet.name: [(o.value, o.label, o.count) for o in facet.options]
        for facet in compute_facets(filterset=filterset)
    }


def uncached_counts_of(query):
    from django.core.cache import cache

    cache.clear()
    return counts_of(query)


def _publish(cases):
    Case.objects.filter(slug="draft").update(status=Case.Status.PUBLISHED)  # a bulk update


def _unpublish(cases):
    case = Case.objects.get(slug="b")
    case.status = Case.Status.ARCHIVED
    case.save()


def _edit(cases):
    case = Case.objects.get(slug="b")
    case.stage = "scaling"
    case.save(update_fields=["stage"])


def _link(cases):
    Case.objects.get(slug="a").themes.add(ThemeFactory(slug="water", name="Water"))


def _unlink_by_raw_sql(cases):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_case_countries WHERE country_id = 'US'")


def _rename(cases):
    from cases.models import Theme

    Theme.objects.filter(slug="food").update(name="Nutrition")


@pytest.mark.parametrize("change", [_publish, _unpublish, _edit, _link, _unlink_by_raw_sql, _rename])
@pytest.mark.parametrize("query", ["", "country=ca", "theme=space&stage=pilot"])
def test_cached_facet_counts_stay_exact_after_any_write(world, settings, change, query):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    before = counts_of(query)
    assert counts_of(query) == before  # now from the same index (this process keeps it under the version)
    change(world)
    after = counts_of(query)
    assert after == uncached_counts_of(query)
    assert after != before  # each change moves some count or label


def browser_html(client, query):
    """The case browser's cached parts (facets, charts, map, the page's cases) as the page shows them."""
    response = client.get(reverse("cases:case-list") + "?" + query)
    assert response.status_code == 200
    return dict(response.context["panels"])


@pytest.mark.parametrize("change", [_publish, _unpublish, _edit, _link, _unlink_by_raw_sql, _rename])
@pytest.mark.parametrize("query", ["", "country=ca", "theme=space&stage=pilot"])
def test_the_browsers_cached_html_stays_exact_after_any_write(client, world, settings, change, query):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    before = browser_html(client, query)
    assert browser_html(client, query) == before  # now from the cache
    change(world)
    after = browser_html(client, query)
    cache.clear()
    assert after == browser_html(client, query)  # what the page shows uncached
    assert after != before  # each change moves some count, name or case


def test_a_rolled_back_write_leaves_no_cached_counts_behind(world, settings):
    from django.db import transaction

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    before = counts_of("")
    with transaction.atomic():
        Case.objects.filter(slug="a").delete()
        assert counts_of("") != before  # counted (and cached) inside the transaction
        transaction.set_rollback(True)
    assert counts_of("") == before == uncached_counts_of("")


def test_one_facet_alone_takes_two_queries(world, django_assert_num_queries):
    case_index.current()  # built once per library version (tests/test_case_index.py)
    with django_assert_num_queries(2):  # the version, the ids of the cases
        facets.count_options("organisation", cases=published(), selected=["nasa"], limit=5)


def test_facet_folds_options_beyond_the_shown_ones(world):
    filterset = CaseFilter(QueryDict(""))
    assert filterset.is_valid()
    country = next(facet for facet in compute_facets(filterset=filterset, shown=2) if facet.name == "country")
    assert [o.value for o in country.visible] == ["ca", "fr"]
    assert [o.value for o in country.folded] == ["us", "de"]
    limited = next(facet for facet in compute_facets(filterset=filterset, limit=3) if facet.name == "country")
    assert limited.more and len(limited.options) == 3
