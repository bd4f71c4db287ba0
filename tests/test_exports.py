"""CSV and JSON exports: exactly the filtered set (all pages), one row per case, links as slugs."""

import csv
import io
import json

import pytest
from django.http import QueryDict
from django.urls import reverse

from cases.browse import exports
from cases.browse.filters import CaseFilter
from cases.models import Case, Participation
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


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def read_json(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.streaming
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def detailed():
    """One fully linked published case, with a published parent, and a draft linked alike."""
    food = ThemeFactory(slug="food")
    prize = ApproachFactory(slug="prize")
    parent = CaseFactory(slug="parent", title="Parent", countries=["CA"])
    case = CaseFactory(
        slug="deep-space-food",
        title='Deep Space Food, "the challenge"',
        summary="Food for space.\nTwo lines.",
        countries=["US", "CA"],
        themes=[food],
        approaches=[prize],
        stage="scaling",
        start_year=2019,
        end_year=2024,
        website="https://example.org/dsfc",
        parent=parent,
    )
    ParticipationFactory(
        case=case, organisation=OrganisationFactory(slug="nasa", name="NASA"), role=Participation.Role.LEAD
    )
    ParticipationFactory(
        case=case, organisation=OrganisationFactory(slug="csa", name="CSA"), role=Participation.Role.PARTNER
    )
    CaseChallengeFactory(case=case, challenge=ChallengeFactory(slug="culture", order=1))
    CaseChallengeFactory(case=case, challenge=ChallengeFactory(slug="scaling", order=2))
    CaseSuccessFactorFactory(case=case, success_factor=SuccessFactorFactory(slug="trust"))
    CaseFactory(slug="draft", status=Case.Status.DRAFT, countries=["CA"], themes=[food])
    CaseFactory(slug="in-review", status=Case.Status.REVIEW, countries=["CA"], themes=[food])
    return case


def test_csv_row_holds_every_field_with_links_joined(client, detailed):
    rows = {row["slug"]: row for row in read_csv(client.get(reverse("cases:case-export-csv")))}
    assert list(rows) == ["deep-space-food", "parent"]
    row = rows["deep-space-food"]
    assert list(row) == exports.FIELDS
    assert row["title"] == 'Deep Space Food, "the challenge"'
    assert row["summary"] == "Food for space.\nTwo lines."
    assert (row["stage"], row["start_year"], row["end_year"]) == ("scaling", "2019", "2024")
    assert row["parent"] == "parent"
    assert row["countries"] == "CA;US"
    assert row["organisations"] == "nasa:lead;csa:partner"
    assert row["themes"] == "food"
    assert row["approaches"] == "prize"
    assert row["challenges"] == "culture;scaling"
    assert row["success_factors"] == "trust"
    assert row["url"] == "http://testserver/cases/deep-space-food/"
    assert "status" not in row and "body" not in row


def test_json_has_the_count_and_lists(client, detailed):
    data = read_json(client.get(reverse("cases:case-export-json"), {"country": "us"}))
    assert data["count"] == 1
    [row] = data["results"]
    assert row["countries"] == ["CA", "US"]
    assert row["organisations"] == ["nasa:lead", "csa:partner"]
    assert row["challenges"] == ["culture", "scaling"]
    assert row["start_year"] == 2019 and row["end_year"] == 2024


def test_a_parent_that_is_not_published_is_not_named(client, detailed):
    Case.objects.filter(slug="parent").update(status=Case.Status.DRAFT)
    data = read_json(client.get(reverse("cases:case-export-json")))
    assert [(row["slug"], row["parent"]) for row in data["results"]] == [("deep-space-food", "")]


@pytest.fixture
def many():
    """45 published cases (Canada or the US, food or space) and 5 drafts, written in bulk."""
    food, space = ThemeFactory(slug="food"), ThemeFactory(slug="space")
    built = [
        CaseFactory.build(slug=f"case-{number:02d}", title=f"Case {number:02d}", start_year=2000 + number % 10)
        for number in range(45)
    ] + [CaseFactory.build(slug=f"draft-{number}", status=Case.Status.DRAFT) for number in range(5)]
    cases = Case.objects.bulk_create(built)
    Case.countries.through.objects.bulk_create(
        Case.countries.through(case_id=case.pk, country_id="CA" if number % 3 or number >= 45 else "US")
        for number, case in enumerate(cases)
    )
    Case.themes.through.objects.bulk_create(
        Case.themes.through(case_id=case.pk, theme_id=(food if number % 2 or number >= 45 else space).pk)
        for number, case in enumerate(cases)
    )


@pytest.mark.parametrize(
    "query", ["", "country=ca", "country=ca&theme=food", "theme=food&theme=space&year_from=2005", "q=Summary"]
)
def test_exports_equal_the_filtered_set_across_all_pages(client, many, query):
    expected = list(CaseFilter(QueryDict(query)).qs.values_list("slug", flat=True))
    assert len(expected) > 0
    csv_slugs = [row["slug"] for row in read_csv(client.get(reverse("cases:case-export-csv") + "?" + query))]
    data = read_json(client.get(reverse("cases:case-export-json") + "?" + query))
    assert csv_slugs == expected
    assert [row["slug"] for row in data["results"]] == expected
    assert data["count"] == len(expected)
    assert not any(slug.startswith("draft") for slug in csv_slugs)


def test_exports_follow_the_sort(client, many):
    rows = read_csv(client.get(reverse("cases:case-export-csv"), {"sort": "-year"}))
    years = [int(row["start_year"]) for row in rows]
    assert years == sorted(years, reverse=True)


def test_exports_with_a_malformed_filter_answer_400_in_plain_text(client, many):
    for name in ("case-export-csv", "case-export-json"):
        response = client.get(reverse(f"cases:{name}"), {"year_from": "abc", "sort": "bogus"})
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        assert "year_from: Enter a whole number." in text
        assert "sort: Select a valid choice." in text


def test_exports_ignore_unknown_values_as_the_browser_does(client, many):
    rows = read_csv(client.get(reverse("cases:case-export-csv"), {"country": ["zz", "us"]}))
    assert len(rows) == 15


def test_export_queries_are_bounded_per_chunk(client, many, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 20)
    # 45 cases in 3 chunks: the cases (one query, read in chunks), then one query per kind of link (7, supporting links included)
    # and one for the claims' evidence, a chunk.
    with django_assert_max_num_queries(1 + 3 * 8 + 1):
        rows = read_csv(client.get(reverse("cases:case-export-csv")))
    assert len(rows) == 45


def test_the_case_browser_links_its_exports_with_its_filters(client, many):
    response = client.get(reverse("cases:case-list"), {"country": "ca", "page": "2"})  # 30 cases: page 2 exists
    assert response.context["csv_url"] == "/cases.csv?country=ca"
    assert response.context["json_url"] == "/cases.json?country=ca"
    html = response.content.decode()
    assert 'href="/cases.csv?country=ca"' in html
    assert 'href="/cases.json?country=ca"' in html


def test_csv_cells_never_start_a_spreadsheet_formula(client):
    CaseFactory(slug="formula", title='=HYPERLINK("http://evil.example")', summary="+1 and @SUM(A1)")
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/cases.csv").streaming_content).decode())))
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[0]["summary"] == "'+1 and @SUM(A1)"


def test_exports_carry_each_claim_with_its_supporting_quote_links(client, detailed):
    from cases.models import Challenge
    from tests.factories import QuoteFactory

    on_culture = QuoteFactory(cases=[detailed], start_second=5)
    on_culture.challenges.add(Challenge.objects.get(slug="culture"))
    on_case = QuoteFactory(cases=[detailed], start_second=9)
    data = read_json(client.get(reverse("cases:case-export-json")))
    case = next(row for row in data["results"] if row["slug"] == "deep-space-food")
    assert case["claims"] == [
        {"claim": "summary", "evidenced": True, "quotes": [f"http://testserver/quotes/{on_case.pk}/"]},
        {"claim": "challenge:culture", "evidenced": True, "quotes": [f"http://testserver/quotes/{on_culture.pk}/"]},
        {"claim": "challenge:scaling", "evidenced": False, "quotes": []},
        {"claim": "success-factor:trust", "evidenced": False, "quotes": []},
    ]
    row = next(
        row for row in read_csv(client.get(reverse("cases:case-export-csv"))) if row["slug"] == "deep-space-food"
    )
    assert row["claims"] == (
        f"summary: http://testserver/quotes/{on_case.pk}/; challenge:culture: http://testserver/quotes/{on_culture.pk}/; "
        "challenge:scaling: not yet evidenced; success-factor:trust: not yet evidenced"
    )


def test_url_maker_gives_what_reverse_and_build_absolute_uri_give(rf):
    from django.urls import reverse

    from cases.browse.exports import url_maker

    request = rf.get("/cases.csv")
    for name, kwarg, values in (
        ("cases:case-detail", "slug", ["a", "gen-0001", "x_y-9", "0123"]),
        ("cases:quote-detail", "pk", [1, 42, 1234567890]),
    ):
        made = url_maker(request.build_absolute_uri, name, kwarg)
        for value in values:
            assert made(value) == request.build_absolute_uri(reverse(name, kwargs={kwarg: value}))
