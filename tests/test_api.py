"""The read-only API (api/): its schema, its resources, the same cases as the case browser,
published content only, cursor pages, conditional GET, throttling and CORS."""

import json
from email.utils import format_datetime

import pytest
from django.core.cache import cache
from django.db.models import Prefetch
from django.urls import reverse
from openapi_spec_validator import validate

from cases.models import Case, Quote
from tests.factories import (
    ApproachFactory,
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    ChallengeFactory,
    DocumentFactory,
    OrganisationFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    SuccessFactorFactory,
    ThemeFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    response = client.get(url, params)
    return response, (json.loads(response.content) if response["Content-Type"].startswith("application/json") else None)


def every_page(client, url, **params):
    """The results of every page of a list, following `next`."""
    results, page = [], client.get(url, {**params, "page_size": 3})
    while True:
        assert page.status_code == 200, page.content
        data = page.json()
        results += data["results"]
        if not data["next"]:
            return results
        page = client.get(data["next"])


@pytest.fixture
def library(db):
    """A small library of every kind of row, with drafts and archived cases beside the published."""
    space, health = ThemeFactory(name="Space", slug="space"), ThemeFactory(name="Health", slug="health")
    prize, lab = (
        ApproachFactory(slug="prize", family="experimentation"),
        ApproachFactory(slug="lab", family="governance"),
    )
    challenge, factor = ChallengeFactory(slug="legal"), SuccessFactorFactory(slug="trust")
    cases = {}
    for number, (countries, themes, approaches, stage, years) in enumerate(
        [
            (["ca", "us"], [space], [prize], "pilot", (2018, 2020)),
            (["ca"], [space, health], [lab], "scaling", (2021, None)),
            (["fr", "de"], [health], [prize, lab], "idea", (2015, 2016)),
            (["us"], [], [lab], "institutionalised", (None, None)),
            (["de"], [space], [], "pilot", (2022, 2023)),
            (["ke", "ca"], [health], [prize], "", (2019, None)),
            (["jp"], [space], [lab], "scaling", (2010, 2012)),
        ]
    ):
        cases[number] = CaseFactory(
            title=f"Case {chr(65 + number)}",
            slug=f"case-{chr(97 + number)}",
            countries=countries,
            themes=themes,
            approaches=approaches,
            stage=stage,
            start_year=years[0],
            end_year=years[1],
        )
    ParticipationFactory(case=cases[0], organisation=OrganisationFactory(slug="agency"), role="lead")
    CaseChallengeFactory(case=cases[0], challenge=challenge)
    CaseSuccessFactorFactory(case=cases[1], success_factor=factor)
    draft = CaseFactory(title="Draft", slug="draft", status=Case.Status.DRAFT, countries=["ca"], themes=[space])
    archived = CaseFactory(title="Archived", slug="archived", status=Case.Status.ARCHIVED, themes=[space])
    hidden_theme = ThemeFactory(slug="only-in-drafts")
    draft.themes.add(hidden_theme)
    ParticipationFactory(case=draft, organisation=OrganisationFactory(slug="draft-only-org"))
    source = SourceFactory(slug="vid00000001", youtube_id="vid00000001")
    document = DocumentFactory(source=source, slug="talk")
    document.topics.add(TopicFactory(slug="a_topic"))
    evidence = QuoteFactory(source=source, document=document, start_second=75, cases=[cases[0], draft])
    evidence.challenges.add(challenge)
    draft_only = QuoteFactory(source=source, start_second=90, cases=[draft])
    return {"cases": cases, "draft": draft, "archived": archived, "evidence": evidence, "draft_only": draft_only}


def test_the_schema_is_valid_openapi_and_every_endpoint_in_it_answers(client, library):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    examples = {
        "slug": {
            "cases": "case-a",
            "themes": "space",
            "approaches": "prize",
            "organisations": "agency",
            "challenges": "legal",
            "success-factors": "trust",
            "sources": "vid00000001",
            "documents": "talk",
            "topics": "a_topic",
        },
        "code": {"countries": "ca"},
        "id": {"quotes": str(library["evidence"].pk)},
    }
    answered = []
    for path in schema["paths"]:
        resource = path.split("/")[3]
        url = path
        for name, values in examples.items():
            url = url.replace(f"{{{name}}}", values.get(resource, "missing"))
        assert "{" not in url and "missing" not in url, path
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        answered.append(url)
    assert len(answered) == 22


def test_the_docs_page_loads_its_script_from_us_without_inline_script_or_style(client):
    page = client.get(reverse("api:docs")).content.decode()
    assert '<script src="/static/drf_spectacular_sidecar/' in page
    assert "<script>" not in page and "<style" not in page
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in script.content.decode()


COMBINATIONS = [
    {},
    {"country": "ca"},
    {"country": ["ca", "de"]},
    {"theme": "space", "country": "ca"},
    {"approach": "prize"},
    {"family": "governance"},
    {"region": "europe"},
    {"stage": "pilot"},
    {"year_from": "2019"},
    {"year_from": "2016", "year_to": "2020"},
    {"organisation": "agency"},
    {"challenge": "legal"},
    {"success_factor": "trust"},
    {"theme": "no-such-theme"},
    {"theme": "health", "sort": "-year"},
    {"sort": "year"},
    {"sort": "-updated"},
    {"q": "Case"},
]


@pytest.mark.parametrize(
    "params", COMBINATIONS, ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()) or "none"
)
def test_the_api_lists_the_same_cases_as_the_case_browser_in_the_same_order(client, library, params):
    browser = client.get(reverse("cases:case-list"), params)
    assert browser.status_code == 200
    expected = [case.slug for case in browser.context["cases"]]
    assert browser.context["paginator"].count == len(expected)  # one page of the browser
    listed = every_page(client, reverse("api:case-list"), **params)
    assert [case["slug"] for case in listed] == expected


