"""The library's bitmaps (cases/browse/case_index.py): the case browser's counts from set operations
equal counts made afresh from the rows, after every kind of write, on either database."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.http import QueryDict
from django.urls import reverse

from cases import library_version
from cases.browse import case_index
from cases.browse.facets import FACETS, compute_facets
from cases.browse.filters import CaseFilter
from cases.models import Approach, Case, Participation
from cases.search import matching_case_scores, parse_query
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

LOCAL, NATIONAL = Case.LevelOfGovernment.LOCAL, Case.LevelOfGovernment.NATIONAL


@pytest.fixture
def world(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    food, space, health = (ThemeFactory(slug=slug, name=slug.title()) for slug in ("food", "space", "health"))
    prize = ApproachFactory(slug="prize", name="Prize", family=Approach.Family.EXPERIMENTATION)
    network = ApproachFactory(slug="network", name="Network", family=Approach.Family.GOVERNANCE)
    nasa, esa = OrganisationFactory(slug="nasa", name="NASA"), OrganisationFactory(slug="esa", name="ESA")
    culture = ChallengeFactory(slug="culture", name="Culture")
    trust = SuccessFactorFactory(slug="trust", name="Trust")
    a = CaseFactory(
        slug="a", title="Seed bank", countries=["CA"], themes=[food], approaches=[prize], start_year=2001, end_year=2004
    )
    b = CaseFactory(
        slug="b",
        title="Orbit seeds",
        countries=["CA", "US"],
        themes=[food, space],
        approaches=[prize],
        stage="idea",
        start_year=2010,
        level_of_government=LOCAL,
    )
    c = CaseFactory(slug="c", countries=["US"], themes=[space], approaches=[network], start_year=None)
    d = CaseFactory(
        slug="d",
        countries=["FR", "DE"],
        themes=[space],
        approaches=[network, prize],
        stage="scaling",
        start_year=2015,
        end_year=2015,
        level_of_government=NATIONAL,
    )
    e = CaseFactory(slug="e", countries=["FR"], themes=[food], approaches=[network], stage="", start_year=2019)
    draft = CaseFactory(
        slug="draft", status=Case.Status.DRAFT, countries=["CA", "JP"], themes=[health], approaches=[prize]
    )
    archived = CaseFactory(slug="archived", status=Case.Status.ARCHIVED, countries=["JP"], themes=[health])
    ParticipationFactory(case=b, organisation=nasa, role=Participation.Role.LEAD)
    ParticipationFactory(case=b, organisation=nasa, role=Participation.Role.FUNDER)  # two roles, one case
    ParticipationFactory(case=c, organisation=nasa, role=Participation.Role.PARTNER)
    ParticipationFactory(case=d, organisation=esa, role=Participation.Role.LEAD)
    ParticipationFactory(case=draft, organisation=esa, role=Participation.Role.LEAD)
    CaseChallengeFactory(case=a, challenge=culture)
    CaseChallengeFactory(case=draft, challenge=culture)
    CaseSuccessFactorFactory(case=d, success_factor=trust)
    CaseSuccessFactorFactory(case=archived, success_factor=trust)
    return {case.slug: case for case in (a, b, c, d, e, draft, archived)}


# --- the oracle: every published case's facet values read row by row, filtered in plain Python ---


def case_values():
    """{case id: {facet name: set of values as in URLs}} of the published cases, plus their years."""
    cases = {}
    for case in Case.objects.published().prefetch_related(
        "countries", "themes", "approaches", "organisations", "challenges", "success_factors"
    ):
        cases[case.pk] = {
            "country": {country.code.lower() for country in case.countries.all()},
            "region": {country.region for country in case.countries.all()},
            "theme": {theme.slug for theme in case.themes.all()},
            "approach": {approach.slug for approach in case.approaches.all()},
            "family": {approach.family for approach in case.approaches.all()},
            "organisation": {organisation.slug for organisation in case.organisations.all()},
            "challenge": {challenge.slug for challenge in case.challenges.all()},
            "success_factor": {factor.slug for factor in case.success_factors.all()},
            "stage": {case.stage} - {""},
            "level": {case.level_of_government} - {""},
            "years": (case.start_year, case.end_year),
        }
    return cases


def keeps(values, name, wanted, pk):
    """Whether a case (its `values`) passes parameter `name` = `wanted` (a list of values)."""
    start, end = values["years"]
    if name == "year_from":
        return end is None or end >= int(wanted[0])
    if name == "year_to":
        return start is not None and start <= int(wanted[0])
    if name == "q":
        if not parse_query(wanted[0]).had_words:
            return True
        return pk in {pk for pk, _ in matching_case_scores(wanted[0])}
    return bool(values[name] & set(wanted))  # OR within a parameter


def oracle(query):
    """({facet: {value: count}} with each facet counted among the cases the other parameters
    leave, number of cases all parameters leave), from the rows."""
    params = {name: values for name, values in QueryDict(query).lists() if name != "sort"}
    cases = case_values()

    def leave(without=None):
        return [
            pk
            for pk, values in cases.items()
            if all(keeps(values, name, wanted, pk) for name, wanted in params.items() if name != without)
        ]

    counts = {}
    for spec in FACETS:
        among = leave(spec.name if spec.name in params else None)
        counted = {}
        for pk in among:
            for value in cases[pk][spec.name]:
                counted[value] = counted.get(value, 0) + 1
        counts[spec.name] = counted
    return counts, len(leave())


def from_bitmaps(query):
    filterset = CaseFilter(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    facets = compute_facets(filterset=filterset, limit=None)
    counts = {facet.name: {o.value: o.count for o in facet.options if o.count} for facet in facets}
    return counts, len(filterset.case_ids(case_index.current()))


QUERIES = [
    "",
    "country=ca",
    "country=ca&country=fr",
    "theme=space&stage=pilot",
    "region=europe&family=governance",
    "approach=prize&organisation=nasa&organisation=esa",
    "challenge=culture",
    "success_factor=trust&theme=space",
    "level=local",
    "year_from=2005",
    "year_to=2012",
    "year_from=2004&year_to=2015&theme=food",
    "q=seeds",
    "q=seeds&country=us",
]


def _publish(cases):
    Case.objects.filter(slug="draft").update(status=Case.Status.PUBLISHED)  # a bulk update


def _unpublish(cases):
    case = Case.objects.get(slug="b")
    case.status = Case.Status.ARCHIVED
    case.save()


def _edit(cases):
    Case.objects.filter(slug="e").update(stage="pilot", start_year=2003, level_of_government=LOCAL)


def _link(cases):
    cases["a"].themes.add(ThemeFactory(slug="water", name="Water"))
    cases["e"].countries.add("US")
    ParticipationFactory(case=cases["a"], organisation=OrganisationFactory(slug="un", name="UN"))


def _unlink_by_raw_sql(cases):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_case_countries WHERE country_id = 'US'")
        cursor.execute("DELETE FROM cases_participation WHERE case_id = %s", [cases["b"].pk])


def _delete(cases):
    cases["d"].delete()


@pytest.mark.parametrize("query", QUERIES)
def test_bitmap_counts_equal_counts_from_the_rows(world, query):
    assert from_bitmaps(query) == oracle(query)


def test_the_oracle_sees_what_the_world_holds(world):
    """The oracle is no tautology: counts written out by hand for two queries."""
    counts, total = oracle("country=ca")
    assert total == 2 and counts["country"] == {"ca": 2, "us": 2, "fr": 2, "de": 1}
    assert counts["organisation"] == {"nasa": 1} and counts["level"] == {"local": 1}
    counts, total = oracle("year_from=2005&year_to=2012")
    assert total == 1 and counts["stage"] == {"idea": 1}
    assert oracle("q=seeds")[1] == 2  # "Seed bank", "Orbit seeds"


@pytest.mark.parametrize("change", [_publish, _unpublish, _edit, _link, _unlink_by_raw_sql, _delete])
def test_bitmap_counts_follow_every_write(world, change):
    before = {query: from_bitmaps(query) for query in QUERIES}
    change(world)
    after = {query: from_bitmaps(query) for query in QUERIES}
    assert after == {query: oracle(query) for query in QUERIES}
    assert after != before


def test_a_rolled_back_write_leaves_the_index_as_it_was(world):
    before = from_bitmaps("theme=food")
    with transaction.atomic():
        Case.objects.filter(slug="a").delete()
        assert from_bitmaps("theme=food") == oracle("theme=food") != before  # built inside the transaction
        transaction.set_rollback(True)
    assert from_bitmaps("theme=food") == oracle("theme=food") == before


def test_every_option_link_of_the_browser_shows_the_count_it_promises(client, world):
    _link(world)
    response = client.get(reverse("cases:case-list") + "?country=us&year_from=2005")
    options = [option for facet in response.context["facets"] for option in facet.options if not option.selected]
    assert len(options) > 10
    for option in options:  # a selected option's link removes it
        followed = client.get(reverse("cases:case-list") + "?" + option.query)
        assert followed.context["paginator"].count == option.count, option
        assert option.count == len(followed.context["page_obj"].object_list)  # the count is the list's


def test_the_start_year_chart_counts_the_filtered_cases(client, world):
    columns = client.get(reverse("cases:case-list") + "?theme=food").context["charts"]["years"]["columns"]
    assert {column.year: column.count for column in columns if column.count} == {2001: 1, 2010: 1, 2019: 1}


def forget_the_process_index(monkeypatch):
    """As another worker process would start: no index of its own."""
    monkeypatch.setitem(library_version._memo, "version", None)


def test_the_index_is_built_in_a_fixed_number_of_queries(world, monkeypatch, django_assert_num_queries):
    version = library_version.current()
    forget_the_process_index(monkeypatch)
    with django_assert_num_queries(13):  # the published cases; per taxonomy its link rows and its names
        built = case_index.current(version=version)
    CaseFactory.create_batch(5, countries=["CA", "BR"], themes=[ThemeFactory()])
    version = library_version.current()
    forget_the_process_index(monkeypatch)
    with django_assert_num_queries(13):  # as many with more cases
        assert len(case_index.current(version=version).published) == len(built.published) + 5
    with django_assert_num_queries(1):  # the same library: only its version is read
        case_index.current()


def test_another_process_loads_the_index_from_the_shared_cache(world, monkeypatch, django_assert_num_queries):
    built = case_index.current()
    forget_the_process_index(monkeypatch)
    with django_assert_num_queries(1):  # the version; the in-memory cache holds the index
        loaded = case_index.current()
    assert loaded is not built and loaded == built


def test_the_home_pages_counts_are_the_index_s(client, world):
    _publish(world)  # the draft adds Japan
    context = client.get(reverse("cases:home")).context
    published = Case.objects.published()
    assert context["case_count"] == published.count() == 6
    assert context["country_count"] == published.values("countries").distinct().count() == 5  # CA US FR DE JP
