"""The world map and the partner network (cases/browse/worldmap.py, cases/browse/network.py) on the case browser,
/countries/ and a country page: the same numbers as the facets and the ORM, links that add exactly
one filter, and bounded queries."""

import re
from urllib.parse import parse_qsl

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from cases.browse import case_index
from cases.browse.facets import count_options
from cases.browse.filters import CaseFilter
from cases.browse.network import shared_case_counts
from cases.browse.worldmap import bands, world
from cases.models import Case, Country
from tests.factories import CaseFactory, ThemeFactory
from tests.pages_library import build_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    space, food = ThemeFactory(slug="space"), ThemeFactory(slug="food")
    CaseFactory(countries=["CA", "US"], themes=[space])
    CaseFactory(countries=["CA", "US", "FR"], themes=[space])
    CaseFactory(countries=["CA", "FR"], themes=[food])
    CaseFactory(countries=["SG", "MT"], themes=[food])  # small states: dots
    CaseFactory(countries=["JP"], themes=[space])
    CaseFactory(countries=["CA", "US", "DE"], themes=[space], status=Case.Status.DRAFT)


def map_counts(response):
    return {shape.code: shape.count for shape in response.context["world_map"]["rows"]}


@pytest.mark.parametrize("query", ["", "theme=space", "country=ca", "country=ca&theme=food", "country=fr&country=us"])
def test_browser_map_counts_equal_the_country_facet_counts(client, library, query):
    response = client.get(f"/cases/?{query}")
    assert response.status_code == 200
    filterset = CaseFilter(QueryDict(query))
    assert filterset.is_valid()
    cases = filterset.cases_without("country") if filterset.selected("country") else filterset.cases_without("sort")
    expected = {value.upper(): count for value, _, count in count_options("country", cases=cases)}
    assert map_counts(response) == expected
    facet = next(facet for facet in response.context["facets"] if facet.name == "country")
    assert {option.value.upper(): option.count for option in facet.options if option.count} == expected


def test_a_country_on_the_browser_map_adds_exactly_that_country_to_the_filters(client, library):
    response = client.get("/cases/?theme=space&country=us&sort=-year")
    shapes = {shape.code: shape for shape in response.context["world_map"]["shapes"]}
    added = dict(parse_qsl(shapes["CA"].href.lstrip("?"), keep_blank_values=True))
    params = parse_qsl(shapes["CA"].href.lstrip("?"))
    assert sorted(params) == sorted([("theme", "space"), ("country", "us"), ("country", "ca"), ("sort", "-year")])
    assert added["theme"] == "space"
    removed = parse_qsl(shapes["US"].href.lstrip("?"))  # a selected country's link removes it
    assert sorted(removed) == sorted([("theme", "space"), ("sort", "-year")])
    assert shapes["DE"].href is None  # only a draft takes part: no link, no count
    followed = client.get(f"/cases/{shapes['CA'].href}")
    assert (
        followed.context["paginator"].count
        == Case.objects.published().with_theme("space").in_country("us", "ca").count()
    )


def test_map_svg_is_accessible_and_small_states_are_clickable_dots(client, library):
    html = client.get("/cases/").content.decode()
    assert re.search(r'<svg class="world-map__svg"[^>]*aria-labelledby="cases-map-title cases-map-desc"', html)
    assert '<title id="cases-map-title">' in html and '<desc id="cases-map-desc">' in html
    assert re.search(r'<a href="\?country=sg" aria-label="Singapore: 1 case"><g [^>]*>(<path [^>]*>)?<circle ', html)
    assert re.search(r'<td><a href="\?country=ca">Canada</a></td><td class="num">3</td>', html)  # the table beside
    assert "Natural Earth" in html