@pytest.mark.parametrize(
    "params",
    [
        {"country": "zzz"},
        {"year_from": "abc"},
        {"sort": "bogus"},
        {"stage": "someday"},
        {"theme": "Not A Slug"},
        {"year_from": "2020", "year_to": "2010"},
        {"region": "mars"},
    ],
)
def test_malformed_filters_answer_400_with_the_case_browsers_messages(client, library, params):
    browser = client.get(reverse("cases:case-list"), params)
    response, data = get(client, reverse("api:case-list"), **params)
    assert browser.status_code == response.status_code == 400
    assert data["errors"] == {name: list(errors) for name, errors in browser.context["filter"].form.errors.items()}


def test_unknown_values_are_ignored_with_the_browsers_notice(client, library):
    _, data = get(client, reverse("api:case-list"), theme="no-such-theme")
    assert data["notices"] == ["Unknown theme “no-such-theme” ignored."]


def test_unpublished_content_never_appears(client, library):
    slugs = {case["slug"] for case in every_page(client, reverse("api:case-list"))}
    assert slugs == {case.slug for case in library["cases"].values()}
    for slug in ("draft", "archived"):
        assert client.get(reverse("api:case-detail", args=[slug])).status_code == 404
    themes = {theme["slug"] for theme in every_page(client, reverse("api:theme-list"))}
    assert "only-in-drafts" not in themes and {"space", "health"} <= themes
    assert client.get(reverse("api:theme-detail", args=["only-in-drafts"])).status_code == 404
    organisations = {row["slug"] for row in every_page(client, reverse("api:organisation-list"))}
    assert organisations == {"agency"}
    # A quote stays visible, as on the quote pages, but names only the published cases it supports.
    quotes = {quote["id"]: quote for quote in every_page(client, reverse("api:quote-list"))}
    assert [case["slug"] for case in quotes[library["evidence"].pk]["cases"]] == ["case-a"]
    assert quotes[library["draft_only"].pk]["cases"] == []
    _, detail = get(client, reverse("api:quote-detail", args=[library["draft_only"].pk]))
    assert detail["cases"] == []
    counts = {theme["slug"]: theme["published_case_count"] for theme in every_page(client, reverse("api:theme-list"))}
    assert counts["space"] == 4  # the draft and the archived case are not counted
    _, quote_filter = get(client, reverse("api:quote-list"), case="draft")
    assert quote_filter["errors"] == {"case": ["There is no published case “draft”."]}


