"""The matrix of published cases against challenges and success factors, as a page and as CSV."""

import csv
import io

import pytest
from django.urls import reverse

from cases.models import Case, SuccessFactor
from tests.factories import (
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    ChallengeFactory,
    QuoteFactory,
    SuccessFactorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid():
    """Three published cases and a draft, two challenges, two success factors, some links."""
    culture = ChallengeFactory(name="Cultural norms", slug="cultural-norms", order=1)
    loops = ChallengeFactory(name="Feedback loops", slug="feedback-loops", order=2)
    trust = SuccessFactorFactory(name="Trust", slug="trust", kind=SuccessFactor.Kind.PROJECT)
    platforms = SuccessFactorFactory(
        name="Shared platforms", slug="shared-platforms", kind=SuccessFactor.Kind.ECOSYSTEM
    )
    alpha = CaseFactory(title="Alpha", slug="alpha")
    beta = CaseFactory(title="Beta", slug="beta")
    CaseFactory(title="Gamma", slug="gamma")
    draft = CaseFactory(title="Draft case", slug="draft-case", status=Case.Status.DRAFT)
    CaseChallengeFactory(case=alpha, challenge=culture)
    CaseChallengeFactory(case=beta, challenge=culture)
    CaseChallengeFactory(case=beta, challenge=loops)
    CaseSuccessFactorFactory(case=alpha, success_factor=platforms)
    CaseChallengeFactory(case=draft, challenge=loops)
    CaseSuccessFactorFactory(case=draft, success_factor=trust)
    return {"challenges": [culture, loops], "factors": [trust, platforms]}


LINKED = {
    ("alpha", "challenge-cultural-norms"),
    ("beta", "challenge-cultural-norms"),
    ("beta", "challenge-feedback-loops"),
    ("alpha", "success-factor-shared-platforms"),
}


def marked_pairs(rows, columns):
    return {(row.case.slug, column.anchor) for row in rows for column, href in zip(columns, row.cells) if href}


def test_matrix_marks_exactly_the_linked_pairs(client, grid):
    response = client.get(reverse("cases:matrix"))
    assert response.status_code == 200
    assert marked_pairs(response.context["rows"], response.context["columns"]) == LINKED
    html = response.content.decode()
    for slug, anchor in LINKED:
        assert f'href="/cases/{slug}/#{anchor}"' in html
    assert html.count('<a class="dot dot--') == len(LINKED)


def test_matrix_cells_land_on_the_case_pages_evidence_for_that_term(client, grid):
    """Every anchor a marked cell links to exists on the case page it points at."""
    for slug, anchor in LINKED:
        case_page = client.get(reverse("cases:case-detail", kwargs={"slug": slug})).content.decode()
        assert f'id="{anchor}"' in case_page, (slug, anchor)


def test_matrix_columns_are_challenges_then_project_then_ecosystem_factors(client, grid):
    response = client.get(reverse("cases:matrix"))
    assert [column.anchor for column in response.context["columns"]] == [
        "challenge-cultural-norms",
        "challenge-feedback-loops",
        "success-factor-trust",
        "success-factor-shared-platforms",
    ]


def test_matrix_column_totals_count_the_linked_published_cases(client, grid):
    response = client.get(reverse("cases:matrix"))
    assert [column.total for column in response.context["columns"]] == [2, 1, 0, 1]


def test_drafts_never_appear_in_the_matrix(client, grid):
    response = client.get(reverse("cases:matrix"))
    assert [row.case.slug for row in response.context["rows"]] == ["alpha", "beta", "gamma"]
    assert b"Draft case" not in response.content


def test_matrix_scrolls_inside_its_own_region_on_a_phone(client, grid):
    html = client.get(reverse("cases:matrix")).content.decode()
    assert '<div class="table-scroll" role="region"' in html


def test_matrix_csv_has_a_row_per_case_and_a_column_per_term(client, grid):
    response = client.get(reverse("cases:matrix-csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "slug",
        "title",
        "url",
        "claims",
        "claims_evidenced",
        "Challenge: Cultural norms",
        "Challenge: Cultural norms (quote ids)",
        "Challenge: Feedback loops",
        "Challenge: Feedback loops (quote ids)",
        "Success factor: Trust",
        "Success factor: Trust (quote ids)",
        "Success factor: Shared platforms",
        "Success factor: Shared platforms (quote ids)",
    ]
    none = "not yet evidenced"
    assert rows[1:] == [
        ["alpha", "Alpha", "http://testserver/cases/alpha/", "2", "0", none, "", "", "", "", "", none, ""],
        ["beta", "Beta", "http://testserver/cases/beta/", "2", "0", none, "", none, "", "", "", "", ""],
        ["gamma", "Gamma", "http://testserver/cases/gamma/", "0", "0", "", "", "", "", "", "", "", ""],
    ]


def test_matrix_format_csv_parameter_gives_the_same_csv(client, grid):
    assert (
        client.get(reverse("cases:matrix"), {"format": "csv"}).content
        == client.get(reverse("cases:matrix-csv")).content
    )


def test_matrix_csv_keeps_spreadsheets_from_running_formulas(client):
    CaseFactory(title='=HYPERLINK("http://evil.example")', slug="formula")
    rows = list(csv.reader(io.StringIO(client.get(reverse("cases:matrix-csv")).content.decode())))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example")'


@pytest.mark.parametrize("page", ["x", "0", "-1", "9" * 5 + "x"])
def test_matrix_bad_page_is_a_400_with_a_message(client, grid, page):
    response = client.get(reverse("cases:matrix"), {"page": page})
    assert response.status_code == 400
    assert "whole number" in response.content.decode()


def test_matrix_page_past_any_list_is_a_404(client, grid):
    response = client.get(reverse("cases:matrix"), {"page": "9" * 20})
    assert response.status_code == 404
    assert "no list here has that many pages" in response.content.decode()


def test_matrix_filters_with_the_case_browser_parameters(client, grid):
    space = ThemeFactory(name="Space", slug="space")
    Case.objects.get(slug="beta").themes.add(space)
    Case.objects.get(slug="gamma").themes.add(space)
    response = client.get(reverse("cases:matrix"), {"theme": "space"})
    assert [row.case.slug for row in response.context["rows"]] == ["beta", "gamma"]
    assert [column.total for column in response.context["columns"]] == [1, 1, 0, 0]
    html = response.content.decode()
    assert "Theme: Space" in html  # the active filter, removable
    assert 'href="/matrix.csv?theme=space"' in html


def test_matrix_search_uses_the_shared_search(client, grid):
    response = client.get(reverse("cases:matrix"), {"q": "beta"})
    assert [row.case.slug for row in response.context["rows"]] == ["beta"]


def test_matrix_csv_follows_the_filters(client, grid):
    response = client.get(reverse("cases:matrix-csv"), {"stage": "pilot", "q": "alpha"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[0] for row in rows[1:]] == ["alpha"]


@pytest.mark.parametrize("params", [{"year_from": "abc"}, {"stage": "someday"}, {"theme": "Not A Slug"}])
def test_matrix_malformed_filter_is_a_400_with_a_message(client, grid, params):
    response = client.get(reverse("cases:matrix"), params)
    assert response.status_code == 400
    assert "Some filters are not valid" in response.content.decode()
    assert client.get(reverse("cases:matrix-csv"), params).status_code == 400


def test_matrix_unknown_filter_value_is_ignored_with_a_notice(client, grid):
    response = client.get(reverse("cases:matrix"), {"theme": "no-such-theme"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 3
    assert "no-such-theme" in response.content.decode()


@pytest.fixture
def evidenced(grid):
    """Alpha's claim on cultural norms is evidenced by one quote; the other claims are not."""
    alpha = Case.objects.get(slug="alpha")
    quote = QuoteFactory(cases=[alpha], text="Norms were bridged.")
    quote.challenges.add(grid["challenges"][0])
    # Linked to the challenge and to a case that does not claim it: evidence of nothing here.
    QuoteFactory(cases=[Case.objects.get(slug="gamma")]).challenges.add(grid["challenges"][0])
    return quote


def test_matrix_marks_evidenced_and_unevidenced_claims_by_shape_and_words(client, evidenced):
    response = client.get(reverse("cases:matrix"))
    html = response.content.decode()
    assert html.count('<a class="dot dot--evidenced"') == 1
    assert html.count('<a class="dot dot--unevidenced"') == len(LINKED) - 1
    assert 'aria-label="evidenced by 1 quote: see the evidence">●</a>' in html
    assert 'aria-label="claimed, not yet evidenced">○</a>' in html
    assert "Not yet evidenced: claimed, with no supporting quote yet" in html  # the legend
    rows = {row.case.slug: row for row in response.context["rows"]}
    assert (rows["alpha"].evidenced_count, rows["alpha"].claim_count) == (1, 2)
    assert '<td class="matrix__count">1 of 2</td>' in html
    assert [column.evidenced for column in response.context["columns"]] == [1, 0, 0, 0]


def test_matrix_filter_shows_only_evidenced_claims(client, evidenced):
    response = client.get(reverse("cases:matrix"), {"evidence": "evidenced"})
    assert marked_pairs(response.context["rows"], response.context["columns"]) == {
        ("alpha", "challenge-cultural-norms")
    }
    assert [column.total for column in response.context["columns"]] == [1, 0, 0, 0]
    assert 'href="/matrix.csv?evidence=evidenced"' in response.content.decode()


def test_matrix_bad_evidence_filter_is_a_400(client, grid):
    assert client.get(reverse("cases:matrix"), {"evidence": "maybe"}).status_code == 400
    assert client.get(reverse("cases:matrix-csv"), {"evidence": "maybe"}).status_code == 400


def test_matrix_csv_carries_the_evidence_status_and_the_quote_ids(client, evidenced):
    rows = list(csv.reader(io.StringIO(client.get(reverse("cases:matrix-csv")).content.decode())))
    alpha = rows[1]
    assert alpha[:7] == ["alpha", "Alpha", "http://testserver/cases/alpha/", "2", "1", "evidenced", str(evidenced.pk)]
    assert alpha[11:13] == ["not yet evidenced", ""]
    only = list(
        csv.reader(io.StringIO(client.get(reverse("cases:matrix-csv"), {"evidence": "evidenced"}).content.decode()))
    )
    assert only[2][5:] == [""] * 8  # beta: no evidenced claim