def test_a_counted_country_the_map_cannot_draw_keeps_its_row_in_the_table(client, library):
    CaseFactory(countries=["AQ", "CA"])  # Antarctica: not drawn (the map is cropped above it)
    response = client.get("/cases/")
    facet = next(facet for facet in response.context["facets"] if facet.name == "country")
    assert map_counts(response) == {option.value.upper(): option.count for option in facet.options if option.count}
    assert "AQ" not in {shape.code for shape in response.context["world_map"]["shapes"]}
    assert re.search(r'<td><a href="\?country=aq">Antarctica</a></td><td class="num">1</td>', response.content.decode())


def test_every_country_of_the_table_but_antarctica_is_on_the_map():
    assert set(world()["countries"]) == set(Country.objects.exclude(code="AQ").values_list("code", flat=True))
    assert {"SG", "MT", "MC", "VA"} <= {code for code, shape in world()["countries"].items() if "dot" in shape}


def test_legend_bands_cover_every_count_once():
    for maximum in (1, 2, 3, 7, 43, 1000):
        legend = bands(maximum)
        covered = [n for band in legend for n in range(band.low, band.high + 1)]
        assert covered == list(range(1, maximum + 1))


def test_network_edges_equal_the_orm_shared_case_counts(library):
    published = Case.objects.published()
    pairs = shared_case_counts(published)
    assert pairs == {("CA", "US"): 2, ("CA", "FR"): 2, ("FR", "US"): 1, ("MT", "SG"): 1}
    for (first, second), shared in pairs.items():
        assert published.in_country(first).in_country(second).count() == shared


def test_countries_page_draws_the_map_and_network_filtered_by_the_browser_parameters(client, library):
    everything = client.get("/countries/")
    assert everything.status_code == 200
    assert map_counts(everything) == {"CA": 3, "US": 2, "FR": 2, "SG": 1, "MT": 1, "JP": 1}
    pairs = {(edge.first.code, edge.second.code): edge.shared for edge in everything.context["network"]["edges"]}
    assert {tuple(sorted(pair)): shared for pair, shared in pairs.items()} == shared_case_counts(
        Case.objects.published()
    )
    food = client.get("/countries/?theme=food")
    assert map_counts(food) == {"CA": 1, "FR": 1, "SG": 1, "MT": 1}
    html = food.content.decode()
    assert "Theme: " in html and "Strongest pairs" in html
    shapes = {shape.code: shape for shape in food.context["world_map"]["shapes"]}
    assert sorted(parse_qsl(shapes["FR"].href.split("?", 1)[1])) == [("country", "fr"), ("theme", "food")]
    assert client.get("/countries/?theme=Not%20A%20Slug").status_code == 400


def test_country_page_map_highlights_the_country_and_shades_its_partners(client, library):
    response = client.get("/countries/ca/")
    html = response.content.decode()
    assert "Canada’s partners" in html
    assert map_counts(response) == {"US": 2, "FR": 2}
    shapes = {shape.code: shape for shape in response.context["world_map"]["shapes"]}
    assert shapes["CA"].highlight and shapes["CA"].href == "/countries/ca/"
    edges = {(edge.first.code, edge.second.code): edge.shared for edge in response.context["network"]["edges"]}
    assert {tuple(sorted(pair)): n for pair, n in edges.items()} == {("CA", "US"): 2, ("CA", "FR"): 2, ("FR", "US"): 1}
    centre = [node for node in response.context["network"]["nodes"] if node.centre]
    assert [node.code for node in centre] == ["CA"]


def test_country_page_map_does_not_say_the_country_shares_no_case_with_itself(client, library):
    """The highlighted country is a link too; its name must not read "Canada: 0 shared cases"
    (Canada takes part in three cases) to a screen reader or in the tooltip."""
    html = client.get("/countries/ca/").content.decode()
    assert "Canada: 0 shared case" not in html
    assert 'aria-label="Canada (this country)"' in html
    assert "<title>Canada (this country)</title>" in html


