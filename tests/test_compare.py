"""Two to four cases side by side: every field, shared values highlighted, bad or too many slugs answered clearly."""

import re

import pytest
from django.urls import reverse

from cases.models import Case, Participation
from tests.factories import (
    ApproachFactory,
    CaseChallengeFactory,
    CaseFactory,
    ChallengeFactory,
    OrganisationFactory,
    ParticipationFactory,
    QuoteFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    space = ThemeFactory(name="Space", slug="space")
    food = ThemeFactory(name="Food", slug="food")
    prize = ApproachFactory(name="Challenge prize", slug="challenge-prize")
    nasa = OrganisationFactory(name="NASA", slug="nasa")
    csa = OrganisationFactory(name="Canadian Space Agency", slug="csa")
    culture = ChallengeFactory(name="Cultural norms", slug="cultural-norms")
    first = CaseFactory(
        title="Deep Space Food",
        slug="deep-space-food",
        countries=["CA", "US"],
        themes=[space, food],
        approaches=[prize],
        stage=Case.Stage.SCALING,
        start_year=2021,
    )
    second = CaseFactory(
        title="Space Apps",
        slug="space-apps",
        countries=["US"],
        themes=[space],
        stage=Case.Stage.INSTITUTIONALISED,
        start_year=2012,
    )
    ParticipationFactory(case=first, organisation=nasa, role=Participation.Role.LEAD)
    ParticipationFactory(case=first, organisation=csa, role=Participation.Role.LEAD)
    ParticipationFactory(case=second, organisation=nasa, role=Participation.Role.LEAD)
    CaseChallengeFactory(case=first, challenge=culture)
    QuoteFactory(cases=[first])
    QuoteFactory(cases=[first, second])
    return first, second


def compare(client, *values):
    return client.get(reverse("cases:compare"), [("cases", value) for value in values])


def row(response, label):
    return next(row for row in response.context["rows"] if row.label == label)


def labels(cell, shared=None):
    return [value.label for value in cell if shared is None or value.shared == shared]


def test_compare_shows_the_cases_side_by_side_on_every_field(client, pair):
    response = compare(client, "deep-space-food,space-apps")
    assert response.status_code == 200
    assert [case.slug for case in response.context["cases"]] == ["deep-space-food", "space-apps"]
    assert [row.label for row in response.context["rows"]] == [
        "Countries",
        "Organisations and roles",
        "Themes",
        "Approaches",
        "Approach families",
        "Stage",
        "Years",
        "Part of",
        "Challenges met",
        "Success factors",
        "Evidence",
    ]
    assert labels(row(response, "Countries").cells[0]) == ["Canada", "United States"]
    assert labels(row(response, "Organisations and roles").cells[0]) == ["Canadian Space Agency (lead)", "NASA (lead)"]
    assert labels(row(response, "Stage").cells[1]) == ["Institutionalised"]
    assert labels(row(response, "Years").cells[0]) == ["2021–"]
    assert labels(row(response, "Challenges met").cells[0]) == ["Cultural norms"]
    assert labels(row(response, "Evidence").cells[0]) == ["2 quotes"]
    assert labels(row(response, "Evidence").cells[1]) == ["1 quote"]


def test_values_the_cases_share_are_highlighted(client, pair):
    response = compare(client, "deep-space-food,space-apps")
    assert labels(row(response, "Countries").cells[0], shared=True) == ["United States"]
    assert labels(row(response, "Countries").cells[0], shared=False) == ["Canada"]
    assert labels(row(response, "Themes").cells[1], shared=True) == ["Space"]
    assert labels(row(response, "Organisations and roles").cells[1], shared=True) == ["NASA (lead)"]
    assert labels(row(response, "Stage").cells[0], shared=True) == []
    html = response.content.decode()
    assert (
        '<li class="shared"><a href="/countries/us/">United States</a><span class="visually-hidden"> (shared)</span></li>'
        in html
    )


def test_repeated_cases_parameters_from_the_checkbox_form_are_accepted(client, pair):
    response = compare(client, "deep-space-food", "space-apps")
    assert [case.slug for case in response.context["cases"]] == ["deep-space-food", "space-apps"]


def test_unknown_and_unpublished_slugs_are_named_in_a_message(client, pair):
    CaseFactory(slug="secret-draft", status=Case.Status.DRAFT, title="Secret draft")
    response = compare(client, "deep-space-food,nope,secret-draft,space-apps")
    assert response.status_code == 200
    html = response.content.decode()
    assert "not found among the published cases: “nope”, “secret-draft”" in html
    assert "Secret draft" not in html
    assert [case.slug for case in response.context["cases"]] == ["deep-space-food", "space-apps"]


def test_fewer_than_two_valid_cases_says_so(client, pair):
    response = compare(client, "deep-space-food,nope")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Choose two to 4 cases to compare" in response.content.decode()


def test_more_than_four_cases_is_a_400_with_a_message(client, pair):
    response = compare(client, "a,b,c", "d,e")
    assert response.status_code == 400
    assert "at most 4 cases at a time; you asked for 5" in response.content.decode()


def test_an_overlong_cases_parameter_is_a_400_with_a_message(client, pair):
    response = compare(client, "x" * 5000)
    assert response.status_code == 400
    assert "too long" in response.content.decode()


@pytest.mark.parametrize(
    "value, status",
    [
        ("", 200),  # nothing chosen yet: the page invites a choice
        (",,,", 200),  # empty slugs are dropped: the same
        ("<script>alert(1)</script>,x", 200),  # slugs of no case: named as not found, escaped
        ("a\x00b,c", 400),  # a NUL is never part of an address (kb's NUL guard)
        ("x" * 5000, 400),  # too long: said in the page
        ("deep-space-food,deep-space-food", 200),  # the same case twice is one case
    ],
    ids=["empty", "commas", "markup", "nul", "overlong", "twice"],
)
def test_odd_cases_parameters_are_answered_clearly(client, pair, value, status):
    response = compare(client, value)
    assert response.status_code == status
    assert b"<script>alert(1)" not in response.content


def test_case_browser_results_carry_a_compare_checkbox_kept_by_the_filter_form(client, pair):
    html = client.get(reverse("cases:case-list")).content.decode()
    assert '<input type="checkbox" name="cases" value="deep-space-food" form="filters">' in html
    assert '<button type="submit" form="filters" formaction="/compare/">Compare the ticked cases</button>' in html


def test_cases_ticked_for_comparison_survive_paging_and_filtering(client, pair):
    """A ticked case stays ticked on the page that lists it, stays in the form (ticked, with its
    title) on a page that does not, and rides along in a chip's link."""
    listed = client.get(reverse("cases:case-list"), {"cases": "space-apps"}).content.decode()
    assert '<input type="checkbox" name="cases" value="space-apps" form="filters" checked>' in listed
    elsewhere = client.get(reverse("cases:case-list"), {"q": "nothing-matches-this", "cases": "space-apps"})
    html = elsewhere.content.decode()
    assert re.search(
        r'<input type="checkbox" name="cases" value="space-apps" form="filters" checked> [^<]+</label>', html
    )
    assert [case.slug for case in elsewhere.context["compare_elsewhere"]] == ["space-apps"]
    assert (
        "cases=space-apps"
        in client.get(reverse("cases:case-list"), {"country": "us", "cases": "space-apps"}).context["compare_query"]
    )
