"""The Atom feed of newly published cases."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from cases.browse.feeds import FEED_LENGTH
from cases.models import Case
from tests.factories import (
    ApproachFactory,
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    ChallengeFactory,
    SuccessFactorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client):
    response = client.get(reverse("cases:case-feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def published(days_ago, **kwargs):
    return CaseFactory(published_at=dt.datetime(2025, 1, 31, tzinfo=dt.UTC) - dt.timedelta(days=days_ago), **kwargs)


def test_feed_lists_published_cases_newest_first(client):
    published(10, title="Older", slug="older")
    published(1, title="Newer", slug="newer", themes=[ThemeFactory(name="Space", slug="space")])
    feed = entries(client)
    assert [entry.findtext(f"{ATOM}title") for entry in feed] == ["Newer", "Older"]
    newest = feed[0]
    assert newest.find(f"{ATOM}link").get("href") == "http://testserver/cases/newer/"
    assert newest.findtext(f"{ATOM}summary") == "Summary of Newer."
    assert newest.findtext(f"{ATOM}published").startswith("2025-01-30")
    assert [category.get("term") for category in newest.findall(f"{ATOM}category")] == ["Space"]


@pytest.mark.parametrize("status", [Case.Status.DRAFT, Case.Status.REVIEW, Case.Status.ARCHIVED])
def test_drafts_never_appear_in_the_feed(client, status):
    published(1, title="Public")
    published(0, title="Not public", status=status)
    assert [entry.findtext(f"{ATOM}title") for entry in entries(client)] == ["Public"]


def test_feed_is_bounded(client):
    for number in range(FEED_LENGTH + 3):
        published(number)
    assert len(entries(client)) == FEED_LENGTH


# Feeds for any filter (issue 19): the case browser's parameters, and one feed per term page.


def titles(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return root.findtext(f"{ATOM}title"), [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]


@pytest.fixture
def filtered_library(db):
    space = ThemeFactory(name="Space", slug="space")
    health = ThemeFactory(name="Health", slug="health")
    published(3, title="Canada space", slug="ca-space", countries=["ca"], themes=[space], stage="pilot")
    published(2, title="Canada health", slug="ca-health", countries=["ca"], themes=[health], stage="scaling")
    published(1, title="France space", slug="fr-space", countries=["fr"], themes=[space], stage="pilot")
    published(0, title="Draft space", slug="draft-space", countries=["ca"], themes=[space], status=Case.Status.DRAFT)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ["France space", "Canada health", "Canada space"]),
        ({"country": "ca"}, ["Canada health", "Canada space"]),
        ({"theme": "space"}, ["France space", "Canada space"]),
        ({"theme": "space", "country": "ca"}, ["Canada space"]),
        ({"stage": "scaling"}, ["Canada health"]),
        ({"country": ["ca", "fr"], "sort": "title"}, ["France space", "Canada health", "Canada space"]),
        ({"theme": "no-such-theme"}, ["France space", "Canada health", "Canada space"]),
        ({"q": "France"}, ["France space"]),
    ],
)
def test_the_feed_takes_the_case_browsers_filters_newest_first(client, filtered_library, params, expected):
    title, entries_ = titles(client, reverse("cases:case-feed"), params)
    assert entries_ == expected
    browser = client.get(reverse("cases:case-list"), params)
    assert sorted(case.title for case in browser.context["cases"]) == sorted(expected)


def test_a_filtered_feed_names_its_filters(client, filtered_library):
    title, _ = titles(client, reverse("cases:case-feed"), {"theme": "space", "country": "ca"})
    assert title.startswith("New cases: Country: Canada, Theme: Space")


@pytest.mark.parametrize("params", [{"country": "zzz"}, {"year_from": "abc"}, {"sort": "bogus"}])
def test_a_malformed_filter_is_a_400_not_a_feed(client, filtered_library, params):
    response = client.get(reverse("cases:case-feed"), params)
    assert response.status_code == 400
    assert response.content.decode().startswith("Invalid filter.")


def test_the_case_browser_links_its_filtered_feed(client, filtered_library):
    page = client.get(reverse("cases:case-list"), {"theme": "space", "sort": "title"}).content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="New cases matching these filters" href="/feeds/cases.atom?theme=space">'
        in page
    )
    assert '<a href="/feeds/cases.atom?theme=space" type="application/atom+xml">' in page


@pytest.mark.parametrize(
    "page_name, feed_name, key, expected",
    [
        ("cases:country-detail", "cases:country-feed", "ca", ["Canada health", "Canada space"]),
        ("cases:theme-detail", "cases:theme-feed", "space", ["France space", "Canada space"]),
    ],
)
def test_each_term_page_has_its_own_feed(client, filtered_library, page_name, feed_name, key, expected):
    page_key = {"code": key} if page_name == "cases:country-detail" else {"slug": key}
    feed_url = reverse(feed_name, kwargs={"key": key})
    page = client.get(reverse(page_name, kwargs=page_key)).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in page and f'href="{feed_url}"' in page
    assert titles(client, feed_url)[1] == expected


def test_approach_challenge_and_success_factor_feeds(client, db):
    approach = ApproachFactory(slug="prize")
    case = published(1, title="Prized", slug="prized", approaches=[approach])
    published(0, title="Draft prized", slug="draft-prized", approaches=[approach], status=Case.Status.DRAFT)
    challenge, factor = ChallengeFactory(slug="legal"), SuccessFactorFactory(slug="trust")
    CaseChallengeFactory(case=case, challenge=challenge)
    CaseSuccessFactorFactory(case=case, success_factor=factor)
    for name, key in (
        ("cases:approach-feed", "prize"),
        ("cases:challenge-feed", "legal"),
        ("cases:success-factor-feed", "trust"),
    ):
        assert titles(client, reverse(name, kwargs={"key": key}))[1] == ["Prized"]
    assert (
        f'href="{reverse("cases:challenge-feed", kwargs={"key": "legal"})}"'
        in client.get(reverse("cases:challenge-detail", kwargs={"slug": "legal"})).content.decode()
    )


def test_a_feed_of_nothing_public_is_a_404(client, db):
    draft_theme = ThemeFactory(slug="draft-only")
    CaseFactory(status=Case.Status.DRAFT, themes=[draft_theme])
    assert client.get(reverse("cases:theme-feed", kwargs={"key": "draft-only"})).status_code == 404
    assert client.get(reverse("cases:country-feed", kwargs={"key": "zz"})).status_code == 404
    assert client.get(reverse("cases:country-feed", kwargs={"key": "abc"})).status_code == 404
    assert client.get(reverse("cases:approach-feed", kwargs={"key": "nothing"})).status_code == 404


@pytest.mark.parametrize("query", ["\x01\x1f", "space\x0b\x0c", "\ufffe"])
def test_control_characters_in_a_search_give_a_feed_not_a_server_error(client, filtered_library, query):
    response = client.get(reverse("cases:case-feed"), {"q": query})
    assert response.status_code == 200
    ET.fromstring(response.content)  # well-formed XML