def test_a_case_detail_has_its_links_roles_claims_and_their_quotes(client, library):
    response, case = get(client, reverse("api:case-detail", args=["case-a"]))
    assert response.status_code == 200
    assert [country["code"] for country in case["countries"]] == ["ca", "us"]
    assert case["organisations"] == [
        {
            "role": "lead",
            "organisation": {
                "id": case["organisations"][0]["organisation"]["id"],
                "slug": "agency",
                "name": case["organisations"][0]["organisation"]["name"],
                "url": "http://testserver/organisations/agency/",
            },
        }
    ]
    assert [approach["slug"] for approach in case["approaches"]] == ["prize"]
    assert case["url"] == "http://testserver/cases/case-a/"
    assert case["api_url"] == "http://testserver/api/v1/cases/case-a/"
    claims = {claim["claim"]: claim for claim in case["claims"]}
    assert set(claims) == {"summary", "challenge:legal"}
    evidence = claims["challenge:legal"]["quotes"]
    assert [quote["id"] for quote in evidence] == [library["evidence"].pk]
    assert evidence[0]["youtube_url"] == "https://www.youtube.com/watch?v=vid00000001&t=75s"
    assert claims["summary"]["evidenced"] is False


def test_a_quote_has_its_second_time_status_and_youtube_link(client, library):
    _, quote = get(client, reverse("api:quote-detail", args=[library["evidence"].pk]))
    assert quote["start_second"] == 75 and quote["timestamp"] == "00:01:15"
    assert quote["time_status"] == "exact" and quote["time_note"] == ""
    assert quote["youtube_url"] == "https://www.youtube.com/watch?v=vid00000001&t=75s"
    assert quote["challenges"] == ["legal"] and quote["document"] == "talk"


def test_quotes_filter_as_the_quote_browser_does(client, library):
    for params in ({"case": "case-a"}, {"challenge": "legal"}, {"source": "vid00000001"}, {"q": "statement"}):
        browser = client.get(reverse("cases:quote-list"), params)
        expected = [quote.pk for quote in browser.context["quotes"]]
        assert sorted(quote["id"] for quote in every_page(client, reverse("api:quote-list"), **params)) == sorted(
            expected
        )


def test_cursor_pages_walk_the_whole_list_once_and_page_size_is_bounded(client, library):
    source = SourceFactory(youtube_id="walk0000001")  # not the sequence's: the library holds vid00000001
    Quote.objects.bulk_create(Quote(source=source, text=f"Line {n}", start_second=n) for n in range(23))
    ids = [quote["id"] for quote in every_page(client, reverse("api:quote-list"))]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == Quote.objects.count()
    for bad in ("0", "201", "abc", "-1", "1.5"):
        response, data = get(client, reverse("api:quote-list"), page_size=bad)
        assert response.status_code == 400 and "page_size" in data
    assert client.get(reverse("api:quote-list"), {"cursor": "not-a-cursor"}).status_code == 404


def test_conditional_get_answers_304(client, library):
    url = reverse("api:case-list")
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    detail = client.get(reverse("api:case-detail", args=["case-a"]))
    assert client.get(reverse("api:case-detail", args=["case-a"]), HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304
    # A change to the library changes both validators.
    case = library["cases"][0]
    case.title = "Renamed"
    case.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    later = format_datetime(case.updated_at.replace(microsecond=0), usegmt=True)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=later).status_code == 304


def test_unpublishing_a_case_changes_the_etag(client, library):
    url = reverse("api:case-list")
    first = client.get(url)
    Case.objects.filter(slug="case-b").update(status=Case.Status.DRAFT)  # no updated_at change at all
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_past_the_limit_an_address_gets_429_with_retry_after(client, library, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "3/h"}  # per hour: a minute's end would reset it
    cache.clear()
    for _ in range(3):
        assert client.get(reverse("api:theme-list")).status_code == 200
    refused = client.get(reverse("api:case-list"))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert client.get(reverse("api:theme-list"), REMOTE_ADDR="192.0.2.7").status_code == 200