def test_countries_page_says_an_unknown_filter_value_was_ignored(client, library):
    """As the case browser does: /countries/?country=zz shows every published case, and says why."""
    response = client.get("/countries/?country=zz&theme=no-such-theme")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown country “zz” ignored." in html
    assert "Unknown theme “no-such-theme” ignored." in html
    assert "Unknown" not in client.get("/countries/?theme=space").content.decode()


@pytest.mark.parametrize(
    "name, label",
    [
        ("Canada", "Canada"),
        ("Bonaire, Sint Eustatius and Saba", "Bonaire, Sint…"),
        ("Bosnia and Herzegovina", "Bosnia and…"),
        ("United Arab Emirates", "United Arab…"),
        ("Bundesministeriumfuer Inneres", "Bundesministeri…"),  # no whole word fits: cut as before
    ],
)
def test_network_labels_are_cut_after_a_whole_word(name, label):
    from cases.templatetags.maps import short_label

    assert short_label(name, 16) == label


def test_network_node_labels_are_whole_words_of_the_link_name(client, db):
    """axe-core's label-content-name-mismatch (WCAG 2.5.3): a node's visible label must be found,
    word for word, in its link's name; "Bonaire, Sint E…" was not."""
    CaseFactory(countries=["BQ", "CA"])
    html = client.get("/countries/").content.decode()
    nodes = re.findall(
        r'<a href="/countries/\w\w/" aria-label="([^"]*)"><g class="network__node[^"]*">.*?<text [^>]*>([^<]*)</text>',
        html,
    )
    assert nodes
    for accessible_name, label in nodes:
        name = accessible_name.rsplit(": ", 1)[0]  # "Canada: 1 shared case link"
        words = label.rstrip("…").split()
        assert name.split()[: len(words)] == words, (name, label)


@pytest.fixture
def many(db):
    build_library(cases=40)
    CaseFactory.create_batch(5, status=Case.Status.DRAFT, countries=["CA", "US"])


@pytest.mark.parametrize(
    "url, queries",
    [
        ("/countries/", 2),  # the list (its counts shade the map), the pairs
        ("/countries/?stage=pilot", 3),  # the list, the index's version (the map's counts), the pairs
        ("/countries/?country=ca&stage=pilot", 4),  # and the country look-up
        ("/countries/ca/", 7),  # the country page's 6, and the pairs
    ],
)
def test_map_and_network_add_at_most_one_query_each(client, many, django_assert_max_num_queries, url, queries):
    # The pairs are remembered under the library version: the first view reads the version and
    # counts them, a repeated one reads only the version. The library's bitmaps are built once per
    # version (tests/test_case_index.py).
    case_index.current()
    with django_assert_max_num_queries(queries + 1):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as repeated:
        assert client.get(url).status_code == 200
    assert len(repeated) <= queries
    assert not any("case__countries__code" in q["sql"] for q in repeated.captured_queries)  # no pairs


def test_network_and_charts_follow_every_write(client, library):
    """The remembered aggregates are keyed by the library version, which every write changes:
    publishing a case, linking a quote, changes the numbers on the next view."""
    from tests.factories import CaseChallengeFactory, ChallengeFactory, QuoteFactory

    def pairs():
        return {(e.first.code, e.second.code): e.shared for e in client.get("/countries/").context["network"]["edges"]}

    def years():
        columns = client.get("/").context["charts"]["years"]["columns"]
        return {column.year: column.count for column in columns if column.count}

    def chart():
        bars = client.get("/challenges/").context["chart"]["bars"]
        return [(bar.label, bar.count, bar.second) for bar in bars]

    before_pairs, before_years = pairs(), years()
    assert pairs() == before_pairs  # remembered: the same numbers
    draft = Case.objects.get(status=Case.Status.DRAFT)  # CA, US, DE
    draft.start_year = 1999
    draft.status = Case.Status.PUBLISHED
    draft.save()
    after = pairs()
    assert after[("CA", "US")] == before_pairs[("CA", "US")] + 1
    assert after[("CA", "DE")] == 1 and ("CA", "DE") not in before_pairs
    assert years() == {**before_years, 1999: before_years.get(1999, 0) + 1}

    language = ChallengeFactory(name="Language barriers")
    CaseChallengeFactory(case=draft, challenge=language)
    assert chart() == [("Language barriers", 1, 0)]
    evidence = QuoteFactory()
    evidence.challenges.add(language)
    assert chart() == [("Language barriers", 1, 0)]  # a quote of no case evidences nothing
    evidence.cases.add(draft)  # a quote link alone (cases_quote_cases) changes the version
    assert chart() == [("Language barriers", 1, 1)]
    evidence.cases.remove(draft)
    assert chart() == [("Language barriers", 1, 0)]


