"""The sitemap index and its sections: every public page, never a draft."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from cases.browse.sitemaps import SITEMAPS, QuoteSitemap
from cases.models import Case
from tests.factories import (
    ApproachFactory,
    CaseFactory,
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
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return [loc.text for loc in ET.fromstring(response.content).iter(f"{NS}loc")]


def all_page_paths(client):
    paths = []
    for section_url in locations(client, reverse("cases:sitemap")):
        paths += [url.removeprefix("http://testserver") for url in locations(client, section_url)]
    return paths


@pytest.fixture
def library():
    theme, approach, organisation = (
        ThemeFactory(slug="space"),
        ApproachFactory(slug="prize"),
        OrganisationFactory(slug="nasa"),
    )
    case = CaseFactory(slug="public-case", countries=["CA"], themes=[theme], approaches=[approach])
    CaseFactory(slug="draft-case", status=Case.Status.DRAFT, countries=["FR"])
    CaseFactory(slug="review-case", status=Case.Status.REVIEW)
    source = SourceFactory(slug="vid12345678", youtube_id="vid12345678")
    quote = QuoteFactory(source=source, cases=[case])
    ParticipationFactory(case=case, organisation=organisation)
    return {
        "case": case,
        "theme": theme,
        "approach": approach,
        "organisation": organisation,
        "source": source,
        "quote": quote,
        "challenge": ChallengeFactory(slug="culture"),
        "factor": SuccessFactorFactory(slug="trust"),
        "document": DocumentFactory(slug="webinar_one", source=source),
        "topic": TopicFactory(slug="open_data"),
    }


def test_sitemap_index_lists_a_section_per_kind_of_page(client, library):
    sections = locations(client, reverse("cases:sitemap"))
    assert sections == [f"http://testserver/sitemap-{name}.xml" for name in SITEMAPS]


def test_sitemap_covers_every_public_page(client, library):
    paths = all_page_paths(client)
    expected = [
        "/",
        "/cases/",
        "/challenges/",
        "/success-factors/",
        "/countries/",
        "/sources/",
        "/quotes/",
        "/matrix/",
        "/cases/public-case/",
        "/challenges/culture/",
        "/success-factors/trust/",
        "/countries/ca/",
        "/themes/space/",
        "/approaches/prize/",
        "/organisations/nasa/",
        "/sources/vid12345678/",
        "/documents/webinar_one/",
        "/topics/open_data/",
        f"/quotes/{library['quote'].pk}/",
    ]
    for path in expected:
        assert path in paths
    assert len(paths) == len(set(paths))


def test_every_sitemap_page_answers(client, library):
    for path in all_page_paths(client):
        assert client.get(path).status_code == 200, path


def test_drafts_never_appear_in_the_sitemap(client, library):
    paths = all_page_paths(client)
    assert "/cases/draft-case/" not in paths
    assert "/cases/review-case/" not in paths
    assert "/countries/fr/" not in paths  # its only case is a draft


def test_quote_section_pages_through_many_quotes(client, library, monkeypatch):
    monkeypatch.setattr(QuoteSitemap, "limit", 2)
    QuoteFactory.create_batch(4, source=library["source"])
    sections = locations(client, reverse("cases:sitemap"))
    assert [url for url in sections if "sitemap-quotes" in url] == [
        "http://testserver/sitemap-quotes.xml",
        "http://testserver/sitemap-quotes.xml?p=2",
        "http://testserver/sitemap-quotes.xml?p=3",
    ]


def test_an_unknown_section_is_a_404(client):
    assert client.get("/sitemap-secrets.xml").status_code == 404


@pytest.mark.parametrize("page", ["x", "0", "99", "\x00"])
def test_a_bad_section_page_is_a_404(client, library, page):
    # NUL is refused before the view (kb.middleware) with a 400.
    assert client.get("/sitemap-quotes.xml", {"p": page}).status_code == (400 if page == "\x00" else 404)
