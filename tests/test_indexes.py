"""The indexes (cases/views/indexes.py): every one answers, lists only what is public, counts right,
is linked from the header, the overview and the sitemap, and runs a bounded number of queries."""

import re

import pytest

from cases.models import Approach, Case, Organisation, Theme
from tests.factories import (
    ApproachFactory,
    CaseFactory,
    DocumentFactory,
    OrganisationFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    ThemeFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

INDEXES = ["/documents/", "/topics/", "/themes/", "/approaches/", "/organisations/", "/about/"]


def html_of(response):
    assert response.status_code == 200
    return response.content.decode()


def test_public_is_what_a_published_case_links_to():
    shown, draft_only, unused = ThemeFactory(name="Shown"), ThemeFactory(name="Draft only"), ThemeFactory()
    CaseFactory(themes=[shown])
    CaseFactory(themes=[shown])
    CaseFactory(themes=[draft_only], status=Case.Status.DRAFT)
    assert list(Theme.objects.public()) == [shown]
    assert list(Theme.objects.public().with_published_case_count().values_list("published_case_count", flat=True)) == [
        2
    ]
    organisation = OrganisationFactory()
    ParticipationFactory(organisation=organisation, case=CaseFactory(status=Case.Status.REVIEW))
    assert not Organisation.objects.public().exists()
    assert unused not in Theme.objects.public()


def test_theme_index_lists_public_themes_with_counts(client):
    space = ThemeFactory(name="Space")
    CaseFactory.create_batch(3, themes=[space])
    ThemeFactory(name="Hidden draft theme")
    CaseFactory(themes=[Theme.objects.get(name="Hidden draft theme")], status=Case.Status.DRAFT)
    html = html_of(client.get("/themes/"))
    assert re.search(r'<a href="/themes/[^"]+/">Space</a> <span class="count">3 cases</span>', html)
    assert "Hidden draft theme" not in html


def test_approach_index_groups_by_family_in_family_order(client):
    CaseFactory(
        approaches=[
            ApproachFactory(name="Testbeds", family=Approach.Family.EXPERIMENTATION),
            ApproachFactory(name="Hackathons", family=Approach.Family.COLLECTIVE_INTELLIGENCE),
        ]
    )
    html = html_of(client.get("/approaches/"))
    collective = html.index("Collective intelligence (surfacing insights)</h2>")
    experimentation = html.index("Experimentation (testing across borders)</h2>")
    assert collective < html.index("Hackathons") < experimentation < html.index("Testbeds")
    assert "Governance (structures and networks)</h2>" not in html  # a family no public approach has


def test_organisation_index_groups_by_kind_then_country_with_counts(client):
    agency = OrganisationFactory(name="Space Agency", kind=Organisation.Kind.AGENCY, country_id="CA")
    ngo = OrganisationFactory(name="Food NGO", kind=Organisation.Kind.NGO, country=None)
    for case in CaseFactory.create_batch(2):
        ParticipationFactory(case=case, organisation=agency)
    ParticipationFactory(organisation=ngo)
    OrganisationFactory(name="Idle org")
    html = html_of(client.get("/organisations/"))
    assert html.index(">Agency</h2>") < html.index("Space Agency") < html.index(">NGO</h2>") < html.index("Food NGO")
    assert re.search(r'<a href="/countries/ca/">Canada</a>', html)
    assert re.search(r'Space Agency</a></td>\s*<td class="num">2</td>', html)
    assert "Idle org" not in html


def test_topic_index_is_a_to_z_with_document_and_quote_counts(client):
    water = TopicFactory(slug="water", label="Water")
    TopicFactory(slug="agriculture", label="agriculture")
    document = DocumentFactory()
    document.topics.add(water)
    QuoteFactory(document=document, source=document.source).topics.add(water)
    html = html_of(client.get("/topics/"))
    assert html.index('id="letter-A"') < html.index('id="letter-W"')
    assert re.search(r'>Water</a> <span class="count">1 doc · 1 quote</span>', html)


def test_document_index_groups_by_source_shows_the_flag_and_sorts(client):
    source = SourceFactory(title="A webinar")
    DocumentFactory(title="Zeta summary", source=source, needs_review=True)
    shifted = DocumentFactory(title="Alpha summary", source=source, timestamps_as_minutes=True)
    QuoteFactory.create_batch(2, document=shifted, source=source)
    html = html_of(client.get("/documents/"))
    assert 'scope="rowgroup"' in html and "A webinar" in html
    assert html.index("Alpha summary") < html.index("Zeta summary")
    assert "Under review" in html and "Re-read as minutes:seconds" in html
    flagged_first = html_of(client.get("/documents/?sort=flag"))
    assert flagged_first.index("Zeta summary") < flagged_first.index("Alpha summary")
    by_quotes = html_of(client.get("/documents/?sort=quotes"))
    assert re.search(r'Alpha summary</a></td>\s*<td><a [^>]*>A webinar</a></td>\s*<td class="num">2</td>', by_quotes)


@pytest.mark.parametrize("query", ["?sort=nonsense", "?page=0", "?page=x"])
def test_document_index_answers_bad_parameters_with_400(client, query):
    response = client.get(f"/documents/{query}")
    assert response.status_code == 400


def test_about_page_states_the_licence_the_limits_and_the_last_update(client):
    CaseFactory()
    html = html_of(client.get("/about/"))
    assert "MIT licence" in html
    assert "not yet evidenced" in html
    assert "under review" in html
    assert "<time datetime=" in html
    assert "How to cite" in html


def test_every_index_is_linked_from_the_header_the_overview_and_the_sitemap(client):
    home = html_of(client.get("/"))
    header = home[home.index('<nav class="site-nav"') : home.index("</nav>")]
    overview = home[home.index('id="indexes-heading"') :]
    for url in [*INDEXES, "/matrix/", "/compare/"]:
        assert f'href="{url}' in header, url
        assert f'href="{url}' in overview, url
    sitemap = client.get("/sitemap-pages.xml").content.decode()
    for url in [*INDEXES, "/matrix/", "/compare/"]:
        assert f"http://testserver{url}</loc>" in sitemap, url