# --- Charts --------------------------------------------------------------------------------------


def test_browser_charts_count_the_filtered_cases_by_year_family_and_stage(client, library):
    from cases.models import Approach
    from tests.factories import ApproachFactory

    testbed = ApproachFactory(family=Approach.Family.EXPERIMENTATION)
    for case in Case.objects.published().with_theme("space"):
        case.approaches.add(testbed)
    Case.objects.filter(slug__in=Case.objects.published().with_theme("space").values("slug")[:1]).update(
        start_year=2015
    )
    response = client.get("/cases/?theme=space")
    charts = response.context["charts"]
    expected_years = {}
    for year in Case.objects.published().with_theme("space").values_list("start_year", flat=True):
        expected_years[year] = expected_years.get(year, 0) + 1
    assert {column.year: column.count for column in charts["years"]["columns"] if column.count} == expected_years
    assert [(bar.label, bar.count) for bar in charts["families"]["bars"]] == [("Experimentation", 3)]
    assert [(bar.label, bar.count) for bar in charts["stages"]["bars"]] == [("Pilot", 3)]
    html = response.content.decode()
    assert re.search(r'<desc id="chart-stages-desc">Pilot: 3 cases</desc>', html)  # the text alternative
    assert re.search(r'<desc id="chart-years-desc">Cases by start year: 2015: 1; 2020: 2\.</desc>', html)


def test_overview_and_term_lists_chart_how_often_each_is_met(client, library):
    from tests.factories import CaseChallengeFactory, ChallengeFactory

    language = ChallengeFactory(name="Language barriers")
    for case in Case.objects.published()[:2]:
        CaseChallengeFactory(case=case, challenge=language)
    home = client.get("/").content.decode()
    assert '<desc id="home-stages-desc">Pilot: 5 cases</desc>' in home
    challenges = client.get("/challenges/")
    assert [(bar.label, bar.count) for bar in challenges.context["chart"]["bars"]] == [("Language barriers", 2)]
    assert "Language barriers: 2 cases met, 0 evidenced" in challenges.content.decode()


def test_term_lists_chart_how_often_each_is_met_and_evidenced(client, library):
    """Two series: the published cases claiming the term, and those whose claim has a quote
    linked to both the case and the term (cases.claims); drafts and unclaimed links do not count."""
    from tests.factories import (
        CaseChallengeFactory,
        CaseSuccessFactorFactory,
        ChallengeFactory,
        QuoteFactory,
        SuccessFactorFactory,
    )

    language = ChallengeFactory(name="Language barriers")
    trust = SuccessFactorFactory(name="Trust")
    first, second, third = Case.objects.published()[:3]
    draft = CaseFactory(status=Case.Status.DRAFT)
    for case in (first, second, draft):
        CaseChallengeFactory(case=case, challenge=language)
        CaseSuccessFactorFactory(case=case, success_factor=trust)
    evidence = QuoteFactory(cases=[first, draft])  # evidences the first case's claims (and the draft's)
    evidence.challenges.add(language)
    evidence.success_factors.add(trust)
    unclaimed = QuoteFactory(cases=[third])  # the third case does not claim them: no evidence of a claim
    unclaimed.challenges.add(language)
    on_term_only = QuoteFactory()  # linked to the term and no case
    on_term_only.challenges.add(language)
    challenges = client.get("/challenges/")
    bars = [(bar.label, bar.count, bar.second) for bar in challenges.context["chart"]["bars"]]
    assert bars == [("Language barriers", 2, 1)]
    html = challenges.content.decode()
    assert '<desc id="challenge-chart-desc">Language barriers: 2 cases met, 1 evidenced</desc>' in html
    assert "Evidenced: those whose claim has a supporting quote" in html  # the legend, in words
    factors = client.get("/success-factors/")
    assert [(bar.label, bar.count, bar.second) for bar in factors.context["chart"]["bars"]] == [("Trust", 2, 1)]
    assert "Trust: 2 cases shown, 1 evidenced" in factors.content.decode()