def test_cors_allows_any_origin_to_read_the_api_and_nothing_else(client, library):
    api = client.get(reverse("api:case-list"), HTTP_ORIGIN="https://example.org")
    assert api["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        reverse("api:case-list"), HTTP_ORIGIN="https://example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    page = client.get(reverse("cases:case-list"), HTTP_ORIGIN="https://example.org")
    assert "Access-Control-Allow-Origin" not in page


def test_the_api_is_read_only(client, library):
    assert client.post(reverse("api:case-list"), {}).status_code == 405
    assert client.delete(reverse("api:case-detail", args=["case-a"])).status_code == 405


def test_the_case_lists_direct_representation_equals_drfs_field_by_field_one(rf, library):
    from rest_framework import serializers as drf
    from rest_framework.request import Request

    from api.serializers import CaseSerializer
    from api.views import CaseViewSet

    request = Request(rf.get("/api/v1/cases/"))
    view = CaseViewSet(request=request, format_kwarg=None, kwargs={})
    view.sort_key = "title"
    for case in Case.objects.published().prefetch_related(
        Prefetch("countries", to_attr="country_list"), Prefetch("themes", to_attr="theme_list")
    ):
        serializer = CaseSerializer(case, context={"request": request, "view": view})
        assert serializer.data == drf.ModelSerializer.to_representation(serializer, case)


def test_a_case_detail_has_its_story_level_of_government_and_supporting_links(client, library):
    from cases.models import StoryEvidence, SupportingLink

    case = library["cases"][0]
    case.story_problem = "Borders **block** data."
    case.story_results = "Fewer delays."
    case.results_evidence = Case.ResultsEvidence.EXPECTED
    case.level_of_government = Case.LevelOfGovernment.NATIONAL
    case.save()
    SupportingLink.objects.create(case=case, title="Final report", url="https://example.org/r.pdf", kind="report")
    StoryEvidence.objects.create(case=case, section="problem").quotes.add(library["evidence"])
    response, data = get(client, reverse("api:case-detail", args=["case-a"]))
    assert response.status_code == 200
    assert data["level_of_government"] == "national"
    assert data["results_evidence"] == "expected"
    assert data["story"] == [
        {
            "section": "problem",
            "heading": "The problem addressed",
            "text": "Borders **block** data.",
            "claim": "story:problem",
        },
        {"section": "results", "heading": "Results and impact", "text": "Fewer delays.", "claim": "story:results"},
    ]
    claims = {claim["claim"]: claim for claim in data["claims"]}
    assert [quote["id"] for quote in claims["story:problem"]["quotes"]] == [library["evidence"].pk]
    assert data["supporting_links"] == [{"title": "Final report", "url": "https://example.org/r.pdf", "kind": "report"}]
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    detail = schema["components"]["schemas"]["CaseDetail"]["properties"]
    assert {"story", "level_of_government", "results_evidence", "supporting_links"} <= set(detail)
    parameters = {p["name"] for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert "level" in parameters
    _, listed = get(client, reverse("api:case-list"), level="national")
    assert [row["slug"] for row in listed["results"]] == ["case-a"]


@pytest.mark.parametrize(
    ("url", "params", "position"),
    [
        ("api:quote-list", {}, "abc"),  # an integer id
        ("api:quote-list", {}, "1.5"),
        ("api:challenge-list", {}, "abc"),  # an integer order
        ("api:case-list", {"sort": "year"}, "abc"),  # an annotated integer
        ("api:case-list", {"sort": "-updated"}, "notadate"),  # a datetime
        ("api:case-list", {"sort": "-updated"}, "2026-13-45"),
    ],
)
def test_a_tampered_cursor_position_is_the_invalid_cursor_answer_not_a_server_error(
    client, library, url, params, position
):
    import base64

    cursor = base64.b64encode(f"p={position}".encode()).decode()
    response, data = get(client, reverse(url), cursor=cursor, **params)
    assert response.status_code == 404
    assert data == {"detail": "Invalid cursor: use the `next` and `previous` links as given."}


def test_a_hyphenated_word_finds_its_quotes(client, library):
    # A number no factory text holds (factories number their texts in sequence).
    quote = QuoteFactory(source=library["evidence"].source, text="A cross-border pilot (73519% faster)")
    for query in ("cross-border", "CROSS-BORDER pilot", "73519"):
        _, data = get(client, reverse("api:quote-list"), q=query)
        assert [row["id"] for row in data["results"]] == [quote.pk], query
    page = client.get(reverse("cases:quote-list"), {"q": "cross-border"})
    assert quote.text in page.content.decode()


def test_a_claims_reason_shows_only_while_it_has_no_evidence_as_on_the_case_page(client, library):
    case = library["cases"][1]
    Case.objects.filter(pk=case.pk).update(summary_no_evidence_reason="Waiting for the 2024 report")
    _, data = get(client, reverse("api:case-detail", args=[case.slug]))
    summary = next(claim for claim in data["claims"] if claim["claim"] == "summary")
    assert summary["evidenced"] is False and summary["no_evidence_reason"] == "Waiting for the 2024 report"
    QuoteFactory(source=library["evidence"].source, cases=[case])
    _, data = get(client, reverse("api:case-detail", args=[case.slug]))
    summary = next(claim for claim in data["claims"] if claim["claim"] == "summary")
    assert summary["evidenced"] is True and summary["no_evidence_reason"] == ""