def test_a_long_label_stays_inside_its_chart_and_is_named_in_full(client, library):
    from tests.factories import CaseChallengeFactory, ChallengeFactory

    long = ChallengeFactory(name="Lack of feedback mechanisms and learning loops")
    CaseChallengeFactory(case=Case.objects.published().first(), challenge=long)
    html = client.get("/challenges/").content.decode()
    assert "<title>Lack of feedback mechanisms and learning loops: 1 met, 0 evidenced</title>" in html
    shown = re.search(r'text-anchor="end">([^<]*)</text>', html).group(1)
    assert shown == "Lack of feedback mech…"  # 22 characters (with the ellipsis) of about 7 units fit in 170


@pytest.mark.parametrize(
    "url, queries",
    [
        ("/", 9),  # the overview's 8, and the version the index is read under (counts and charts)
        ("/challenges/", 2),  # the list's own counts, and one aggregate of the evidenced claims
        ("/success-factors/", 2),
    ],
)
def test_charts_add_at_most_one_query_each(client, many, django_assert_max_num_queries, url, queries):
    # The aggregates are remembered under the library version: the first view reads the version
    # too, a repeated one reads the version instead of the aggregate. The library's bitmaps are
    # built once per version (tests/test_case_index.py).
    case_index.current()
    with django_assert_max_num_queries(queries + 1):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(queries):
        assert client.get(url).status_code == 200


def test_a_selected_country_on_the_countries_map_is_removed_by_its_link(client, library):
    response = client.get("/countries/?theme=space&country=us")
    shapes = {shape.code: shape for shape in response.context["world_map"]["shapes"]}
    path, _, query = shapes["US"].href.partition("?")
    assert path == "/cases/" and sorted(parse_qsl(query)) == [("theme", "space")]  # toggled off
    path, _, query = shapes["CA"].href.partition("?")
    assert sorted(parse_qsl(query)) == [("country", "ca"), ("country", "us"), ("theme", "space")]  # added
    html = response.content.decode()
    assert 'href="/cases/?theme=space"' in html
    only = {shape.code: shape for shape in client.get("/countries/?country=ca").context["world_map"]["shapes"]}
    assert only["CA"].href == "/cases/"  # the last selected country removed: the whole browser


def test_countries_without_a_partner_are_listed_beside_the_network(client, library):
    response = client.get("/countries/")
    network = response.context["network"]
    assert [country.code for country in network["alone"]] == ["JP"]  # its one case is Japan's alone
    assert "JP" not in {node.code for node in network["nodes"]}
    assert re.search(r'no partner country \(1\): <a href="/countries/jp/">Japan</a>\.', response.content.decode())
    # Under a filter, the countries of the cases it leaves: Japan's space case, Canada, the US and
    # France sharing theirs.
    space = client.get("/countries/?theme=space").context["network"]
    assert [country.code for country in space["alone"]] == ["JP"]
    food = client.get("/countries/?theme=food").context["network"]
    assert food["alone"] == []
